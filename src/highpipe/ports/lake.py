"""The lake port: Parquet datasets, `<layer>/<dataset>/source=<site>/dt=<date>/part-*.parquet`.

`raw` datasets are append-only (`write`); `curated` datasets keep one row per key (`upsert`). `flush` makes
buffered rows durable (a no-op for unbuffered lakes); `compact` merges small files. docs/lake.md is the
contract with the lake's other readers (Spark, DuckDB, Polars).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CompactionResult:
    """What one `compact` call did: files merged away, files written, duplicate rows dropped."""

    removed: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    duplicates_dropped: int = 0


class Lake(ABC):
    # True when writes are buffered into few large files (BufferedLake): per-event datasets such as
    # raw/job_events are only written to such a lake, never one file per event.
    batches_writes: bool = False

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None:
        """Flush what is buffered, then release the backend."""

    @abstractmethod
    async def write(self, layer: str, dataset: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        """Append rows (each with a `source` key) partitioned by source and ingest date.

        Returns the files written (empty when the rows were buffered for a later flush)."""

    @abstractmethod
    async def upsert(
        self, layer: str, dataset: str, rows: Sequence[dict[str, Any]], *, key: str | None = None
    ) -> list[str]:
        """Write rows so that each `key` value appears once per source: a newer row replaces older ones.

        `key` defaults to the dataset's schema key. Returns the files written (empty when buffered)."""

    @abstractmethod
    async def read(self, layer: str, dataset: str) -> list[dict[str, Any]]:
        """Every row of a dataset, with `source` and `dt` (small datasets and tests)."""

    @abstractmethod
    async def compact(
        self, layer: str, dataset: str, *, min_files: int = 2, source: str | None = None
    ) -> CompactionResult:
        """Merge small files per partition (and drop duplicate keys in keyed datasets)."""

    async def flush(self) -> list[str]:
        """Write whatever is buffered; returns the files written."""
        return []

    @abstractmethod
    def location(self, layer: str, dataset: str) -> str:
        """Where a dataset's folder is, for other readers: a local path or an `s3://bucket/key` URL."""
