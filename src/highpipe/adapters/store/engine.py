"""Engines for the SQL store, and bringing the schema to the latest migration at start-up.

URL formats:

- ``sqlite+aiosqlite:///./.highpipe/highpipe.db`` — a file; its folder is created. WAL journal,
  ``busy_timeout`` and foreign keys are set on every connection. One writer at a time (SQLite's limit):
  concurrent writers wait up to ``busy_timeout``.
- ``sqlite+aiosqlite://`` or ``sqlite+aiosqlite:///:memory:`` — in memory, one shared connection
  (StaticPool), gone at ``stop()``; the store serialises its use. For tests and throw-away runs.
- ``postgresql+asyncpg://user:pw@host:port/db`` — meant to go through PgBouncer in transaction mode, so
  asyncpg's statement caches are off and every prepared statement gets a unique name. Connecting waits
  at most 5 s, a free pooled connection 5 s, a statement 30 s.

Plain ``sqlite://`` and ``postgresql://`` are accepted and given their async driver.

``pool_status(engine)`` reads the connection pool's counters for the ``highpipe_db_pool_*`` gauges
(observability.py reads it at scrape time); an in-memory engine's single shared connection has none.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import QueuePool, StaticPool

SCRIPT_LOCATION: Final = "highpipe:migrations"
SQLITE_BUSY_TIMEOUT_MS: Final = 10_000
PG_CONNECT_TIMEOUT_S: Final = 5.0
PG_POOL_TIMEOUT_S: Final = 5.0
# Generous: a bulk upsert of a large job must fit; it only bounds a server that stopped answering.
PG_COMMAND_TIMEOUT_S: Final = 30.0
# Any constant will do: every HighPipe process takes the same transaction-scoped advisory lock so that
# two processes starting together do not both create the tables. (Session-scoped locks would not
# survive PgBouncer's transaction mode.)
_PG_MIGRATION_LOCK: Final = 0x48_49_47_48

_DRIVERS: Final = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def parse_url(url: str) -> URL:
    """The URL with its async driver; ValueError for anything this store cannot use."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise ValueError(f"not a database URL: {url!r}") from exc
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        known = "sqlite+aiosqlite:///path.db, sqlite+aiosqlite://, postgresql+asyncpg://user:pw@host/db"
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}; use one of: {known}")
    return parsed.set(drivername=driver)


def is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


def make_engine(url: str, *, pool_size: int = 5, echo: bool = False) -> AsyncEngine:
    parsed = parse_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        if is_memory(parsed):
            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        else:
            assert parsed.database is not None
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["pool_size"] = pool_size
        engine = create_async_engine(parsed, **kwargs)
        _install_sqlite_pragmas(engine, wal=not is_memory(parsed))
        return engine
    kwargs.update(
        pool_size=pool_size,
        pool_pre_ping=True,
        # Bounded waits: with the server away a request fails in seconds (503) instead of hanging.
        pool_timeout=PG_POOL_TIMEOUT_S,
        connect_args={
            "timeout": PG_CONNECT_TIMEOUT_S,
            "command_timeout": PG_COMMAND_TIMEOUT_S,
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": _unique_statement_name,
        },
    )
    return create_async_engine(parsed, **kwargs)


@dataclass(frozen=True)
class PoolStatus:
    """One look at a QueuePool: `size` permanent connections, up to `max_overflow` more on demand."""

    size: int
    max_overflow: int
    in_use: int  # checked out by a request or worker right now
    idle: int  # open and waiting in the pool
    overflow: int  # open beyond `size` right now (0..max_overflow)

    @property
    def capacity(self) -> int:
        """The most connections the pool opens; one more request waits up to the pool timeout."""
        return self.size + self.max_overflow


def pool_status(engine: AsyncEngine) -> PoolStatus | None:
    """The pool's counters, or None for a pool without them (StaticPool of an in-memory database)."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return None
    # QueuePool.overflow() counts from -size (no connection opened yet) upwards; only the part beyond
    # `size` is overflow. max_overflow has no public accessor; -1 (unbounded) is reported as 0.
    max_overflow = max(int(getattr(pool, "_max_overflow", 0)), 0)
    return PoolStatus(
        size=pool.size(),
        max_overflow=max_overflow,
        in_use=pool.checkedout(),
        idle=pool.checkedin(),
        overflow=max(pool.overflow(), 0),
    )


def _install_sqlite_pragmas(engine: AsyncEngine, *, wal: bool) -> None:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
            if wal:
                # WAL lets readers run while one connection writes; NORMAL sync is durable in WAL
                # except for the very last transactions on power loss.
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    event.listen(engine.sync_engine, "connect", on_connect)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the packaged migrations; with a connection, env.py migrates through it."""
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


# Alembic keeps the running migration in module globals (alembic.context, alembic.op), so two
# migrations must not interleave in one process; asyncio locks belong to one loop, hence one per loop.
_LOCAL_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


async def upgrade_schema(engine: AsyncEngine) -> None:
    """Run every migration not yet applied, as one transaction, one process at a time."""
    lock = _LOCAL_LOCKS.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock, engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        else:
            # Take SQLite's write lock before Alembic reads its version table, so that another
            # process starting on the same file waits (busy_timeout) and then finds the schema done.
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
        await conn.run_sync(_upgrade)
