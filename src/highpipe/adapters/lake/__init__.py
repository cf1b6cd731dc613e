"""Lake backends: `FileLake` (a path or file:///), `S3Lake` (s3://), and `BufferedLake` for batched writes.

`open_lake(url, ...)` is what bootstrap calls: the backend for the URL's scheme, wrapped in a BufferedLake
unless `flush_rows` is 0. Backends import lazily (pyarrow's S3 support loads only for s3:// URLs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from highpipe.ports.lake import Lake


def open_lake(url: str, *, flush_rows: int = 20_000, flush_s: float = 30.0, compact_files: int = 8) -> Lake:
    """The lake for `url` (a path, file:///abs/path or s3://bucket/prefix?...), batched unless flush_rows=0."""
    from highpipe.adapters.lake.buffered import BufferedLake
    from highpipe.adapters.lake.core import ArrowLake

    inner: ArrowLake
    if url.startswith("s3://"):
        from highpipe.adapters.lake.s3 import S3Lake

        inner = S3Lake(url)
    else:
        from highpipe.adapters.lake.parquet import FileLake

        inner = FileLake(url)
    if flush_rows <= 0:
        return inner
    return BufferedLake(inner, flush_rows=flush_rows, flush_s=flush_s, compact_files=compact_files)
