"""The warehouse interface shared by DuckDB and PostgreSQL/Redshift: migrations, queries and idempotent loads.

A backend provides connections (`Conn`: execute / executemany / fetch with `$1`-style parameters, which both
DuckDB and PostgreSQL accept) and transactions; everything else (migrations, per-partition replace, upserts,
the analysts' query runner) is written once here. Identifiers are never user input: table and column names
come from this package's constants and pass `check_identifier` before they are quoted into SQL; every value
travels as a bound parameter.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from highpipe.warehouse.migrations import COLUMNS, MIGRATIONS, VERSION_TABLE, seed_aspects, version_table_ddl
from highpipe.warehouse.url import WarehouseURL, check_identifier


@dataclass(frozen=True, slots=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class ParquetSource:
    """Parquet files (a glob) the warehouse reads itself: DuckDB only."""

    path: str


@dataclass(frozen=True, slots=True)
class TableSource:
    """A staging table in the warehouse's schema (written by Spark over JDBC, or by Redshift COPY)."""

    table: str


@dataclass(frozen=True, slots=True)
class RowsSource:
    """A few rows sent as bound parameters (small results: quality metrics, run records, dims)."""

    rows: Sequence[Sequence[Any]]


Source = ParquetSource | TableSource | RowsSource


@dataclass(frozen=True, slots=True)
class ReplacePartitions:
    """Delete every row whose `key` is in `values`, then insert `source` (whose rows must be in them)."""

    table: str
    key: str
    values: Sequence[Any]
    columns: Sequence[str]
    source: Source


@dataclass(frozen=True, slots=True)
class Upsert:
    """Delete the rows whose `keys` match a source row, then insert the source (DELETE + INSERT, no ON CONFLICT)."""

    table: str
    keys: Sequence[str]
    columns: Sequence[str]
    source: Source


Step = ReplacePartitions | Upsert


@dataclass
class LoadReport:
    deleted: dict[str, int] = field(default_factory=dict)
    inserted: dict[str, int] = field(default_factory=dict)


