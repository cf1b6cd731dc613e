"""Contract of the Lake port, run against every lake backend (today: the file lake)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

from highpipe.adapters.lake.parquet import FileLake
from highpipe.ports.lake import Lake


class Clock:
    """An injectable ingest date, moved by the tests."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


LakeFactory = Callable[[Clock], Lake]


@pytest.fixture(params=["file"])
def make_lake(request: pytest.FixtureRequest, tmp_path: Path) -> LakeFactory:
    if request.param == "file":
        return lambda clock: FileLake(str(tmp_path / "lake"), today=clock)
    raise AssertionError(request.param)


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 11, 2))


@pytest.fixture
async def lake(make_lake: LakeFactory, clock: Clock) -> AsyncIterator[Lake]:
    instance = make_lake(clock)
    await instance.start()
    yield instance
    await instance.stop()


def _review(uid: str, source: str, rating: int) -> dict[str, Any]:
    return {
        "source": source,
        "review_uid": f"{source}:{uid}",
        "text": f"배송이 빨라요 {uid}",
        "rating": rating,
        "score": rating / 5,
        "verified": rating > 3,
        "date": datetime(2026, 11, 1, 22, 0, tzinfo=timezone(timedelta(hours=9))),
        "aspects": [{"aspect_id": "delivery", "polarity": "positive"}],
        "title": None,
    }


PART = re.compile(r"part-[0-9a-f]{32}\.parquet$")


async def test_two_batches_two_sources_two_dates(lake: Lake, clock: Clock, tmp_path: Path) -> None:
    first = await lake.write("raw", "reviews", [_review("1", "naver", 5), _review("2", "demo", 2)])
    clock.day = date(2026, 11, 3)
    second = await lake.write("raw", "reviews", [_review("3", "naver", 4), _review("4", "naver", 1)])
    assert len(first) == 2 and len(second) == 1
    root = tmp_path / "lake"
    expected_dirs = {
        root / "raw/reviews/source=naver/dt=2026-11-02",
        root / "raw/reviews/source=demo/dt=2026-11-02",
        root / "raw/reviews/source=naver/dt=2026-11-03",
    }
    assert {Path(p).parent for p in first + second} == expected_dirs
    for written in first + second:
        assert Path(written).is_file()
        assert PART.search(written)
    on_disk = sorted(p for p in root.rglob("*") if p.is_file())
    assert sorted(Path(p) for p in first + second) == on_disk  # no temporary files left behind

    rows = await lake.read("raw", "reviews")
    by_uid = {row["review_uid"]: row for row in rows}
    assert set(by_uid) == {"naver:1", "demo:2", "naver:3", "naver:4"}
    assert (by_uid["demo:2"]["source"], by_uid["demo:2"]["dt"]) == ("demo", "2026-11-02")
    assert (by_uid["naver:4"]["source"], by_uid["naver:4"]["dt"]) == ("naver", "2026-11-03")
    row = by_uid["naver:1"]
    assert row["text"] == "배송이 빨라요 1"
    assert row["rating"] == 5 and isinstance(row["rating"], int)
    assert row["score"] == 1.0
    assert row["verified"] is True
    assert row["date"] == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # the same instant, stored in UTC
    assert row["aspects"] == [{"aspect_id": "delivery", "polarity": "positive"}]
    assert row["title"] is None
    # older partitions come first
    assert [r["dt"] for r in rows] == sorted(r["dt"] for r in rows)


async def test_files_read_as_a_hive_dataset_without_the_adapter(
    lake: Lake, clock: Clock, tmp_path: Path
) -> None:
    await lake.write("curated", "reviews", [_review("1", "naver", 5), _review("2", "coupang", 3)])
    clock.day = date(2026, 11, 4)
    await lake.write("curated", "reviews", [_review("3", "naver", 1)])
    dataset = ds.dataset(tmp_path / "lake" / "curated" / "reviews", format="parquet", partitioning="hive")
    table = dataset.to_table()
    assert table.num_rows == 3
    assert {"source", "dt", "review_uid", "aspects"} <= set(table.column_names)
    got = {(r["review_uid"], r["source"], str(r["dt"])) for r in table.to_pylist()}
    assert got == {
        ("naver:1", "naver", "2026-11-02"),
        ("coupang:2", "coupang", "2026-11-02"),
        ("naver:3", "naver", "2026-11-04"),
    }
    # nested values are plain JSON text for other readers
    aspects = table.column("aspects").to_pylist()[0]
    assert isinstance(aspects, str) and '"delivery"' in aspects


