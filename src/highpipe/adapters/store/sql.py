"""SqlStore: the Store port on SQLAlchemy 2 async — SQLite embedded, PostgreSQL (asyncpg) at scale.

URL formats and per-backend limits are in ``engine.py``; the schema is in ``tables.py`` and is brought
up to date by the Alembic migrations in ``highpipe/migrations`` at ``start()``.

Concurrency: every write is a single statement or one short transaction that begins with a write, so
SQLite's single-writer lock is taken at once and PostgreSQL's row locks serialise writers across
processes (``append_event`` increments ``jobs.last_seq`` under the job's row lock, which makes event
seqs gapless and unique). Lifecycle and transactions are in ``base.py``; events and reports in
``sql_events.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from pydantic_core import to_jsonable_python
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from highpipe.adapters.store import codec, queries
from highpipe.adapters.store.sql_events import SqlEventStore
from highpipe.adapters.store.tables import (
    analyses,
    events,
    job_reviews,
    jobs,
    products,
    reports,
    review_aspects,
    review_emotions,
    reviews,
)
from highpipe.domain.events import utcnow
from highpipe.domain.jobs import ALLOWED, is_final
from highpipe.domain.models import Job, Product, Review, ReviewAnalysis
from highpipe.ports.store import ReviewFilter, ReviewRow, Store

# Fields that update_job may set: status goes through transition_job, the rest is owned by the store.
_PLAIN_FIELDS: Final = frozenset(codec.JOB_FIELDS) - {"job_id", "status", "created_at", "updated_at"}
# Rows (or IN-list values) per statement; SQLAlchemy batches multi-row VALUES below this itself.
_CHUNK: Final = 5_000


class SqlStore(SqlEventStore, Store):
    """The Store port on SQL; ``SqlStore(url, pool_size=5, echo=False)``, then ``await start()``."""

    # jobs

    async def create_job(self, job: Job) -> None:
        """Insert the job; creating the same job_id again is a no-op (redelivered commands)."""
        async with self._tx() as conn:
            stmt = self._insert(jobs).values(codec.job_values(job)).on_conflict_do_nothing()
            await conn.execute(stmt)

    async def get_job(self, job_id: str) -> Job | None:
        async with self._tx() as conn:
            row = (await conn.execute(select(*codec.JOB_COLUMNS).where(jobs.c.job_id == job_id))).first()
        return None if row is None else codec.job_from_row(row._mapping)

    async def list_jobs(self, *, limit: int = 50, offset: int = 0, q: str | None = None) -> list[Job]:
        stmt = select(*codec.JOB_COLUMNS).order_by(jobs.c.created_at.desc(), jobs.c.job_id.desc())
        if q:
            stmt = stmt.where(jobs.c.source.icontains(q, autoescape=True))
        async with self._tx() as conn:
            result = await conn.execute(stmt.limit(max(limit, 0)).offset(max(offset, 0)))
            return [codec.job_from_row(row._mapping) for row in result]

    async def _update_job(self, job_id: str, values: dict[str, Any]) -> Job | None:
        stmt = update(jobs).where(jobs.c.job_id == job_id).values(values).returning(*codec.JOB_COLUMNS)
        async with self._tx() as conn:
            row = (await conn.execute(stmt)).first()
            # Validated inside the transaction: a value the model rejects is rolled back.
            return None if row is None else codec.job_from_row(row._mapping)

    async def update_job(self, job_id: str, **fields: Any) -> Job:
        """Set plain fields; ValueError for status or unknown fields, KeyError if the job is unknown."""
        bad = set(fields) - _PLAIN_FIELDS
        if bad:
            raise ValueError(f"update_job cannot set {sorted(bad)} (use transition_job for status)")
        values = dict(fields)
        if "options" in values:
            values["options"] = to_jsonable_python(values["options"])
        values["updated_at"] = utcnow()
        job = await self._update_job(job_id, values)
        if job is None:
            raise KeyError(job_id)
        return job

    async def transition_job(
        self, job_id: str, status: str, *, reason: str | None = None, code: str | None = None
    ) -> Job | None:
        sources = sorted(src for src, targets in ALLOWED.items() if status in targets)
        if not sources:
            return None
        now = utcnow()
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if is_final(status):
            values["finished_at"] = now
        if status == "failed":
            values["failure_reason"] = reason
            values["failure_code"] = code
        # The state check is part of the UPDATE itself, so two racing transitions cannot both win.
        stmt = (
            update(jobs)
            .where(jobs.c.job_id == job_id, jobs.c.status.in_(sources))
            .values(values)
            .returning(*codec.JOB_COLUMNS)
        )
        async with self._tx() as conn:
            row = (await conn.execute(stmt)).first()
        return None if row is None else codec.job_from_row(row._mapping)

    async def add_job_counters(
        self, job_id: str, *, pages: int = 0, collected: int = 0, analyzed: int = 0
    ) -> Job:
        values = {
            "pages": jobs.c.pages + pages,
            "collected": jobs.c.collected + collected,
            "analyzed": jobs.c.analyzed + analyzed,
            "updated_at": utcnow(),
        }
        job = await self._update_job(job_id, values)
        if job is None:
            raise KeyError(job_id)
        return job

    async def mark_analyzed(self, job_id: str, review_uids: Sequence[str]) -> Job:
        uids = sorted(set(review_uids))
        async with self._tx() as conn:
            marked = 0
            for i in range(0, len(uids), _CHUNK):
                stmt = (
                    update(job_reviews)
                    .where(
                        job_reviews.c.job_id == job_id,
                        job_reviews.c.review_uid.in_(uids[i : i + _CHUNK]),
                        job_reviews.c.analyzed.is_(False),
                    )
                    .values(analyzed=True)
                )
                marked += (await conn.execute(stmt)).rowcount
            values = {"analyzed": jobs.c.analyzed + marked, "updated_at": utcnow()}
            stmt_job = (
                update(jobs).where(jobs.c.job_id == job_id).values(values).returning(*codec.JOB_COLUMNS)
            )
            row = (await conn.execute(stmt_job)).first()
            if row is None:
                raise KeyError(job_id)
            return codec.job_from_row(row._mapping)

    async def delete_job(self, job_id: str) -> bool:
        orphans = queries.orphan_review_uids(job_id)
        async with self._tx() as conn:
            for child in (review_aspects, review_emotions):
                await conn.execute(delete(child).where(child.c.review_uid.in_(orphans)))
            await conn.execute(delete(analyses).where(analyses.c.review_uid.in_(orphans)))
            await conn.execute(delete(reviews).where(reviews.c.review_uid.in_(orphans)))
            # Foreign keys cascade the rest too; explicit so that a SQLite connection without
            # PRAGMA foreign_keys (another tool) still leaves nothing behind.
            await conn.execute(delete(job_reviews).where(job_reviews.c.job_id == job_id))
            await conn.execute(delete(events).where(events.c.job_id == job_id))
            await conn.execute(delete(reports).where(reports.c.job_id == job_id))
            deleted = (await conn.execute(delete(jobs).where(jobs.c.job_id == job_id))).rowcount
        return deleted > 0

    # products and reviews

    async def upsert_product(self, product: Product) -> None:
        """Insert or refresh; a field the new record does not know (None) keeps its stored value."""
        ins = self._insert(products).values(codec.product_values(product, utcnow()))
        set_: dict[str, Any] = {
            name: func.coalesce(ins.excluded[name], products.c[name])
            for name in codec.PRODUCT_FIELDS
            if name != "product_id"
        }
        set_["updated_at"] = ins.excluded.updated_at
        async with self._tx() as conn:
            await conn.execute(ins.on_conflict_do_update(index_elements=[products.c.product_id], set_=set_))

    async def get_product(self, product_id: str) -> Product | None:
        async with self._tx() as conn:
            row = (await conn.execute(select(products).where(products.c.product_id == product_id))).first()
        return None if row is None else codec.product_from_row(row._mapping)

    async def upsert_reviews(self, job_id: str, reviews_: list[Review]) -> int:
        unique = list({r.review_uid: r for r in reviews_}.values())
        if not unique:
            async with self._tx() as conn:
                await self._require_job(conn, job_id)
            return 0
        now = utcnow()
        review_rows = [codec.review_values(r, now) for r in unique]
        link_rows = [{"job_id": job_id, "review_uid": r.review_uid} for r in unique]
        ins_reviews = self._insert(reviews).on_conflict_do_nothing(index_elements=[reviews.c.review_uid])
        # RETURNING reports exactly the links this call created, on every backend.
        ins_links = (
            self._insert(job_reviews)
            .on_conflict_do_nothing(index_elements=[job_reviews.c.job_id, job_reviews.c.review_uid])
            .returning(job_reviews.c.review_uid)
        )
        try:
            async with self._tx() as conn:
                await self._require_job(conn, job_id)
                linked = 0
                for start in range(0, len(unique), _CHUNK):
                    await conn.execute(ins_reviews, review_rows[start : start + _CHUNK])
                    result = await conn.execute(ins_links, link_rows[start : start + _CHUNK])
                    linked += len(result.all())
        except IntegrityError as exc:  # the job was deleted meanwhile
            raise KeyError(job_id) from exc
        return linked

    async def _require_job(self, conn: AsyncConnection, job_id: str) -> None:
        if (await conn.execute(select(jobs.c.job_id).where(jobs.c.job_id == job_id))).first() is None:
            raise KeyError(job_id)

    async def known_review_uids(self, product_id: str) -> set[str]:
        async with self._tx() as conn:
            result = await conn.execute(
                select(reviews.c.review_uid).where(reviews.c.product_id == product_id)
            )
            return set(result.scalars())

    async def upsert_analyses(self, analyses_: list[ReviewAnalysis]) -> None:
        # Last one wins within a batch: PostgreSQL refuses to update one row twice in a statement.
        unique = list({a.review_uid: a for a in analyses_}.values())
        if not unique:
            return
        now = utcnow()
        ins = self._insert(analyses)
        upsert = ins.on_conflict_do_update(
            index_elements=[analyses.c.review_uid],
            set_={name: ins.excluded[name] for name in analyses.c.keys() if name != "review_uid"},
        )
        # The filter indexes (aspects, emotions) are replaced whole with their analysis.
        children = (
            (review_aspects, [row for a in unique for row in codec.aspect_values(a)]),
            (review_emotions, [row for a in unique for row in codec.emotion_values(a)]),
        )
        async with self._tx() as conn:
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                await conn.execute(upsert, [codec.analysis_values(a, now) for a in chunk])
                uids = [a.review_uid for a in chunk]
                for table, _ in children:
                    await conn.execute(delete(table).where(table.c.review_uid.in_(uids)))
            for table, rows in children:
                for start in range(0, len(rows), _CHUNK):
                    await conn.execute(table.insert(), rows[start : start + _CHUNK])

    async def query_reviews(
        self, job_id: str, flt: ReviewFilter, *, page: int = 1, page_size: int = 50
    ) -> tuple[list[ReviewRow], int]:
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size start at 1")
        stmt = queries.review_rows(job_id, flt).limit(page_size).offset((page - 1) * page_size)
        async with self._tx() as conn:
            total = (await conn.execute(queries.review_count(job_id, flt))).scalar_one()
            rows = _review_rows((await conn.execute(stmt)).all())
        return rows, total

    async def job_rows(self, job_id: str) -> list[ReviewRow]:
        async with self._tx() as conn:
            return _review_rows((await conn.execute(queries.review_rows(job_id, ReviewFilter()))).all())


def _review_rows(rows: Sequence[Any]) -> list[ReviewRow]:
    return [
        ReviewRow(
            review=codec.review_from_row(row._mapping),
            analysis=codec.analysis_from_payload(row._mapping["payload"]),
        )
        for row in rows
    ]
