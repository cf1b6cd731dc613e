"""The lake's logic over any `Storage`: append, copy-on-write upsert, read, and journalled commits.

Layout and rules are in docs/lake.md; `FileLake` (parquet.py) and `S3Lake` (s3.py) only choose the storage.

- `write` appends one file per source per call (in the ingest-date partition).
- `upsert` keeps one row per key per source: within the new rows the last one wins; today's small files of
  that source are merged with the new rows into one file (so a day's curated partition stays one file), and
  any older file holding one of the new keys is rewritten without those rows.
- Commits are crash-safe: new files are written first, then a journal `_journal-<id>.json` (hidden from
  dataset readers) names the files they replace, then those are deleted and the journal removed. A journal
  left by a crash is rolled forward by the next upsert or compaction; `read()` skips the files it names.
- A read-modify-write (upsert, compaction) holds a lock per (dataset, source): a thread lock, plus the
  storage's cross-process lock (a lock file on local disks; none on S3: one writer per dataset there).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, Final

from highpipe.adapters.lake.infer import PARTITION_KEYS, conform_table, infer_table, to_rows
from highpipe.adapters.lake.schema import DatasetSpec, arrow_schema, spec_for
from highpipe.adapters.lake.storage import Storage, StoredFile
from highpipe.ports.lake import CompactionResult, Lake

LAYERS: Final = frozenset({"raw", "curated"})
_SAFE_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
SMALL_FILE_BYTES: Final = 32 * 1024 * 1024
_KEY_CACHE_LIMIT: Final = (
    5_000_000  # cached key values (files are immutable, so a cache entry never goes stale)
)


def check_name(kind: str, name: object) -> str:
    """Return `name` if it is a safe single path segment, else raise ValueError."""
    if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise ValueError(
            f"unsafe lake {kind} name {name!r}: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (at most 128 characters, no '..')"
        )
    return name


def new_part_name() -> str:
    """`part-<32 hex>.parquet`, time-ordered (microseconds first) so names sort in write order."""
    return f"part-{time.time_ns() // 1000:014x}{secrets.token_hex(9)}.parquet"


def encode(table: Any) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def concat(tables: Sequence[Any], spec: DatasetSpec | None) -> Any:
    """One table from several files' tables (older schema versions gain the newer nullable columns)."""
    import pyarrow as pa

    merged = pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]
    if spec is not None:
        schema = arrow_schema(spec.qualified)
        merged = merged.select(schema.names).cast(schema)
    return merged


