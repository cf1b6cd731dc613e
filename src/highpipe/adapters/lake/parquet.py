"""The file lake: append-only Parquet files on a local (or mounted) file system.

URL: a path, relative to the working directory (`.highpipe/lake`), or `file:///abs/path`
(`file://localhost/abs/path` too; `file://./x` is refused because it names a host ".").
Layout (hive partitions, readable by pyarrow.dataset, DuckDB and Spark without this module):

    <root>/<layer>/<dataset>/source=<source>/dt=<YYYY-MM-DD>/part-<uuid>.parquet

- `layer` is `raw` or `curated`; `dataset` and every row's `source` must be safe path segments (letters,
  digits, `.`, `_`, `-`, starting with a letter or digit, at most 128 characters).
- `dt` is the ingest date in UTC (injectable `today` for tests). `source` and `dt` live only in the path,
  never inside the files (Spark refuses a column that is both), and `read()` adds them back.
- Files appear atomically: written as `.part-<uuid>.parquet.tmp` (dot-prefixed, so dataset readers skip it),
  fsynced, then renamed. A batch spanning several sources is one file per source; if it fails half-way the
  files already renamed stay (the lake is append-only and its consumers are at-least-once anyway).
- Column types: one per column per file, from the values of that batch: bool, int64, float64 (ints mixed
  with floats), string, timestamp (aware values are stored in UTC; naive ones stay naive; mixing the two is
  an error), date32, binary. Lists, dicts and columns mixing types are stored as JSON text, marked with
  field metadata `highpipe.json=1`, and `read()` decodes them back; other readers see JSON strings.
  A column that is None in every row is a string column. Values inside JSON that JSON cannot hold
  (datetimes) are written as ISO-8601 text.
- Limits: `read()` loads a whole dataset into memory; it is meant for small datasets and tests (batch jobs
  read the files directly).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlparse

from highpipe.ports.lake import Lake

LAYERS: Final = frozenset({"raw", "curated"})
_SAFE_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_JSON_META: Final = {b"highpipe.json": b"1"}
_PARTITION_KEYS: Final = ("source", "dt")


def check_name(kind: str, name: object) -> str:
    """Return `name` if it is a safe single path segment, else raise ValueError."""
    if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise ValueError(
            f"unsafe lake {kind} name {name!r}: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (at most 128 characters, no '..')"
        )
    return name


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


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _kind(value: object) -> str:
    # bool before int (bool is an int), datetime before date (datetime is a date)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, datetime):
        return "aware" if value.utcoffset() is not None else "naive"
    if isinstance(value, date):
        return "date"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, list | tuple | dict):
        return "json"
    raise ValueError(f"the lake cannot store a value of type {type(value).__name__}")


def _column(name: str, values: list[Any]) -> tuple[Any, Any]:
    """(pyarrow field, pyarrow array) for one column of one file."""
    import pyarrow as pa

    kinds = {_kind(v) for v in values if v is not None}
    if kinds == {"aware", "naive"}:
        raise ValueError(f"column {name!r} mixes time-zone-aware and naive datetimes")
    simple = {
        frozenset(): pa.string(),
        frozenset({"bool"}): pa.bool_(),
        frozenset({"int"}): pa.int64(),
        frozenset({"float"}): pa.float64(),
        frozenset({"int", "float"}): pa.float64(),
        frozenset({"str"}): pa.string(),
        frozenset({"aware"}): pa.timestamp("us", tz="UTC"),
        frozenset({"naive"}): pa.timestamp("us"),
        frozenset({"date"}): pa.date32(),
        frozenset({"bytes"}): pa.binary(),
    }
    arrow_type = simple.get(frozenset(kinds))
    if arrow_type is None:
        encoded = [
            None if v is None else json.dumps(v, ensure_ascii=False, default=_json_default) for v in values
        ]
        return pa.field(name, pa.string(), metadata=_JSON_META), pa.array(encoded, type=pa.string())
    if kinds == {"aware"}:
        values = [None if v is None else v.astimezone(UTC) for v in values]
    try:
        array = pa.array(values, type=arrow_type)
    except (pa.ArrowInvalid, OverflowError) as exc:
        raise ValueError(f"column {name!r} cannot be stored as {arrow_type}: {exc}") from exc
    return pa.field(name, arrow_type), array


def _table(rows: Sequence[dict[str, Any]]) -> Any:
    import pyarrow as pa

    names: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in _PARTITION_KEYS:
                names.setdefault(key, None)
    if not names:
        raise ValueError("lake rows need at least one column besides 'source'")
    fields, arrays = [], []
    for name in names:
        field, array = _column(name, [row.get(name) for row in rows])
        fields.append(field)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(folder: Path, table: Any) -> Path:
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    name = f"part-{uuid.uuid4().hex}.parquet"
    temp = folder / f".{name}.tmp"
    final = folder / name
    try:
        with open(temp, "wb") as handle:
            pq.write_table(table, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)
    return final


def _read_file(path: Path, source: str, dt: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    json_columns = [f.name for f in table.schema if f.metadata and f.metadata.get(b"highpipe.json") == b"1"]
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        for name in json_columns:
            if row.get(name) is not None:
                row[name] = json.loads(row[name])
        row["source"] = source
        row["dt"] = dt
    return rows


class FileLake(Lake):
    """Parquet files under a root folder; see the module docstring for the layout and type rules."""

    def __init__(self, root: str, *, today: Callable[[], date] | None = None) -> None:
        self._root = root_from_url(root)
        self._today = today or _utc_today
        self._started = False

    @property
    def root(self) -> Path:
        return self._root

    async def start(self) -> None:
        await asyncio.to_thread(self._root.mkdir, parents=True, exist_ok=True)
        self._started = True

    async def stop(self) -> None:
        self._started = False

    def _dataset_dir(self, layer: str, dataset: str) -> Path:
        if not self._started:
            raise RuntimeError("FileLake used before start() (or after stop())")
        if layer not in LAYERS:
            raise ValueError(f"unknown lake layer {layer!r}: use one of {sorted(LAYERS)}")
        return self._root / layer / check_name("dataset", dataset)

    async def write(self, layer: str, dataset: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        base = self._dataset_dir(layer, dataset)
        groups: dict[str, list[dict[str, Any]]] = {}
        for index, row in enumerate(rows):
            if "source" not in row:
                raise ValueError(f"lake row {index} has no 'source' key")
            if "dt" in row:
                raise ValueError(f"lake row {index} has a 'dt' key: dt is the partition (the ingest date)")
            if not all(isinstance(key, str) for key in row):
                raise ValueError(f"lake row {index} has a column name that is not a string")
            groups.setdefault(check_name("source", row["source"]), []).append(row)
        if not groups:
            return []
        dt = self._today().isoformat()

        def work() -> list[str]:
            # Convert every group before writing any, so a bad value writes nothing at all.
            tables = {source: _table(group) for source, group in groups.items()}
            return [
                str(_write_file(base / f"source={source}" / f"dt={dt}", table))
                for source, table in tables.items()
            ]

        return await asyncio.to_thread(work)

    async def read(self, layer: str, dataset: str) -> list[dict[str, Any]]:
        base = self._dataset_dir(layer, dataset)
        return await asyncio.to_thread(self._read_all, base)

    @staticmethod
    def _read_all(base: Path) -> list[dict[str, Any]]:
        found: list[tuple[str, str, int, str, Path]] = []
        if not base.is_dir():
            return []
        for source_dir in base.glob("source=*"):
            source = source_dir.name.removeprefix("source=")
            for dt_dir in source_dir.glob("dt=*"):
                dt = dt_dir.name.removeprefix("dt=")
                for path in dt_dir.glob("part-*.parquet"):
                    found.append((dt, source, path.stat().st_mtime_ns, path.name, path))
        found.sort()  # oldest partitions first, then write order within a partition
        rows: list[dict[str, Any]] = []
        for dt, source, _, _, path in found:
            rows.extend(_read_file(path, source, dt))
        return rows
