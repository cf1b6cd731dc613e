"""The embedded warehouse: one DuckDB file (`duckdb:///.highpipe/warehouse.duckdb`, the default).

Limits: DuckDB lets one process write a file at a time, and a process that writes cannot also hold a
read-only connection to it; so each transaction opens the file, and `reader()` opens it read-only (analysts'
queries cannot write). While a batch job writes, a query from another process fails with DuckDB's lock error
(the CLI reports it): query between jobs, or use PostgreSQL for concurrent readers. `duckdb:///:memory:` keeps
one connection for the object's life (tests), and its reader is not read-only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from highpipe.warehouse.base import Conn, QueryResult, Warehouse
from highpipe.warehouse.url import WarehouseURL


class _DuckConn(Conn):
    def __init__(self, con: Any) -> None:
        self._con = con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = self._con.execute(sql, list(params))
        # DML answers one row holding its count; DDL answers nothing.
        try:
            row = cursor.fetchone()
        except Exception:  # statements without a result set
            return -1
        if row and len(row) == 1 and isinstance(row[0], int):
            return int(row[0])
        return -1

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._con.executemany(sql, [list(r) for r in rows])

    def fetch(self, sql: str, params: Sequence[Any] = (), limit: int | None = None) -> QueryResult:
        cursor = self._con.execute(sql, list(params))
        columns = [d[0] for d in cursor.description] if cursor.description else []
        if limit is None:
            return QueryResult(columns, [tuple(r) for r in cursor.fetchall()])
        rows = [tuple(r) for r in cursor.fetchmany(limit + 1)]
        return QueryResult(columns, rows[:limit], truncated=len(rows) > limit)

    def lock_versions(self, table: str) -> None:
        return None  # one writer process per file: DuckDB's own file lock serialises migrators


class DuckDBWarehouse(Warehouse):
    def __init__(self, url: WarehouseURL) -> None:
        super().__init__(url)
        self._memory: Any = None

    def _connect(self, *, read_only: bool) -> Any:
        import duckdb

        if self.url.path == ":memory:":
            if self._memory is None:
                self._memory = duckdb.connect(":memory:")
            return self._memory
        path = Path(self.url.path)
        if read_only and not path.exists():
            raise FileNotFoundError(
                f"no warehouse at {path}: run `highpipe warehouse migrate` or a batch job first "
                "(창고 파일이 없습니다)"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path), read_only=read_only)

    def _release(self, con: Any) -> None:
        if con is not self._memory:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[Conn]:
        con = self._connect(read_only=False)
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                yield _DuckConn(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            self._release(con)

    @contextmanager
    def reader(self) -> Iterator[Conn]:
        con = self._connect(read_only=True)
        try:
            yield _DuckConn(con)
        finally:
            self._release(con)

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
            self._memory = None
