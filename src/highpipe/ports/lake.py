"""The lake port: append-only Parquet datasets, `<layer>/<dataset>/source=<site>/dt=<date>/part-*.parquet`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any


class Lake(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def write(self, layer: str, dataset: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        """Write rows (each with a `source` key) partitioned by source and ingest date; returns the files."""

    @abstractmethod
    async def read(self, layer: str, dataset: str) -> list[dict[str, Any]]:
        """Every row of a dataset (small datasets and tests)."""