def dedup_last(table: Any, key: str) -> Any:
    """Keep the last row of each key (the newest, in write order)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if table.num_rows < 2:
        return table
    indexed = table.select([key]).append_column("__i", pa.array(range(table.num_rows), pa.int64()))
    last = indexed.group_by(key, use_threads=False).aggregate([("__i", "max")]).column("__i_max")
    return table.take(pc.take(last, pc.sort_indices(last)))  # in original order


class ArrowLake(Lake):
    def __init__(
        self,
        storage: Storage,
        *,
        today: Callable[[], date] | None = None,
        now: Callable[[], datetime] | None = None,
        small_file_bytes: int = SMALL_FILE_BYTES,
    ) -> None:
        self.storage = storage
        self._now = now or (lambda: datetime.now(UTC))
        self._today = today or (lambda: self._now().astimezone(UTC).date())
        self.small_file_bytes = small_file_bytes
        self._started = False
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._keys: dict[str, Any] = {}
        self._keys_size = 0

    def today(self) -> date:
        """The ingest-date partition that writes go to now (UTC)."""
        return self._today()

    async def start(self) -> None:
        await asyncio.to_thread(self.storage.ensure_root)
        self._started = True

    async def stop(self) -> None:
        self._started = False

    def rel(self, layer: str, dataset: str) -> str:
        if not self._started:
            raise RuntimeError(f"{type(self).__name__} used before start() (or after stop())")
        if layer not in LAYERS:
            raise ValueError(f"unknown lake layer {layer!r}: use one of {sorted(LAYERS)}")
        return f"{layer}/{check_name('dataset', dataset)}"

    def location(self, layer: str, dataset: str) -> str:
        if layer not in LAYERS:
            raise ValueError(f"unknown lake layer {layer!r}: use one of {sorted(LAYERS)}")
        return self.storage.uri(self.storage.full(f"{layer}/{check_name('dataset', dataset)}"))

    # -- turning rows into per-source tables (validation happens here: a bad row writes nothing) --

    def prepare(self, layer: str, dataset: str, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """{source: table} for rows; raises ValueError before anything is written."""
        self.rel(layer, dataset)
        spec = spec_for(layer, dataset)
        groups: dict[str, list[dict[str, Any]]] = {}
        for index, row in enumerate(rows):
            if "source" not in row:
                raise ValueError(f"lake row {index} has no 'source' key")
            if "dt" in row:
                raise ValueError(f"lake row {index} has a 'dt' key: dt is the partition (the ingest date)")
            if not all(isinstance(k, str) for k in row):
                raise ValueError(f"lake row {index} has a column name that is not a string")
            groups.setdefault(check_name("source", row["source"]), []).append(row)
        now = self._now()
        return {
            source: conform_table(spec, group, now) if spec else infer_table(group)
            for source, group in groups.items()
        }

    def key_for(self, layer: str, dataset: str, key: str | None) -> str:
        spec = spec_for(layer, dataset)
        chosen = key or (spec.key if spec else None)
        if not chosen or chosen in PARTITION_KEYS:
            raise ValueError(f"upsert into {layer}/{dataset} needs a key column (the dataset has none)")
        return chosen

    # -- the Lake port --

    async def write(self, layer: str, dataset: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        rel = self.rel(layer, dataset)
        if not rows:
            return []
        tables = await asyncio.to_thread(self.prepare, layer, dataset, rows)
        return await asyncio.to_thread(self.append_tables, rel, tables)

    async def upsert(
        self, layer: str, dataset: str, rows: Sequence[dict[str, Any]], *, key: str | None = None
    ) -> list[str]:
        rel = self.rel(layer, dataset)
        chosen = self.key_for(layer, dataset, key)
        if not rows:
            return []
        tables = await asyncio.to_thread(self.prepare, layer, dataset, rows)
        return await asyncio.to_thread(self.upsert_tables, rel, tables, chosen)

    async def read(self, layer: str, dataset: str) -> list[dict[str, Any]]:
        rel = self.rel(layer, dataset)
        return await asyncio.to_thread(self._read_all, rel)

    async def compact(
        self, layer: str, dataset: str, *, min_files: int = 2, source: str | None = None
    ) -> CompactionResult:
        from highpipe.adapters.lake.compaction import compact_dataset

        rel = self.rel(layer, dataset)
        spec = spec_for(layer, dataset)
        key = spec.key if spec and layer == "curated" else None
        return await asyncio.to_thread(compact_dataset, self, rel, spec, key, min_files, source)

    # -- synchronous work (run in a thread) --

    def append_tables(self, rel: str, tables: dict[str, Any]) -> list[str]:
        dt = self.today().isoformat()
        return [
            self.storage.uri(self.storage.put(f"{rel}/source={s}/dt={dt}", new_part_name(), encode(t)))
            for s, t in tables.items()
            if t.num_rows
        ]

    def read_table(self, file: StoredFile, columns: list[str] | None = None) -> Any:
        import pyarrow.parquet as pq

        # ParquetFile, not read_table: a file path read as a dataset would grow source/dt columns.
        with self.storage.filesystem.open_input_file(file.path) as handle:
            return pq.ParquetFile(handle).read(columns=columns)

    def key_column(self, file: StoredFile, key: str) -> Any:
        cache_id = f"{file.path}\0{key}"
        cached = self._keys.get(cache_id)
        if cached is None:
            cached = self.read_table(file, [key]).column(key).combine_chunks()
            if self._keys_size + len(cached) <= _KEY_CACHE_LIMIT:
                self._keys[cache_id] = cached
                self._keys_size += len(cached)
        return cached

    def forget(self, files: Sequence[StoredFile]) -> None:
        gone = {f.path for f in files}
        for cache_id in [c for c in self._keys if c.split("\0", 1)[0] in gone]:
            self._keys_size -= len(self._keys.pop(cache_id))

    def live_files(self, rel: str, source: str | None = None) -> list[StoredFile]:
        """Data files (of one source, or all), after rolling forward any journal a crashed commit left."""
        files, journals = self.storage.list_dataset(rel, source)
        if journals:
            pending = self.storage.pending_deletes(journals)
            self.storage.delete(sorted(pending))
            self.storage.delete(journals)
            files = [f for f in files if f.path not in pending]
        return files

    def commit(self, rel: str, replaced: Sequence[StoredFile]) -> None:
        """Delete files that newly written files replace, through a journal (see the module docstring)."""
        if not replaced:
            return
        body = json.dumps({"delete": [f.path for f in replaced]}).encode()
        journal = self.storage.put(rel, f"_journal-{secrets.token_hex(16)}.json", body)
        self.storage.delete([f.path for f in replaced])
        self.storage.delete([journal])
        self.forget(replaced)

    @contextmanager
    def locked(self, rel: str, source: str) -> Iterator[None]:
        name = f"{rel}/{source}"
        with self._locks_guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock, self.storage.lock(name):
            yield

    def upsert_tables(self, rel: str, tables: dict[str, Any], key: str) -> list[str]:
        import pyarrow.compute as pc

        layer, dataset = rel.split("/", 1)
        spec = spec_for(layer, dataset)
        written: list[str] = []
        dt = self.today().isoformat()
        for source, new in tables.items():
            if not new.num_rows:
                continue
            new = dedup_last(new, key)
            new_keys = new.column(key).combine_chunks()
            with self.locked(rel, source):
                replaced: list[StoredFile] = []
                pieces = []
                for file in self.live_files(rel, source):
                    small_today = file.dt == dt and file.size < self.small_file_bytes
                    if not small_today and not pc.any(pc.is_in(self.key_column(file, key), new_keys)).as_py():
                        continue
                    table = self.read_table(file)
                    kept = table.filter(pc.invert(pc.is_in(table.column(key), new_keys)))
                    replaced.append(file)
                    if small_today:
                        pieces.append(kept)
                    elif kept.num_rows:
                        part = f"{rel}/source={source}/dt={file.dt}"
                        written.append(self.storage.put(part, new_part_name(), encode(concat([kept], spec))))
                merged = concat([*pieces, new], spec)
                written.append(
                    self.storage.put(f"{rel}/source={source}/dt={dt}", new_part_name(), encode(merged))
                )
                self.commit(rel, replaced)
        return [self.storage.uri(w) for w in written]

    def _read_all(self, rel: str) -> list[dict[str, Any]]:
        files, journals = self.storage.list_dataset(rel)
        pending = self.storage.pending_deletes(journals) if journals else set()
        rows: list[dict[str, Any]] = []
        for file in files:
            if file.path not in pending:
                rows.extend(to_rows(self.read_table(file), file.source, file.dt))
        return rows
