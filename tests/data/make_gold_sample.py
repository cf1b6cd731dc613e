"""Draw the rows of the aspect gold set from the naver_shopping test split.

The gold set (`aspect_gold.jsonl`) is labelled by hand; this script only decides
*which* rows are labelled and prints them, so the draw can be reproduced and audited.

Rule: the test split is every data line (1-based, header not counted) whose number
is divisible by 5; the sample is the first ``n`` test rows in file order. Texts are
taken verbatim from the tab-separated field (no CSV quote handling).

Usage: ``uv run python tests/data/make_gold_sample.py [--n 320] [--source PATH]``
prints one JSON object per drawn row: ``{"line": ..., "rating": ..., "text": ...}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_N = 320
TEST_EVERY = 5


def default_source() -> Path:
    """The shared dataset, which lives beside the project root (`../shared`)."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "naver_shopping_sample.tsv"


@dataclass(frozen=True, slots=True)
class SourceRow:
    line: int
    rating: int
    text: str


def read_rows(path: Path) -> list[SourceRow]:
    """All data rows with their 1-based data line numbers (header not counted)."""
    rows: list[SourceRow] = []
    with path.open(encoding="utf-8", newline="") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if header != ["rating", "text"]:
            raise ValueError(f"unexpected header in {path}: {header}")
        for number, raw in enumerate(fh, start=1):
            # Split on the first tab only: the text is kept exactly as stored.
            rating, text = raw.rstrip("\n").split("\t", 1)
            rows.append(SourceRow(line=number, rating=int(rating), text=text))
    return rows


def is_test_line(line: int) -> bool:
    return line % TEST_EVERY == 0


def draw_sample(rows: list[SourceRow], n: int = DEFAULT_N) -> list[SourceRow]:
    """The first ``n`` test rows in file order."""
    test_rows = [row for row in rows if is_test_line(row.line)]
    if len(test_rows) < n:
        raise ValueError(f"only {len(test_rows)} test rows, {n} requested")
    return test_rows[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    parser.add_argument("--source", type=Path, default=default_source())
    args = parser.parse_args(argv)
    for row in draw_sample(read_rows(args.source), args.n):
        sys.stdout.write(
            json.dumps({"line": row.line, "rating": row.rating, "text": row.text}, ensure_ascii=False)
        )
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
