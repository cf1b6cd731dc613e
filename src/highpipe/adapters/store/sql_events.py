"""Events and reports on SQL: the part of `SqlStore` (sql.py) that stores a job's event log and its report.

`append_event` numbers a job's events: it increments ``jobs.last_seq`` under the job's row lock, so seqs
are gapless and unique across processes, and a redelivered event (same content hash) is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from highpipe.adapters.store import codec
from highpipe.adapters.store.base import SqlBase
from highpipe.adapters.store.tables import events, jobs, reports
from highpipe.domain.events import Envelope, utcnow
from highpipe.domain.models import Report


class SqlEventStore(SqlBase):
    """Event log and reports of the Store port (mixed into SqlStore)."""

    # events

    async def append_event(self, event: Envelope) -> Envelope | None:
        """Store the event with the job's next seq; None if it was stored already. KeyError: no such job."""
        values = codec.event_values(event, seq=0)
        bump = (
            update(jobs)
            .where(jobs.c.job_id == event.job_id)
            .values(last_seq=jobs.c.last_seq + 1)
            .returning(jobs.c.last_seq)
        )
        seen = select(events.c.seq).where(
            events.c.job_id == event.job_id, events.c.dedupe_key == values["dedupe_key"]
        )
        try:
            async with self._tx() as conn:
                # The UPDATE takes the job's row lock first: appenders queue here, and the
                # duplicate check below then sees every event committed before ours.
                seq = (await conn.execute(bump)).scalar()
                if seq is None:
                    raise KeyError(event.job_id)
                if (await conn.execute(seen)).first() is not None:
                    raise _Duplicate
                values["seq"] = seq
                await conn.execute(events.insert().values(values))
        except (_Duplicate, IntegrityError):
            return None  # rolled back: the seq was not consumed
        return event.model_copy(update={"seq": seq})

    async def events_after(self, job_id: str, after: int = 0, limit: int = 10_000) -> list[Envelope]:
        stmt = (
            select(events)
            .where(events.c.job_id == job_id, events.c.seq > after)
            .order_by(events.c.seq)
            .limit(max(limit, 0))
        )
        async with self._tx() as conn:
            return [codec.event_from_row(row._mapping) for row in await conn.execute(stmt)]

    async def events_of_type(self, job_id: str, types: Sequence[str]) -> list[Envelope]:
        stmt = (
            select(events)
            .where(events.c.job_id == job_id, events.c.type.in_(list(types)))
            .order_by(events.c.seq)
        )
        async with self._tx() as conn:
            return [codec.event_from_row(row._mapping) for row in await conn.execute(stmt)]

    # reports

    async def save_report(self, report: Report) -> None:
        ins = self._insert(reports).values(codec.report_values(report, utcnow()))
        stmt = ins.on_conflict_do_update(
            index_elements=[reports.c.job_id],
            set_={"payload": ins.excluded.payload, "created_at": ins.excluded.created_at},
        )
        try:
            async with self._tx() as conn:
                await conn.execute(stmt)
        except IntegrityError as exc:
            raise KeyError(report.job_id) from exc

    async def get_report(self, job_id: str) -> Report | None:
        async with self._tx() as conn:
            payload = (
                await conn.execute(select(reports.c.payload).where(reports.c.job_id == job_id))
            ).scalar()
        return None if payload is None else Report.model_validate(payload)


class _Duplicate(Exception):
    """Internal: leave the transaction (rolling it back) because the event is already stored."""
