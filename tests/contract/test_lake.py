"""Contract of the Lake port, run against every lake backend: the file lake and S3 on a real server.

The S3 server comes from HIGHPIPE_TEST_S3_URL (`make s3-up` starts SeaweedFS on 127.0.0.1:18333 and `make test`
exports it); without it the S3 cases are skipped locally and fail under CI=true. Each test gets its own
prefix in the bucket and deletes it afterwards. Credentials: HIGHPIPE_TEST_S3_ACCESS_KEY / _SECRET_KEY
(default: the local dev key of deploy/local/s3.sh), handed to the lake as AWS_* variables for the test only.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest

from highpipe.adapters.lake.core import ArrowLake
from highpipe.adapters.lake.parquet import FileLake
from highpipe.adapters.lake.s3 import S3Lake
from highpipe.adapters.lake.schema import arrow_schema

LOCAL_DEV_KEY = ("highpipe-local", "highpipe-local-secret")  # deploy/local/s3.sh: a loopback-only dev key


class Clock:
    """An injectable ingest date, moved by the tests."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


LakeFactory = Callable[[Clock], ArrowLake]


def s3_test_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh prefix on the test S3 server (skips locally without one; fails under CI)."""
    url = os.environ.get("HIGHPIPE_TEST_S3_URL")
    if not url:
        message = "HIGHPIPE_TEST_S3_URL is not set: run `make s3-up` first (`make test` does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", os.environ.get("HIGHPIPE_TEST_S3_ACCESS_KEY", LOCAL_DEV_KEY[0]))
    monkeypatch.setenv(
        "AWS_SECRET_ACCESS_KEY", os.environ.get("HIGHPIPE_TEST_S3_SECRET_KEY", LOCAL_DEV_KEY[1])
    )
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask a metadata address for credentials
    base, _, query = url.partition("?")
    return f"{base.rstrip('/')}/t-{uuid.uuid4().hex[:12]}?{query}"


@pytest.fixture(params=["file", "s3"])
def make_lake(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LakeFactory]:
    if request.param == "file":
        yield lambda clock: FileLake(str(tmp_path / "lake"), today=clock)
        return
    url = s3_test_url(monkeypatch)
    made: list[S3Lake] = []

    def factory(clock: Clock) -> ArrowLake:
        made.append(S3Lake(url, today=clock))
        return made[-1]

    yield factory
    if made:
        storage = made[0].storage
        storage.filesystem.delete_dir_contents(storage.full(""), missing_dir_ok=True)


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 11, 2))


@pytest.fixture
async def lake(make_lake: LakeFactory, clock: Clock) -> AsyncIterator[ArrowLake]:
    instance = make_lake(clock)
    await instance.start()
    yield instance
    await instance.stop()


def all_files(lake: ArrowLake) -> list[str]:
    """Every file under the lake root (data, temporary, journal), as full paths; lock files excluded."""
    selector = pafs.FileSelector(lake.storage.full(""), recursive=True, allow_not_found=True)
    return sorted(
        i.path
        for i in lake.storage.filesystem.get_file_info(selector)
        if i.type == pafs.FileType.File and "/.locks/" not in i.path
    )


def full(uri: str) -> str:
    return uri.removeprefix("s3://")


def hive(lake: ArrowLake, layer: str, dataset: str) -> ds.Dataset:
    return ds.dataset(
        lake.storage.full(f"{layer}/{dataset}"),
        filesystem=lake.storage.filesystem,
        format="parquet",
        partitioning="hive",
    )


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


def _named(uid: str, source: str = "naver", text: str = "좋아요", **extra: Any) -> dict[str, Any]:
    """A row of the named dataset raw/curated `reviews` (explicit schema)."""
    return {"source": source, "review_uid": f"{source}:{uid}", "site": source, "text": text, **extra}


PART = re.compile(r"part-[0-9a-f]{32}\.parquet$")


async def test_two_batches_two_sources_two_dates(lake: ArrowLake, clock: Clock) -> None:
    first = await lake.write("raw", "notes", [_review("1", "naver", 5), _review("2", "demo", 2)])
    clock.day = date(2026, 11, 3)
    second = await lake.write("raw", "notes", [_review("3", "naver", 4), _review("4", "naver", 1)])
    assert len(first) == 2 and len(second) == 1
    root = lake.storage.full("")
    expected_dirs = {
        f"{root}/raw/notes/source=naver/dt=2026-11-02",
        f"{root}/raw/notes/source=demo/dt=2026-11-02",
        f"{root}/raw/notes/source=naver/dt=2026-11-03",
    }
    assert {full(p).rsplit("/", 1)[0] for p in first + second} == expected_dirs
    for written in first + second:
        assert PART.search(written)
    assert sorted(full(p) for p in first + second) == all_files(lake)  # no temporary files left behind

    rows = await lake.read("raw", "notes")
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
    assert [r["dt"] for r in rows] == sorted(r["dt"] for r in rows)  # older partitions come first


async def test_files_read_as_a_hive_dataset_without_the_adapter(lake: ArrowLake, clock: Clock) -> None:
    await lake.write("curated", "notes", [_review("1", "naver", 5), _review("2", "coupang", 3)])
    clock.day = date(2026, 11, 4)
    await lake.write("curated", "notes", [_review("3", "naver", 1)])
    table = hive(lake, "curated", "notes").to_table()
    assert table.num_rows == 3
    assert {"source", "dt", "review_uid", "aspects"} <= set(table.column_names)
    got = {(r["review_uid"], r["source"], str(r["dt"])) for r in table.to_pylist()}
    assert got == {
        ("naver:1", "naver", "2026-11-02"),
        ("coupang:2", "coupang", "2026-11-02"),
        ("naver:3", "naver", "2026-11-04"),
    }
    aspects = table.column("aspects").to_pylist()[0]  # nested values are JSON text for other readers
    assert isinstance(aspects, str) and '"delivery"' in aspects
    assert lake.location("curated", "notes").endswith("/curated/notes")


async def test_named_datasets_have_their_explicit_versioned_schema(lake: ArrowLake) -> None:
    when = datetime(2026, 11, 1, 22, 0, tzinfo=timezone(timedelta(hours=9)))
    await lake.write("raw", "reviews", [_named("1", rating=4, date=when), _named("2", helpful=3)])
    table = hive(lake, "raw", "reviews").to_table()
    schema = arrow_schema("raw/reviews")
    for field in schema:
        assert table.schema.field(field.name).type == field.type, field.name
    assert table.schema.metadata[b"highpipe.schema_version"] == b"1"
    rows = {r["review_uid"]: r for r in await lake.read("raw", "reviews")}
    assert rows["naver:1"]["rating"] == 4.0 and rows["naver:1"]["helpful"] is None
    assert rows["naver:1"]["date"] == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert rows["naver:2"]["schema_version"] == 1 and rows["naver:2"]["ingested_at"].tzinfo is not None
    with pytest.raises(ValueError, match="unknown columns"):
        await lake.write("raw", "reviews", [_named("3", colour="red")])
    with pytest.raises(ValueError, match="schema version"):
        await lake.write("raw", "reviews", [_named("4", rating="five")])
    assert len(await lake.read("raw", "reviews")) == 2


async def test_upsert_keeps_one_row_per_key_across_runs_and_days(lake: ArrowLake, clock: Clock) -> None:
    await lake.upsert("curated", "reviews", [_named("1", text="v1"), _named("2", text="v1")])
    await lake.upsert("curated", "reviews", [_named("3", text="v1"), _named("3", text="v2")])  # last wins
    day_one = [p for p in all_files(lake) if "/curated/reviews/" in p]
    assert len(day_one) == 1  # a day's curated partition stays one file
    clock.day = date(2026, 11, 3)
    await lake.upsert("curated", "reviews", [_named("1", text="v3"), _named("9", source="demo")])
    rows = await lake.read("curated", "reviews")
    assert sorted(r["review_uid"] for r in rows) == ["demo:9", "naver:1", "naver:2", "naver:3"]
    by_uid = {r["review_uid"]: r for r in rows}
    assert (by_uid["naver:1"]["text"], by_uid["naver:1"]["dt"]) == ("v3", "2026-11-03")
    assert (by_uid["naver:2"]["dt"], by_uid["naver:3"]["text"]) == ("2026-11-02", "v2")
    table = hive(lake, "curated", "reviews").to_table()  # what Spark or DuckDB would see
    assert table.num_rows == 4 and len(set(table.column("review_uid").to_pylist())) == 4
    assert not [p for p in all_files(lake) if "_journal-" in p or "/." in p]
    with pytest.raises(ValueError, match="key"):
        await lake.upsert("raw", "notes", [{"source": "naver", "x": 1}])


async def test_compact_merges_small_files_and_drops_duplicate_keys(lake: ArrowLake, clock: Clock) -> None:
    for i in range(5):
        await lake.write("raw", "reviews", [_named(str(i)), _named(f"{i}b", source="demo")])
    before = await lake.read("raw", "reviews")
    result = await lake.compact("raw", "reviews")
    assert len(result.removed) == 10 and len(result.written) == 2
    assert len(all_files(lake)) == 2
    assert sorted(r["review_uid"] for r in await lake.read("raw", "reviews")) == sorted(
        r["review_uid"] for r in before
    )
    # Two writers that appended the same key (what upsert prevents) are repaired by compaction.
    await lake.write("curated", "reviews", [_named("1", text="old")])
    clock.day = date(2026, 11, 5)
    await lake.write("curated", "reviews", [_named("1", text="new"), _named("2")])
    result = await lake.compact("curated", "reviews")
    assert result.duplicates_dropped == 1
    rows = await lake.read("curated", "reviews")
    assert [(r["review_uid"], r["text"], r["dt"]) for r in rows] == [
        ("naver:1", "new", "2026-11-05"),
        ("naver:2", "좋아요", "2026-11-05"),
    ]
    assert (await lake.compact("curated", "reviews")).removed == []  # nothing left to do


async def test_an_interrupted_commit_is_rolled_forward(lake: ArrowLake) -> None:
    old = await lake.write("curated", "reviews", [_named("1", text="old")])
    new = await lake.write("curated", "reviews", [_named("2", text="new")])
    # A crash after the journal was written but before the old file was deleted:
    body = json.dumps({"delete": [full(old[0])]}).encode()
    lake.storage.put("curated/reviews", f"_journal-{uuid.uuid4().hex}.json", body)
    assert [r["review_uid"] for r in await lake.read("curated", "reviews")] == ["naver:2"]
    assert [r["review_uid"] for r in hive(lake, "curated", "reviews").to_table().to_pylist()] == [
        "naver:1",
        "naver:2",
    ]  # outside readers see the old file until the roll-forward
    await lake.upsert("curated", "reviews", [_named("3")])
    assert full(old[0]) not in all_files(lake) and not [p for p in all_files(lake) if "_journal-" in p]
    assert full(new[0]) not in all_files(lake)  # merged into today's single curated file
    assert sorted(r["review_uid"] for r in await lake.read("curated", "reviews")) == ["naver:2", "naver:3"]


async def test_mixed_and_nested_columns_round_trip(lake: ArrowLake) -> None:
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


async def test_concurrent_writes_get_distinct_files(lake: ArrowLake) -> None:
    batches = [[{"source": "naver", "n": i}] for i in range(8)]
    results = await asyncio.gather(*(lake.write("raw", "events", batch) for batch in batches))
    files = [f for result in results for f in result]
    assert len(set(files)) == 8
    assert sorted(r["n"] for r in await lake.read("raw", "events")) == list(range(8))


async def test_concurrent_upserts_of_one_source_never_duplicate(lake: ArrowLake) -> None:
    batches = [[_named(str(i % 3), text=f"run {i}")] for i in range(6)]
    await asyncio.gather(*(lake.upsert("curated", "reviews", batch) for batch in batches))
    rows = await lake.read("curated", "reviews")
    assert sorted(r["review_uid"] for r in rows) == ["naver:0", "naver:1", "naver:2"]


async def test_empty_write_and_missing_dataset(lake: ArrowLake) -> None:
    assert await lake.write("raw", "reviews", []) == []
    assert await lake.upsert("curated", "reviews", []) == []
    assert await lake.read("raw", "never-written") == []
    assert (await lake.compact("raw", "never-written")).written == []


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
async def test_unsafe_names_are_rejected(lake: ArrowLake, layer: str, dataset: str, source: Any) -> None:
    with pytest.raises(ValueError):
        await lake.write(layer, dataset, [{"source": source, "x": 1}])
    with pytest.raises(ValueError):
        await lake.upsert(layer, dataset, [{"source": source, "x": 1}], key="x")
    assert all_files(lake) == []


async def test_bad_rows_write_nothing(lake: ArrowLake) -> None:
    with pytest.raises(ValueError, match="source"):
        await lake.write("raw", "notes", [{"x": 1}])
    with pytest.raises(ValueError, match="dt"):
        await lake.write("raw", "notes", [{"source": "naver", "dt": "2026-01-01"}])
    with pytest.raises(ValueError, match="cannot store"):
        await lake.write("raw", "notes", [{"source": "naver", "x": 1}, {"source": "demo", "x": object()}])
    with pytest.raises(ValueError, match="aware and naive"):
        await lake.write(
            "raw",
            "notes",
            [
                {"source": "naver", "t": datetime(2026, 1, 1)},
                {"source": "naver", "t": datetime(2026, 1, 1, tzinfo=UTC)},
            ],
        )
    with pytest.raises(ValueError, match="unknown columns"):
        await lake.upsert("curated", "reviews", [_named("1"), _named("2", extra=1)])
    assert all_files(lake) == []


async def test_use_before_start_and_after_stop(make_lake: LakeFactory, clock: Clock) -> None:
    instance = make_lake(clock)
    with pytest.raises(RuntimeError):
        await instance.write("raw", "notes", [{"source": "naver", "x": 1}])
    with pytest.raises(RuntimeError):
        await instance.read("raw", "notes")
    await instance.start()
    await instance.write("raw", "notes", [{"source": "naver", "x": 1}])
    await instance.stop()
    with pytest.raises(RuntimeError):
        await instance.read("raw", "notes")
    with pytest.raises(RuntimeError):
        await instance.upsert("curated", "reviews", [_named("1")])


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
