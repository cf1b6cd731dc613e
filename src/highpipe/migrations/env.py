"""Alembic environment for the HighPipe store.

Two ways in:

- programmatic (``SqlStore.start()``): the caller passes an open connection in
  ``config.attributes["connection"]`` and owns its transaction;
- the ``alembic`` command (``alembic.ini`` at the repository root): the URL is ``-x url=...``, else
  ``sqlalchemy.url`` in the ini file, else ``HIGHPIPE_DATABASE_URL``, else the embedded default.
  ``--sql`` (offline) prints the DDL instead.

SQLite cannot ALTER most things, so migrations run in batch mode there (table copy-and-move).
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from highpipe.adapters.store.engine import make_engine, parse_url
from highpipe.adapters.store.tables import UtcDateTime, metadata

DEFAULT_URL = "sqlite+aiosqlite:///./.highpipe/highpipe.db"


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Keep generated migrations free of imports from the application (they must stay frozen).
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def _cli_url() -> str:
    x_args = context.get_x_argument(as_dictionary=True)
    url = x_args.get("url") or context.config.get_main_option("sqlalchemy.url")
    return url or os.environ.get("HIGHPIPE_DATABASE_URL") or DEFAULT_URL


def _migrate(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_async(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_migrate)
            await conn.commit()
    finally:
        await engine.dispose()


def main() -> None:
    if context.is_offline_mode():
        _configure(url=parse_url(_cli_url()), literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _migrate(connection)
        return
    if context.config.config_file_name is not None:
        # Only for the command line: the application configures its own logging.
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    asyncio.run(_migrate_async(_cli_url()))


main()
