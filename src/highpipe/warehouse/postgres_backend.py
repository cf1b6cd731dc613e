"""The warehouse at scale: a schema in PostgreSQL (or Redshift, same wire protocol), through asyncpg.

URL: `postgresql://user:pw@host:port/db?schema=analytics` (see url.py). The batch jobs are synchronous, so
this class drives asyncpg on a private event loop (in a worker thread when the caller already runs one).
Every connection disables asyncpg's statement cache, so PgBouncer in transaction mode works; tables are
always schema-qualified (PgBouncer refuses a `search_path` startup parameter). Migrators serialise on a
table lock of `warehouse_schema_version` (works on PostgreSQL and Redshift). Bulk rows do not travel through
here: Spark writes them over JDBC into a staging table, and `load()` moves them in one transaction.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from highpipe.warehouse.base import Conn, QueryResult, Warehouse, rows_changed
from highpipe.warehouse.url import WarehouseURL

T = TypeVar("T")


class _Loop:
    """A private event loop in a daemon thread: `run(coro)` works whether or not the caller has a loop."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="warehouse-pg", daemon=True)
        self._thread.start()

    def run(self, awaitable: Awaitable[T]) -> T:
        async def wrap() -> T:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wrap(), self._loop).result()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


class _PgConn(Conn):
    def __init__(self, loop: _Loop, con: Any) -> None:
        self._loop = loop
        self._con = con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return rows_changed(self._loop.run(self._con.execute(sql, *params)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._loop.run(self._con.executemany(sql, [tuple(r) for r in rows]))

    def fetch(self, sql: str, params: Sequence[Any] = (), limit: int | None = None) -> QueryResult:
        async def work() -> QueryResult:
            statement = await self._con.prepare(sql)
            columns = [a.name for a in statement.get_attributes()]
            if limit is None:
                records = await statement.fetch(*params)
                return QueryResult(columns, [tuple(r) for r in records])
            cursor = await statement.cursor(*params)
            records = await cursor.fetch(limit + 1)
            return QueryResult(columns, [tuple(r) for r in records[:limit]], truncated=len(records) > limit)

        return self._loop.run(work())

    def lock_versions(self, table: str) -> None:
        self.execute(f"LOCK TABLE {table}")  # no lock mode: Redshift's LOCK takes none


class PostgresWarehouse(Warehouse):
    def __init__(self, url: WarehouseURL) -> None:
        super().__init__(url)
        self._loop: _Loop | None = None

    def _running_loop(self) -> _Loop:
        if self._loop is None:
            self._loop = _Loop()
        return self._loop

    async def _connect(self) -> Any:
        import asyncpg  # type: ignore[import-untyped]

        ssl: Any = None
        if self.url.sslmode in ("require", "verify-ca", "verify-full", "prefer", "allow"):
            ssl = self.url.sslmode
        elif self.url.sslmode == "disable":
            ssl = False
        return await asyncpg.connect(
            host=self.url.host,
            port=self.url.port,
            user=self.url.user or None,
            password=self.url.password or None,
            database=self.url.database,
            ssl=ssl,
            statement_cache_size=0,
            timeout=30,
        )

    @contextmanager
    def _session(self, *, read_only: bool) -> Iterator[Conn]:
        loop = self._running_loop()
        con = loop.run(self._connect())
        try:
            loop.run(con.execute("BEGIN READ ONLY" if read_only else "BEGIN"))
            try:
                yield _PgConn(loop, con)
            except BaseException:
                loop.run(con.execute("ROLLBACK"))
                raise
            # A reader rolls back too: nothing to keep, and it never holds locks past the query.
            loop.run(con.execute("ROLLBACK" if read_only else "COMMIT"))
        finally:
            loop.run(con.close(timeout=10))

    def transaction(self) -> AbstractContextManager[Conn]:
        return self._session(read_only=False)

    def reader(self) -> AbstractContextManager[Conn]:
        return self._session(read_only=True)

    def close(self) -> None:
        if self._loop is not None:
            self._loop.close()
            self._loop = None