class Conn(ABC):
    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed (-1 when the backend does not say)."""

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def fetch(self, sql: str, params: Sequence[Any] = (), limit: int | None = None) -> QueryResult:
        """Rows of a query; at most `limit` of them, with `truncated` set when there were more."""

    @abstractmethod
    def lock_versions(self, table: str) -> None:
        """Serialise concurrent migrators (no-op where one process owns the file)."""


_CHANGED = re.compile(r"(\d+)\s*$")


def rows_changed(status: str) -> int:
    """Row count from a PostgreSQL command tag ("DELETE 3", "INSERT 0 5")."""
    match = _CHANGED.search(status or "")
    return int(match.group(1)) if match else -1


def _placeholders(start: int, count: int) -> str:
    return ", ".join(f"${i}" for i in range(start, start + count))


class Warehouse(ABC):
    """One warehouse (a DuckDB file or a PostgreSQL/Redshift schema); not thread-safe, open one per job."""

    def __init__(self, url: WarehouseURL) -> None:
        self.url = url

    @property
    def dialect(self) -> str:
        return self.url.dialect

    def qualify(self, name: str) -> str:
        return f'"{self.url.schema}"."{check_identifier("table", name)}"'

    def _with_schema(self, ddl: str) -> str:
        return ddl.format(s=f'"{self.url.schema}"')

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Conn]:
        """A connection inside one transaction: committed on success, rolled back on any error."""

    @abstractmethod
    def reader(self) -> AbstractContextManager[Conn]:
        """A read-only connection (DuckDB read_only file, PostgreSQL READ ONLY transaction)."""

    @abstractmethod
    def close(self) -> None: ...

    # ----- migrations -----

    def migrate(self) -> list[int]:
        """Apply the pending migrations (each in its own transaction); the versions applied now."""
        applied: list[int] = []
        with self.transaction() as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.url.schema}"')
            conn.execute(self._with_schema(version_table_ddl()))
        for migration in MIGRATIONS:
            with self.transaction() as conn:
                conn.lock_versions(self.qualify(VERSION_TABLE))
                done = conn.fetch(
                    f"SELECT version FROM {self.qualify(VERSION_TABLE)} WHERE version = $1",  # noqa: S608
                    [migration.version],
                )
                if done.rows:
                    continue
                for statement in migration.statements:
                    conn.execute(self._with_schema(statement))
                if self.dialect != "redshift":
                    for statement in migration.index_statements:
                        conn.execute(self._with_schema(statement))
                if migration.version == 1:
                    self._upsert(
                        conn,
                        Upsert(
                            "dim_aspect", ["aspect_id"], COLUMNS["dim_aspect"], RowsSource(seed_aspects())
                        ),
                    )
                conn.execute(
                    f"INSERT INTO {self.qualify(VERSION_TABLE)} (version, name, applied_at) VALUES ($1, $2, $3)",  # noqa: S608
                    [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
                )
                applied.append(migration.version)
        return applied

    def schema_version(self) -> int:
        """The newest applied migration (0 before the first)."""
        try:
            with self.reader() as conn:
                result = conn.fetch(f"SELECT max(version) FROM {self.qualify(VERSION_TABLE)}")  # noqa: S608
        except Exception:  # no version table yet (or no file): nothing applied
            return 0
        value = result.rows[0][0] if result.rows else None
        return int(value) if value is not None else 0

    # ----- queries -----

    def query(self, sql: str, params: Sequence[Any] = (), *, limit: int | None = None) -> QueryResult:
        """Run an analyst's query read-only (a write fails: the connection or transaction is read-only)."""
        with self.reader() as conn:
            return conn.fetch(sql, params, limit)

    # ----- loads -----

    def load(
        self, steps: Sequence[Step], *, then: Callable[[LoadReport], Sequence[Step]] | None = None
    ) -> LoadReport:
        """Run every step in ONE transaction, so readers see all of a job's partitions change at once.

        `then(report)` may add steps that depend on the counts so far; they commit in the same transaction.
        """
        report = LoadReport()
        with self.transaction() as conn:
            for step in steps:
                self._apply(conn, step, report)
            for step in then(report) if then else ():
                self._apply(conn, step, report)
        return report

    def _apply(self, conn: Conn, step: Step, report: LoadReport) -> None:
        if isinstance(step, ReplacePartitions):
            deleted = self._delete_keys(conn, step.table, step.key, step.values)
        else:
            deleted = self._delete_matching(conn, step)
        report.deleted[step.table] = report.deleted.get(step.table, 0) + deleted
        inserted = self._insert(conn, step.table, step.columns, step.source)
        report.inserted[step.table] = report.inserted.get(step.table, 0) + inserted

    def drop_tables(self, names: Sequence[str]) -> None:
        """Drop staging tables (after a load, or when it failed)."""
        with self.transaction() as conn:
            for name in names:
                conn.execute(f"DROP TABLE IF EXISTS {self.qualify(name)}")

    def _upsert(self, conn: Conn, step: Upsert) -> None:
        self._delete_matching(conn, step)
        self._insert(conn, step.table, step.columns, step.source)

    def _delete_keys(self, conn: Conn, table: str, key: str, values: Sequence[Any]) -> int:
        column = check_identifier("column", key)
        total = 0
        for start in range(0, len(values), 1000):  # bounded parameter lists (PostgreSQL allows 32767)
            chunk = list(values[start : start + 1000])
            sql = f'DELETE FROM {self.qualify(table)} WHERE "{column}" IN ({_placeholders(1, len(chunk))})'  # noqa: S608
            total += max(conn.execute(sql, chunk), 0)
        return total

    def _delete_matching(self, conn: Conn, step: Upsert) -> int:
        keys = [check_identifier("column", k) for k in step.keys]
        if isinstance(step.source, RowsSource):
            index = [list(step.columns).index(k) for k in keys]
            where = " AND ".join(f'"{k}" = ${i + 1}' for i, k in enumerate(keys))
            sql = f"DELETE FROM {self.qualify(step.table)} WHERE {where}"  # noqa: S608
            # Few rows (dims, seeds): one statement each, so the count is exact.
            return sum(max(conn.execute(sql, [row[i] for i in index]), 0) for row in step.source.rows)
        source, params = self._source_sql(step.source)
        match = " AND ".join(f'src."{k}" = {self.qualify(step.table)}."{k}"' for k in keys)
        sql = f"DELETE FROM {self.qualify(step.table)} WHERE EXISTS (SELECT 1 FROM {source} AS src WHERE {match})"  # noqa: S608
        return max(conn.execute(sql, params), 0)

    def _insert(self, conn: Conn, table: str, columns: Sequence[str], source: Source) -> int:
        names = ", ".join(f'"{check_identifier("column", c)}"' for c in columns)
        if isinstance(source, RowsSource):
            if source.rows:
                sql = f"INSERT INTO {self.qualify(table)} ({names}) VALUES ({_placeholders(1, len(columns))})"  # noqa: S608
                conn.executemany(sql, [list(r) for r in source.rows])
            return len(source.rows)
        from_sql, params = self._source_sql(source)
        sql = f"INSERT INTO {self.qualify(table)} ({names}) SELECT {names} FROM {from_sql} AS src"  # noqa: S608
        return max(conn.execute(sql, params), 0)

    def _source_sql(self, source: Source) -> tuple[str, list[Any]]:
        if isinstance(source, TableSource):
            return self.qualify(source.table), []
        if isinstance(source, ParquetSource):
            if self.dialect != "duckdb":
                raise ValueError(f"{self.dialect} cannot read Parquet files itself: stage them in a table")
            return "read_parquet($1)", [source.path]
        raise TypeError("rows are inserted with parameters, not selected")