async def test_mixed_and_nested_columns_round_trip(lake: Lake) -> None:
    rows: list[dict[str, Any]] = [
        {"source": "upload", "value": 1, "tags": ["a", "가"], "meta": {"k": [1, 2]}},
        {"source": "upload", "value": "one", "tags": [], "meta": None},
        {"source": "upload", "value": None, "tags": None, "meta": {"when": date(2026, 11, 2)}},
    ]
    await lake.write("raw", "misc", rows)
    back = await lake.read("raw", "misc")
    assert [r["value"] for r in back] == [1, "one", None]
    assert [r["tags"] for r in back] == [["a", "가"], [], None]
    assert [r["meta"] for r in back] == [{"k": [1, 2]}, None, {"when": "2026-11-02"}]


async def test_concurrent_writes_get_distinct_files(lake: Lake) -> None:
    batches = [[{"source": "naver", "n": i}] for i in range(8)]
    results = await asyncio.gather(*(lake.write("raw", "events", batch) for batch in batches))
    files = [f for result in results for f in result]
    assert len(set(files)) == 8
    assert sorted(r["n"] for r in await lake.read("raw", "events")) == list(range(8))


async def test_empty_write_and_missing_dataset(lake: Lake) -> None:
    assert await lake.write("raw", "reviews", []) == []
    assert await lake.read("raw", "never-written") == []


@pytest.mark.parametrize(
    ("layer", "dataset", "source"),
    [
        ("bronze", "reviews", "naver"),
        ("raw", "..", "naver"),
        ("raw", "../escape", "naver"),
        ("raw", "a/b", "naver"),
        ("raw", "", "naver"),
        ("raw", ".hidden", "naver"),
        ("raw", "reviews", ".."),
        ("raw", "reviews", "../../etc"),
        ("raw", "reviews", "a/b"),
        ("raw", "reviews", "a\\b"),
        ("raw", "reviews", "x=y"),
        ("raw", "reviews", "a..b"),
        ("raw", "reviews", ""),
        ("raw", "reviews", 7),
    ],
)
async def test_unsafe_names_are_rejected(
    lake: Lake, tmp_path: Path, layer: str, dataset: str, source: Any
) -> None:
    with pytest.raises(ValueError):
        await lake.write(layer, dataset, [{"source": source, "x": 1}])
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


async def test_bad_rows_write_nothing(lake: Lake, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="source"):
        await lake.write("raw", "reviews", [{"x": 1}])
    with pytest.raises(ValueError, match="dt"):
        await lake.write("raw", "reviews", [{"source": "naver", "dt": "2026-01-01"}])
    with pytest.raises(ValueError, match="cannot store"):
        await lake.write("raw", "reviews", [{"source": "naver", "x": 1}, {"source": "demo", "x": object()}])
    with pytest.raises(ValueError, match="aware and naive"):
        await lake.write(
            "raw",
            "reviews",
            [
                {"source": "naver", "t": datetime(2026, 1, 1)},
                {"source": "naver", "t": datetime(2026, 1, 1, tzinfo=UTC)},
            ],
        )
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


async def test_use_before_start_and_after_stop(make_lake: LakeFactory, clock: Clock) -> None:
    instance = make_lake(clock)
    with pytest.raises(RuntimeError):
        await instance.write("raw", "reviews", [{"source": "naver", "x": 1}])
    with pytest.raises(RuntimeError):
        await instance.read("raw", "reviews")
    await instance.start()
    await instance.write("raw", "reviews", [{"source": "naver", "x": 1}])
    await instance.stop()
    with pytest.raises(RuntimeError):
        await instance.read("raw", "reviews")


async def test_file_lake_roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = FileLake((tmp_path / "abs lake").as_uri())
    assert absolute.root == tmp_path / "abs lake"
    await absolute.start()
    assert absolute.root.is_dir()
    monkeypatch.chdir(tmp_path)
    relative = FileLake(".highpipe/lake")
    assert relative.root == tmp_path / ".highpipe" / "lake"
    for bad in ("file://./x", "file://host/x", "s3://bucket/prefix", ""):
        with pytest.raises(ValueError):
            FileLake(bad)
