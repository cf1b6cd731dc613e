"""Quality of the shipped analyzer on the fixed test splits (calls `evaluate_model`).

    uv run python bench/analysis_quality.py [--shared ../shared] [--model-dir DIR]

Prints the metrics and writes bench/results/analysis_quality.json. The same figures come from
`highpipe model eval`; see docs/analysis.md for what each one means.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from highpipe.analysis.evaluate import evaluate_model

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "analysis_quality.json")
    args = ap.parse_args()
    metrics = evaluate_model(args.shared, args.model_dir)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
