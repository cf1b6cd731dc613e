"""The sink's use cases: make analyses and events durable, write the lake, and finish jobs.

- `record_event`: stores a `job.events` envelope (assigning its seq) and fans it out to live viewers.
- `handle_collected`: raw reviews to the lake.
- `handle_analyzed`: analyses to the store and lake; on the final batch, builds the report and ends the
  job (completed, or failed with the collection's reason; a cancelled job keeps a partial report).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from highpipe.analysis.llm_summary import llm_summary
from highpipe.analysis.report import build_report
from highpipe.domain.events import (
    CompletedData,
    Envelope,
    ProgressData,
    ReviewsAnalyzed,
    ReviewsCollected,
    StageData,
)
from highpipe.domain.jobs import is_final
from highpipe.observability import Metrics
from highpipe.ports.bus import Message
from highpipe.ports.cache import Cache
from highpipe.ports.lake import Lake
from highpipe.ports.llm import LLM
from highpipe.ports.store import Store
from highpipe.services.events import Emitter, live_channel

log = logging.getLogger(__name__)


def report_cache_key(job_id: str) -> str:
    return f"report:{job_id}"


@dataclass
class SinkService:
    store: Store
    cache: Cache
    lake: Lake | None
    emitter: Emitter
    base_url: str
    min_mentions: int = 3
    metrics: Metrics | None = None
    llm: LLM | None = None

    async def record_event(self, message: Message) -> None:
        envelope = Envelope.model_validate(message.value)
        envelope.parsed()  # a malformed event fails here and, after retries, goes to dead-letter
        try:
            stored = await self.store.append_event(envelope)
        except KeyError:
            return  # the job was deleted meanwhile
        if stored is None:
            return  # a redelivered event that is already stored
        if self.metrics:
            self.metrics.events_recorded.labels(stored.type).inc()
        await self.cache.publish(live_channel(stored.job_id), json.dumps(stored.to_wire()).encode())

    async def handle_collected(self, message: Message) -> None:
        msg = ReviewsCollected.model_validate(message.value)
        if self.lake is None or not msg.reviews:
            return
        rows: list[dict[str, Any]] = [
            {**r.model_dump(mode="json"), "source": r.site, "job_id": msg.job_id} for r in msg.reviews
        ]
        await self.lake.write("raw", "reviews", rows)

    async def handle_analyzed(self, message: Message) -> None:
        msg = ReviewsAnalyzed.model_validate(message.value)
        job = await self.store.get_job(msg.job_id)
        if job is None:
            return
        if msg.analyses:
            await self.store.upsert_analyses(msg.analyses)
            job = await self.store.add_job_counters(msg.job_id, analyzed=len(msg.analyses))
            await self.emitter.emit(
                msg.job_id,
                ProgressData(
                    pages=job.pages,
                    collected=job.collected,
                    analyzed=job.analyzed,
                    total_estimate=job.total_estimate,
                    rate_per_s=0.0,
                ),
            )
            if self.lake is not None:
                site = job.product_id.split(":", 1)[0] if job.product_id else "unknown"
                rows = [
                    {**a.model_dump(mode="json"), "source": site, "job_id": msg.job_id} for a in msg.analyses
                ]
                await self.lake.write("curated", "review_analyses", rows)
        if msg.final:
            await self._finalize(msg)

    async def _finalize(self, msg: ReviewsAnalyzed) -> None:
        job_id = msg.job_id
        job = await self.store.get_job(job_id)
        if job is None:
            return
        # A cancelled job keeps a report of what it has, silently: `cancelled` stays its last event.
        live = not is_final(job.status)
        if live:
            await self.emitter.emit(job_id, StageData(stage="analyze", state="finished"))
            await self.emitter.emit(job_id, StageData(stage="report", state="started"))
        product = await self.store.get_product(job.product_id) if job.product_id else None
        rows = [(r.review, r.analysis) for r in await self.store.job_rows(job_id)]
        skipped = job.options.get("skipped_rows")
        report = build_report(
            job_id,
            product,
            rows,
            min_mentions=self.min_mentions,
            skipped_rows=list(skipped) if isinstance(skipped, list) else None,
            new_reviews=_new_reviews(job.options),
        )
        if self.llm is not None and report.cards:  # never raises: falls back to the extractive summary
            report = report.model_copy(update={"summary": await llm_summary(self.llm, report, deadline_s=30)})
        await self.store.save_report(report)
        await self.cache.delete(report_cache_key(job_id))
        if not live:
            return
        await self.emitter.emit(job_id, StageData(stage="report", state="finished"))
        if msg.failure is not None:
            if await self.store.transition_job(
                job_id, "failed", reason=msg.failure.reason, code=msg.failure.code
            ):
                await self.emitter.emit(job_id, msg.failure)
        elif await self.store.transition_job(job_id, "completed"):
            await self.emitter.emit(job_id, CompletedData(report_url=f"/api/analyses/{job_id}/report"))
        if self.metrics:
            final = await self.store.get_job(job_id)
            if final is not None:
                self.metrics.job_transitions.labels(final.status).inc()


def _new_reviews(options: dict[str, Any]) -> int | None:
    """How many reviews the crawl found that earlier jobs had not (set by the crawl worker)."""
    value = options.get("new_reviews")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
