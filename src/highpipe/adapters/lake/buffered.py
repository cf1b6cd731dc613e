"""Batched lake writes: rows are buffered per dataset and written in few, large files.

`BufferedLake(inner)` wraps a FileLake or S3Lake. `write` and `upsert` validate the rows at once (a bad row
fails the caller, never a later flush) and buffer them as Arrow tables; a flush writes one file per
(dataset, source). It flushes when a dataset's buffer reaches `flush_rows`, when the oldest buffered row is
`flush_s` seconds old (a background task), on `flush()` (the sink calls it when a job ends) and on `stop()`.
After a flush, an appended partition holding `compact_files` files or more is compacted (upserts already keep
one file per partition per day).

Durability: rows are in memory until flushed, so a killed process (SIGKILL, OOM) loses at most the last
`flush_s` seconds of lake rows; the store stays the system of record. A flush that fails keeps the rows and
retries on the next tick; past `max_buffered_rows`, `write` raises (back-pressure: the bus redelivers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from highpipe.adapters.lake.core import ArrowLake, concat, dedup_last
from highpipe.adapters.lake.schema import spec_for
from highpipe.ports.lake import CompactionResult, Lake

log = logging.getLogger(__name__)

_APPEND: Final = ""


class LakeBufferFull(RuntimeError):
    """More rows are waiting than `max_buffered_rows`: the lake is not keeping up (or is down)."""


@dataclass
class _Buffer:
    layer: str
    dataset: str
    key: str  # "" for appends
    tables: dict[str, list[Any]] = field(default_factory=dict)  # source -> tables
    rows: int = 0
    since: float = 0.0


class BufferedLake(Lake):
    batches_writes = True

    def __init__(
        self,
        inner: ArrowLake,
        *,
        flush_rows: int = 20_000,
        flush_s: float = 30.0,
        compact_files: int = 8,
        max_buffered_rows: int = 500_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.flush_rows = flush_rows
        self.flush_s = flush_s
        self.compact_files = compact_files
        self.max_buffered_rows = max_buffered_rows
        self._clock = clock
        self._buffers: dict[tuple[str, str, str], _Buffer] = {}
        self._flush_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.files_written = 0

    @property
    def buffered_rows(self) -> int:
        return sum(b.rows for b in self._buffers.values())

    async def start(self) -> None:
        await self.inner.start()
        if self._task is None and self.flush_s > 0:
            self._task = asyncio.create_task(self._ticker(), name="lake-flush")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.flush()
        finally:
            await self.inner.stop()

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.flush_s))
            now = self._clock()
            due = [b for b in self._buffers.values() if b.rows and now - b.since >= self.flush_s]
            if due:
                try:
                    await self.flush()
                except Exception:  # the rows stay buffered; the next tick tries again
                    log.exception("lake flush failed; retrying in %.0fs", self.flush_s)

    async def _add(self, layer: str, dataset: str, key: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            self.inner.rel(layer, dataset)  # still checks the names and that the lake is started
            return
        if self.buffered_rows + len(rows) > self.max_buffered_rows:
            raise LakeBufferFull(
                f"{self.buffered_rows} lake rows wait for a flush; the lake is not keeping up"
            )
        tables = await asyncio.to_thread(self.inner.prepare, layer, dataset, rows)
        buffer = self._buffers.get((layer, dataset, key))
        if buffer is None:
            buffer = self._buffers[(layer, dataset, key)] = _Buffer(layer, dataset, key)
        if not buffer.rows:
            buffer.since = self._clock()
        for source, table in tables.items():
            buffer.tables.setdefault(source, []).append(table)
        buffer.rows += len(rows)
        if buffer.rows >= self.flush_rows:
            await self.flush()

    async def write(self, layer: str, dataset: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        await self._add(layer, dataset, _APPEND, rows)
        return []

    async def upsert(
        self, layer: str, dataset: str, rows: Sequence[dict[str, Any]], *, key: str | None = None
    ) -> list[str]:
        self.inner.rel(layer, dataset)
        await self._add(layer, dataset, self.inner.key_for(layer, dataset, key), rows)
        return []

    async def flush(self) -> list[str]:
        async with self._flush_lock:
            written: list[str] = []
            for ident in list(self._buffers):
                # Detached first: rows added while this one is written go to a fresh buffer, not lost with it.
                buffer = self._buffers.pop(ident)
                if not buffer.rows:
                    continue
                try:
                    files = await asyncio.to_thread(self._flush_one, buffer)
                except BaseException:
                    self._restore(ident, buffer)
                    raise
                written.extend(files)
                self.files_written += len(files)
            return written

    def _restore(self, ident: tuple[str, str, str], old: _Buffer) -> None:
        """Put back what a failed flush did not write, ahead of rows buffered since (write order kept)."""
        old.rows = sum(t.num_rows for pieces in old.tables.values() for t in pieces)
        newer = self._buffers.get(ident)
        if newer is not None:
            for source, pieces in newer.tables.items():
                old.tables[source] = [*old.tables.get(source, []), *pieces]
            old.rows += newer.rows
        self._buffers[ident] = old

    def _flush_one(self, buffer: _Buffer) -> list[str]:
        rel = self.inner.rel(buffer.layer, buffer.dataset)
        spec = spec_for(buffer.layer, buffer.dataset)
        written: list[str] = []
        for source, pieces in buffer.tables.items():
            if not pieces:
                continue  # written by an earlier, partly failed flush
            try:
                merged = concat(pieces, spec)
                groups = [merged]
            except Exception:  # schemaless batches whose inferred types differ: one file each
                groups = pieces
            for table in groups:
                if buffer.key:
                    written.extend(
                        self.inner.upsert_tables(rel, {source: dedup_last(table, buffer.key)}, buffer.key)
                    )
                else:
                    written.extend(self.inner.append_tables(rel, {source: table}))
            buffer.tables[source] = []  # a retry after a later source fails must not write this one twice
        if not buffer.key and self.compact_files > 1:
            from highpipe.adapters.lake.compaction import compact_dataset

            today = self.inner.today().isoformat()
            for source in buffer.tables:
                count = sum(1 for f in self.inner.live_files(rel, source) if f.dt == today)
                if count >= self.compact_files:
                    compact_dataset(self.inner, rel, spec, None, self.compact_files, source)
        return written

    async def read(self, layer: str, dataset: str) -> list[dict[str, Any]]:
        return await self.inner.read(layer, dataset)

    async def compact(
        self, layer: str, dataset: str, *, min_files: int = 2, source: str | None = None
    ) -> CompactionResult:
        return await self.inner.compact(layer, dataset, min_files=min_files, source=source)

    def location(self, layer: str, dataset: str) -> str:
        return self.inner.location(layer, dataset)
