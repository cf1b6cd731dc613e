"""SqlWatchlist: the watchlist's rows in the store's SQL database (SQLite embedded, PostgreSQL at scale).

It shares the running `SqlStore`'s engine and transactions (so the in-memory SQLite database and its lock
are shared too); the `watchlist` table is created by migration 0003 at the store's `start()`.

The table is declared on the store's MetaData here. It belongs next to the others in ``tables.py``:
when it moves there, import it from there instead (the contract test compares the migrations with that
MetaData, so it must be registered before the comparison runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from highpipe.adapters.store.base import SqlBase
from highpipe.adapters.store.tables import watchlist
from highpipe.services.watchlist import NegativeShareAlert, WatchItem

_COLUMNS = (
    watchlist.c.watch_id,
    watchlist.c.url,
    watchlist.c.label,
    watchlist.c.created_at,
    watchlist.c.last_job_id,
    watchlist.c.last_refreshed_at,
    watchlist.c.last_negative_share,
    watchlist.c.last_reviews,
    watchlist.c.last_alert,
)


def _item(row: Mapping[Any, Any]) -> WatchItem:
    alert = row["last_alert"]
    return WatchItem(
        id=row["watch_id"],
        url=row["url"],
        label=row["label"],
        created_at=row["created_at"],
        last_job_id=row["last_job_id"],
        last_refreshed_at=row["last_refreshed_at"],
        last_negative_share=row["last_negative_share"],
        last_reviews=row["last_reviews"],
        last_alert=NegativeShareAlert.model_validate(alert) if alert else None,
    )


class SqlWatchlist:
    """The WatchlistRepo on a started SqlStore (or any SqlBase): ``SqlWatchlist(container.store)``."""

    def __init__(self, store: SqlBase) -> None:
        self._store = store

    async def add(self, item: WatchItem, url_key: str) -> bool:
        """Insert; False (nothing written) when the URL is tracked already."""
        values = {
            "watch_id": item.id,
            "url": item.url,
            "url_key": url_key,
            "label": item.label,
            "created_at": item.created_at,
        }
        stmt = self._store._insert(watchlist).values(values).on_conflict_do_nothing()
        async with self._store._tx() as conn:
            return bool((await conn.execute(stmt)).rowcount)

    async def get(self, watch_id: str) -> WatchItem | None:
        async with self._store._tx() as conn:
            row = (await conn.execute(select(*_COLUMNS).where(watchlist.c.watch_id == watch_id))).first()
        return None if row is None else _item(row._mapping)

    async def find_by_url_key(self, url_key: str) -> WatchItem | None:
        async with self._store._tx() as conn:
            row = (await conn.execute(select(*_COLUMNS).where(watchlist.c.url_key == url_key))).first()
        return None if row is None else _item(row._mapping)

    async def list(self, *, limit: int, offset: int) -> list[WatchItem]:
        stmt = (
            select(*_COLUMNS)
            .order_by(watchlist.c.created_at, watchlist.c.watch_id)
            .limit(max(limit, 0))
            .offset(max(offset, 0))
        )
        async with self._store._tx() as conn:
            return [_item(row._mapping) for row in await conn.execute(stmt)]

    async def remove(self, watch_id: str) -> bool:
        async with self._store._tx() as conn:
            result = await conn.execute(delete(watchlist).where(watchlist.c.watch_id == watch_id))
        return bool(result.rowcount)

    async def record(
        self,
        watch_id: str,
        *,
        job_id: str,
        at: datetime,
        negative_share: float,
        reviews: int,
        alert: NegativeShareAlert | None,
    ) -> WatchItem | None:
        stmt = (
            update(watchlist)
            .where(watchlist.c.watch_id == watch_id)
            .values(
                last_job_id=job_id,
                last_refreshed_at=at,
                last_negative_share=negative_share,
                last_reviews=reviews,
                last_alert=None if alert is None else alert.model_dump(mode="json"),
            )
            .returning(*_COLUMNS)
        )
        async with self._store._tx() as conn:
            row = (await conn.execute(stmt)).first()
        return None if row is None else _item(row._mapping)
