"""Validates the hand-labelled aspect gold set (tests/data/aspect_gold.jsonl).

Checks the format, the vocabulary, that every review is a test-split row whose text
and rating match the shared source exactly, that the rows are the documented draw,
and that the counts published in aspect_gold.md match the file.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from highpipe.domain.vocab import ASPECT_BY_ID, SENTIMENTS

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
GOLD_PATH = DATA_DIR / "aspect_gold.jsonl"
GUIDE_PATH = DATA_DIR / "aspect_gold.md"
MIN_ROWS = 320


def _load_sampler() -> ModuleType:
    # tests/data is not a package; load the draw script by path.
    spec = importlib.util.spec_from_file_location("make_gold_sample", DATA_DIR / "make_gold_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class body runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gold() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, raw in enumerate(GOLD_PATH.read_text(encoding="utf-8").splitlines(), start=1):
        assert raw.strip(), f"blank line {number} in {GOLD_PATH.name}"
        rows.append(json.loads(raw))
    return rows


@pytest.fixture(scope="module")
def sampler() -> ModuleType:
    return _load_sampler()


@pytest.fixture(scope="module")
def source_rows(sampler: ModuleType) -> dict[int, Any]:
    path: Path = sampler.default_source()
    if not path.is_file():
        pytest.skip(f"shared dataset not present at {path}")
    return {row.line: row for row in sampler.read_rows(path)}


def test_row_shape_and_vocabulary(gold: list[dict[str, Any]]) -> None:
    assert len(gold) >= MIN_ROWS
    for row in gold:
        assert set(row) == {"line", "text", "rating", "aspects"}, row
        assert isinstance(row["line"], int) and row["line"] % 5 == 0, row["line"]
        assert isinstance(row["text"], str) and row["text"]
        assert row["rating"] in (1, 2, 4, 5)
        assert isinstance(row["aspects"], list)
        seen: set[tuple[str, str]] = set()
        for aspect in row["aspects"]:
            assert set(aspect) == {"aspect_id", "polarity", "evidence"}, aspect
            assert aspect["aspect_id"] in ASPECT_BY_ID, aspect
            assert aspect["polarity"] in SENTIMENTS, aspect
            evidence = aspect["evidence"]
            assert isinstance(evidence, str) and evidence.strip()
            assert evidence in row["text"], (row["line"], evidence)
            key = (aspect["aspect_id"], aspect["polarity"])
            assert key not in seen, (row["line"], key)
            seen.add(key)


def test_lines_are_unique_and_sorted(gold: list[dict[str, Any]]) -> None:
    lines = [row["line"] for row in gold]
    assert lines == sorted(set(lines))


def test_rows_match_the_source_exactly(gold: list[dict[str, Any]], source_rows: dict[int, Any]) -> None:
    for row in gold:
        source = source_rows[row["line"]]
        assert row["text"] == source.text, row["line"]
        assert row["rating"] == source.rating, row["line"]


def test_rows_are_the_documented_draw(
    gold: list[dict[str, Any]], sampler: ModuleType, source_rows: dict[int, Any]
) -> None:
    drawn = sampler.draw_sample(list(source_rows.values()), len(gold))
    assert [row["line"] for row in gold] == [row.line for row in drawn]
    assert all(sampler.is_test_line(row["line"]) for row in gold)


def test_sampler_rejects_non_test_lines(sampler: ModuleType) -> None:
    rows = [sampler.SourceRow(line=n, rating=5, text=f"t{n}") for n in range(1, 13)]
    assert [row.line for row in sampler.draw_sample(rows, 2)] == [5, 10]
    with pytest.raises(ValueError):
        sampler.draw_sample(rows, 3)


def test_published_counts_match_the_file(gold: list[dict[str, Any]]) -> None:
    counts: Counter[tuple[str, str]] = Counter(
        (aspect["aspect_id"], aspect["polarity"]) for row in gold for aspect in row["aspects"]
    )
    # Table rows in the guide look like: | delivery | 30 | 14 | 1 | 45 |
    table = re.findall(
        r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", GUIDE_PATH.read_text("utf-8"), re.M
    )
    published = {name: tuple(int(x) for x in nums) for name, *nums in table}
    assert set(published) == {*ASPECT_BY_ID, "total"}
    for aspect_id in ASPECT_BY_ID:
        pos, neg, neu = (counts[(aspect_id, p)] for p in ("positive", "negative", "neutral"))
        assert published[aspect_id] == (pos, neg, neu, pos + neg + neu), aspect_id
    assert published["total"][3] == sum(counts.values())
