"""Parse every Terraform file under a folder with python-hcl2 and print {path: document} as JSON.

Run by tests/ops/test_terraform.py with the ops tool venv's interpreter (python-hcl2 lives there, not
in the project's venv). python-hcl2 keeps the quotes of string literals and marks blocks with
`__is_block__`; both are removed here so the tests see plain values. Expressions stay as `${...}`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import hcl2


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def main(root: Path) -> None:
    out = {}
    for path in sorted([*root.rglob("*.tf"), *root.rglob("*.tfvars"), *root.rglob("*.hcl")]):
        with path.open() as handle:
            out[str(path.relative_to(root))] = _plain(hcl2.load(handle))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
