"""The file lake: Parquet files on a local (or mounted) file system.

URL: a path, relative to the working directory (`.highpipe/lake`), or `file:///abs/path`
(`file://localhost/abs/path` too; `file://./x` is refused because it names a host ".").
Layout (hive partitions, readable by pyarrow.dataset, DuckDB, Polars and Spark without this module):

    <root>/<layer>/<dataset>/source=<source>/dt=<YYYY-MM-DD>/part-<32 hex>.parquet

- `layer` is `raw` or `curated`; `dataset` and every row's `source` must be safe path segments (letters,
  digits, `.`, `_`, `-`, starting with a letter or digit, at most 128 characters).
- `dt` is the ingest date in UTC (injectable `today` for tests). `source` and `dt` live only in the path,
  never inside the files (Spark refuses a column that is both), and `read()` adds them back.
- Named datasets (schema.py) have explicit versioned schemas; others infer column types (infer.py).
- Files appear atomically: written as `.part-<id>.parquet.tmp` (dot-prefixed, so dataset readers skip it),
  fsynced, then renamed. A batch spanning several sources is one file per source.
- `upsert` and `compact` rewrite files copy-on-write under a lock file in `<root>/.locks/` (core.py).
- Limits: `read()` loads a whole dataset into memory; it is meant for small datasets and tests (batch jobs
  read the files directly).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

from highpipe.adapters.lake.core import LAYERS, ArrowLake, check_name
from highpipe.adapters.lake.storage import LocalStorage

__all__ = ["LAYERS", "FileLake", "check_name", "root_from_url"]


def root_from_url(url: str) -> Path:
    """A lake path or `file:///abs/path` -> an absolute Path."""
    if url.startswith("file:"):
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost") or not parsed.path.startswith("/"):
            raise ValueError(
                f"lake URL {url!r}: a file URL must be absolute (file:///abs/path); "
                "write a relative lake as a plain path such as .highpipe/lake"
            )
        return Path(unquote(parsed.path))
    if "://" in url:
        raise ValueError(f"lake URL {url!r}: FileLake takes a path or a file:///abs/path URL")
    if not url:
        raise ValueError("lake URL is empty: set HIGHPIPE_LAKE_URL to a path such as .highpipe/lake")
    return Path(url).absolute()


class FileLake(ArrowLake):
    """Parquet files under a root folder; see the module docstring for the layout and type rules."""

    def __init__(self, root: str, *, today: Callable[[], date] | None = None) -> None:
        self._root = root_from_url(root)
        super().__init__(LocalStorage(self._root), today=today)

    @property
    def root(self) -> Path:
        return self._root
