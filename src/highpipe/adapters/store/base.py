"""The engine lifecycle and transaction helper under SqlStore (see ``sql.py``, ``engine.py``).

The in-memory SQLite database lives on one shared connection (StaticPool), which two transactions
must not use at once: there every transaction holds an asyncio lock.

On PostgreSQL a lost or refused connection (server down, PgBouncer away, a connect or command timeout)
raises `StoreUnavailable`, a `TransientError`: the buses retry such a handler until the store is back,
and the API answers 503. SQLite errors stay as they are (a locked file is already waited out).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from highpipe.adapters.store.engine import is_memory, make_engine, parse_url, upgrade_schema
from highpipe.ports.bus import TransientError


class StoreUnavailable(TransientError):
    """The database cannot be reached right now (down, restarting, or too slow to answer)."""


def is_connection_error(exc: BaseException) -> bool:
    """Whether `exc` says the server is away rather than that the statement is wrong."""
    if isinstance(exc, DBAPIError):
        # SQLSTATE class 08 (connection exception) and 57P (shutting down, cannot connect now): what
        # PostgreSQL and PgBouncer answer while the server is away or restarting.
        state = str(getattr(exc.orig, "sqlstate", None) or "")
        return (
            bool(exc.connection_invalidated)
            or isinstance(exc, OperationalError | InterfaceError)
            or state.startswith(("08", "57P"))
        )
    # OSError covers refused connections and asyncio's TimeoutError (connect/command timeouts).
    return isinstance(exc, PoolTimeoutError | OSError | ConnectionError)


class SqlBase:
    """Engine lifecycle and transactions; SqlStore adds the port's methods."""

    def __init__(self, url: str, *, pool_size: int = 5, echo: bool = False) -> None:
        self._url = url
        self._pool_size = pool_size
        self._echo = echo
        parse_url(url)  # fail early (at bootstrap) on a URL we cannot use
        self._engine: AsyncEngine | None = None
        self._lock: asyncio.Lock | None = None

    async def start(self) -> None:
        if self._engine is not None:
            return
        engine = make_engine(self._url, pool_size=self._pool_size, echo=self._echo)
        try:
            await upgrade_schema(engine)
        except BaseException:
            await engine.dispose()
            raise
        self._lock = asyncio.Lock() if is_memory(parse_url(self._url)) else None
        self._engine = engine

    async def stop(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            await engine.dispose()

    @property
    def engine(self) -> AsyncEngine:
        """The running engine (for schema checks and maintenance tools); RuntimeError before start()."""
        if self._engine is None:
            raise RuntimeError("SqlStore used before start()")
        return self._engine

    async def healthy(self) -> bool:
        if self._engine is None:
            return False
        try:
            async with self._tx() as conn:
                return (await conn.execute(text("SELECT 1"))).scalar() == 1
        except Exception:
            return False

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed on success, rolled back on error."""
        engine = self._engine
        if engine is None:
            raise RuntimeError("SqlStore used before start()")
        if self._lock is None:
            try:
                async with engine.begin() as conn:
                    yield conn
            except StoreUnavailable:
                raise
            except Exception as exc:
                if engine.dialect.name == "postgresql" and is_connection_error(exc):
                    raise StoreUnavailable(f"the database is unavailable: {exc}") from exc
                raise
        else:
            async with self._lock, engine.begin() as conn:
                yield conn

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        assert self._engine is not None
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
