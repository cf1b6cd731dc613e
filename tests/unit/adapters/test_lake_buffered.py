"""BufferedLake: few files from many small writes, flush triggers, validation up front, retry after failure."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from highpipe.adapters.lake import open_lake
from highpipe.adapters.lake.buffered import BufferedLake, LakeBufferFull
from highpipe.adapters.lake.parquet import FileLake


def _row(uid: str, source: str = "naver", text: str = "좋아요") -> dict[str, Any]:
    return {"source": source, "review_uid": f"{source}:{uid}", "site": source, "text": text}


def _parts(root: Path) -> list[Path]:
    return sorted(root.rglob("part-*.parquet"))


class Tick:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def inner(tmp_path: Path) -> FileLake:
    return FileLake(str(tmp_path / "lake"), today=lambda: date(2026, 11, 2))


async def test_many_small_writes_become_one_file_per_dataset_and_source(
    inner: FileLake, tmp_path: Path
) -> None:
    lake = BufferedLake(inner, flush_rows=10_000, flush_s=0)
    await lake.start()
    for i in range(50):
        assert await lake.write("raw", "reviews", [_row(str(i)), _row(str(i), source="demo")]) == []
        assert await lake.upsert("curated", "reviews", [_row(str(i % 10), text=f"v{i}")]) == []
    assert _parts(tmp_path) == [] and lake.buffered_rows == 150
    written = await lake.flush()
    assert len(written) == 3 and len(_parts(tmp_path)) == 3
    curated = {r["review_uid"]: r["text"] for r in await lake.read("curated", "reviews")}
    assert curated == {f"naver:{i}": f"v{40 + i}" for i in range(10)}  # the last write of each key wins
    assert len(await lake.read("raw", "reviews")) == 100
    await lake.stop()


async def test_flush_by_size_by_age_and_on_stop(inner: FileLake, tmp_path: Path) -> None:
    tick = Tick()
    lake = BufferedLake(inner, flush_rows=5, flush_s=0.05, clock=tick)
    await lake.start()
    await lake.write("raw", "reviews", [_row(str(i)) for i in range(5)])  # reaches flush_rows
    assert len(_parts(tmp_path)) == 1
    await lake.write("raw", "reviews", [_row("late")])
    await asyncio.sleep(0.15)
    assert len(_parts(tmp_path)) == 1  # not old enough yet by the injected clock
    tick.now = 1.0
    for _ in range(40):
        if len(_parts(tmp_path)) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(_parts(tmp_path)) == 2
    await lake.write("raw", "reviews", [_row("last")])
    await lake.stop()
    assert len(_parts(tmp_path)) == 3
    await inner.start()
    assert len(await inner.read("raw", "reviews")) == 7


async def test_bad_rows_fail_the_caller_not_the_flush(inner: FileLake) -> None:
    lake = BufferedLake(inner, flush_s=0)
    await lake.start()
    with pytest.raises(ValueError, match="unknown columns"):
        await lake.write("raw", "reviews", [_row("1"), {**_row("2"), "colour": "red"}])
    with pytest.raises(ValueError, match="unsafe"):
        await lake.upsert("curated", "../x", [_row("1")])
    assert lake.buffered_rows == 0
    await lake.stop()


async def test_a_failed_flush_keeps_the_rows_and_back_pressure_applies(
    inner: FileLake, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = BufferedLake(inner, flush_rows=1_000, flush_s=0, max_buffered_rows=4)
    await lake.start()
    await lake.write("raw", "reviews", [_row("1"), _row("2")])
    real_put = inner.storage.put

    def broken_put(*args: Any) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(inner.storage, "put", broken_put)
    with pytest.raises(OSError):
        await lake.flush()
    assert lake.buffered_rows == 2
    await lake.write("raw", "reviews", [_row("3"), _row("4")])
    with pytest.raises(LakeBufferFull):
        await lake.write("raw", "reviews", [_row("5")])
    monkeypatch.setattr(inner.storage, "put", real_put)
    assert len(await lake.flush()) == 1
    assert sorted(r["review_uid"] for r in await lake.read("raw", "reviews")) == [
        f"naver:{i}" for i in range(1, 5)
    ]
    await lake.stop()


async def test_appended_partitions_are_compacted_after_a_flush(inner: FileLake, tmp_path: Path) -> None:
    lake = BufferedLake(inner, flush_s=0, compact_files=4)
    await lake.start()
    for i in range(9):
        await lake.write("raw", "reviews", [_row(str(i))])
        await lake.flush()  # e.g. a job ending
        assert len(_parts(tmp_path)) < 4
    assert len(await lake.read("raw", "reviews")) == 9
    await lake.stop()


def test_open_lake_picks_the_backend(tmp_path: Path) -> None:
    buffered = open_lake(str(tmp_path / "lake"))
    assert isinstance(buffered, BufferedLake) and isinstance(buffered.inner, FileLake)
    assert buffered.batches_writes and not buffered.inner.batches_writes
    assert isinstance(open_lake((tmp_path / "lake").as_uri(), flush_rows=0), FileLake)
    s3 = open_lake("s3://bucket/prefix?region=eu-west-1")
    assert isinstance(s3, BufferedLake) and s3.location("raw", "reviews") == "s3://bucket/prefix/raw/reviews"


async def test_rows_added_while_a_flush_runs_are_kept(
    inner: FileLake, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    lake = BufferedLake(inner, flush_s=0)
    await lake.start()
    await lake.write("raw", "reviews", [_row("1")])
    entered, release = threading.Event(), threading.Event()
    real_put = inner.storage.put

    def slow_put(*args: Any) -> str:
        entered.set()
        release.wait(5)
        return real_put(*args)

    monkeypatch.setattr(inner.storage, "put", slow_put)
    flushing = asyncio.create_task(lake.flush())
    await asyncio.to_thread(entered.wait, 5)
    await lake.write("raw", "reviews", [_row("2")])  # lands while the first flush is writing
    release.set()
    assert len(await flushing) == 1
    assert lake.buffered_rows == 1
    await lake.stop()
    await inner.start()
    assert sorted(r["review_uid"] for r in await inner.read("raw", "reviews")) == ["naver:1", "naver:2"]
