"""Rows (dicts) to Arrow tables and back: inferred types for ad-hoc datasets, explicit ones for named datasets.

Inferred (datasets not in `schema.DATASETS`): one type per column per file, from the values of that batch:
bool, int64, float64 (ints mixed with floats), string, timestamp (aware values are stored in UTC; naive ones
stay naive; mixing the two is an error), date32, binary. Lists, dicts and columns mixing types are stored as
JSON text, marked with field metadata `highpipe.json=1`, and `to_rows` decodes them back; other readers see
JSON strings. A column that is None in every row is a string column. Values inside JSON that JSON cannot
hold (datetimes) are written as ISO-8601 text.

Explicit (named datasets): the schema of `schema.py`; `ingested_at` and `schema_version` are filled in when
absent, ISO-8601 text is accepted for timestamps, and an unknown column or a wrong type is a ValueError.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

from highpipe.adapters.lake.schema import DatasetSpec, arrow_schema

PARTITION_KEYS: Final = ("source", "dt")
_JSON_META: Final = {b"highpipe.json": b"1"}


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


def infer_table(rows: Sequence[dict[str, Any]]) -> Any:
    """A table whose column types are inferred from the values (datasets without a schema)."""
    import pyarrow as pa

    names: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in PARTITION_KEYS:
                names.setdefault(key, None)
    if not names:
        raise ValueError("lake rows need at least one column besides 'source'")
    fields, arrays = [], []
    for name in names:
        field, array = _column(name, [row.get(name) for row in rows])
        fields.append(field)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def conform_table(spec: DatasetSpec, rows: Sequence[dict[str, Any]], now: datetime) -> Any:
    """A table with exactly the dataset's schema (see the module docstring)."""
    import pyarrow as pa

    schema = arrow_schema(spec.qualified)
    known = set(schema.names)
    timestamps = [f.name for f in schema if pa.types.is_timestamp(f.type)]
    prepared: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        unknown = set(row) - known - set(PARTITION_KEYS)
        if unknown:
            raise ValueError(f"{spec.qualified} row {index}: unknown columns {sorted(unknown)}")
        out = {k: v for k, v in row.items() if k not in PARTITION_KEYS}
        out.setdefault("ingested_at", now)
        out.setdefault("schema_version", spec.version)
        for name in timestamps:
            value = out.get(name)
            if isinstance(value, str):
                try:
                    out[name] = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError as exc:
                    raise ValueError(
                        f"{spec.qualified} row {index}: {name}={value!r} is not ISO-8601"
                    ) from exc
            if isinstance(out.get(name), datetime) and out[name].utcoffset() is None:
                out[name] = out[name].replace(tzinfo=UTC)  # naive times in HighPipe are UTC
        prepared.append(out)
    try:
        return pa.Table.from_pylist(prepared, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        raise ValueError(
            f"{spec.qualified}: a row does not fit schema version {spec.version}: {exc}"
        ) from exc


def to_rows(table: Any, source: str, dt: str) -> list[dict[str, Any]]:
    """Python rows of a file's table, JSON columns decoded, with the partition values added back."""
    json_columns = [f.name for f in table.schema if f.metadata and f.metadata.get(b"highpipe.json") == b"1"]
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        for name in json_columns:
            if row.get(name) is not None:
                row[name] = json.loads(row[name])
        row["source"] = source
        row["dt"] = dt
    return rows
