"""The third aspect development set (tests/data/aspect_dev3.jsonl): format, draw, counts, and a floor.

The rows must be naver_shopping *training* rows (data line not divisible by 5) drawn as
aspect_dev3.md documents (line % 10 == 7), with their text and rating unchanged; the table in
aspect_dev3.md must match the file. The floor guards the aspect rules against regressions; it is
set below the measured figures, which aspect_dev3.md reports.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from highpipe.analysis.engine import LocalAnalyzer
from highpipe.analysis.evaluate_aspects import evaluate_aspects
from highpipe.domain.vocab import ASPECT_BY_ID, SENTIMENTS

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEV_PATH = DATA_DIR / "aspect_dev3.jsonl"
GUIDE_PATH = DATA_DIR / "aspect_dev3.md"
SOURCE = Path(__file__).resolve().parents[4] / "shared" / "data" / "naver_shopping_sample.tsv"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEV_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_format_and_vocabulary(rows: list[dict[str, Any]]) -> None:
    assert len(rows) == 300
    for row in rows:
        assert set(row) == {"line", "text", "rating", "aspects"}
        assert row["rating"] in (1, 2, 4, 5)
        pairs = [(a["aspect_id"], a["polarity"]) for a in row["aspects"]]
        assert len(pairs) == len(set(pairs))
        for item in row["aspects"]:
            assert item["aspect_id"] in ASPECT_BY_ID
            assert item["polarity"] in SENTIMENTS
            assert item["evidence"] and item["evidence"] in row["text"]


def test_only_training_rows_in_the_documented_draw(rows: list[dict[str, Any]]) -> None:
    lines = [row["line"] for row in rows]
    assert lines == list(range(7, 3000, 10))
    assert all(line % 5 != 0 for line in lines)


@pytest.mark.skipif(not SOURCE.exists(), reason="shared dataset not present")
def test_texts_match_the_source(rows: list[dict[str, Any]]) -> None:
    with SOURCE.open(encoding="utf-8", newline="") as fh:
        fh.readline()
        source = {n: raw.rstrip("\n").split("\t", 1) for n, raw in enumerate(fh, start=1)}
    for row in rows:
        rating, text = source[row["line"]]
        assert (int(rating), text) == (row["rating"], row["text"])


def test_published_counts_match(rows: list[dict[str, Any]]) -> None:
    counts = Counter((a["aspect_id"], a["polarity"]) for row in rows for a in row["aspects"])
    table = re.findall(
        r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", GUIDE_PATH.read_text("utf-8"), re.M
    )
    published = {aspect: tuple(map(int, nums)) for aspect, *nums in table}
    for aspect in ASPECT_BY_ID:
        pos, neg, neu = (counts[(aspect, p)] for p in ("positive", "negative", "neutral"))
        assert published[aspect] == (pos, neg, neu, pos + neg + neu)
    assert published["total"][3] == sum(counts.values())


def test_engine_quality_floor() -> None:
    result = evaluate_aspects(LocalAnalyzer.load(), DEV_PATH)
    assert result["reviews"] == 300
    # Measured 0.878 / 0.952 after the fifth round (0.847 / 0.950 before it); the lead retrains the
    # clause model now and then, so the floor leaves room for small shifts in clause labels.
    assert result["f1"] >= 0.86
    assert result["polarity_accuracy"] >= 0.92
