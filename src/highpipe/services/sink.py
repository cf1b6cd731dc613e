"""The sink's use cases: make analyses and events durable, write the lake, and finish jobs.

- `record_event`: stores a `job.events` envelope (assigning its seq) and fans it out to live viewers.
- `handle_collected`: reviews to the lake: appended to `raw/reviews`, upserted by review_uid into
  `curated/reviews` (so re-running a job for the same product never duplicates curated rows).
- `handle_analyzed`: analyses to the store and upserted into the lake's `curated/review_analyses`; on the
  final batch, flushes the lake (a finished job's rows are durable there), builds the report and ends the
  job (completed, or failed with the collection's reason; a cancelled job keeps a partial report).
- Stored events go to the lake's `raw/job_events` when the lake batches writes (never one file per event).
Lake rows follow the explicit schemas of docs/lake.md: the sink picks their columns by name, so a field
added to a domain model reaches the lake only once the lake schema gains it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Final

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
from highpipe.domain.models import Review, ReviewAnalysis
from highpipe.observability import Metrics
from highpipe.ports.bus import Message
from highpipe.ports.cache import Cache
from highpipe.ports.lake import Lake
from highpipe.ports.llm import LLM
from highpipe.ports.store import Store
from highpipe.services.events import Emitter, live_channel

log = logging.getLogger(__name__)


_REVIEW_COLUMNS: Final = (
    "review_uid",
    "product_id",
    "site",
    "text",
    "rating",
    "title",
    "date",
    "author_hash",
    "author_display",
    "option",
    "helpful",
    "source_line",
)
_FINAL_EVENTS: Final = frozenset({"completed", "failed", "cancelled"})
_SITE_CACHE_MAX: Final = 10_000


def report_cache_key(job_id: str) -> str:
    return f"report:{job_id}"


def review_lake_row(review: Review, job_id: str) -> dict[str, Any]:
    """A row of the lake's raw/curated `reviews` datasets (schema version 1)."""
    dumped = review.model_dump()
    return {"source": review.site, **{c: dumped.get(c) for c in _REVIEW_COLUMNS}, "job_id": job_id}


def analysis_lake_row(
    analysis: ReviewAnalysis, job_id: str, product_id: str | None, site: str
) -> dict[str, Any]:
    """A row of the lake's `curated/review_analyses` dataset (schema version 1)."""
    return {
        "source": site,
        "review_uid": analysis.review_uid,
        "product_id": product_id,
        "job_id": job_id,
        "sentiment_label": analysis.sentiment.label,
        "sentiment_score": analysis.sentiment.score,
        "aspects": [
            {
                "aspect_id": m.aspect_id,
                "aspect": m.aspect,
                "polarity": m.polarity,
                "clause": m.clause,
                "score": m.score,
            }
            for m in analysis.aspects
        ],
        "emotions": list(analysis.emotions),
        "clauses": [
            {
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "sentiment_label": c.sentiment.label,
                "sentiment_score": c.sentiment.score,
            }
            for c in analysis.clauses
        ],
        "language": analysis.language,
        "model_version": analysis.model_version,
    }


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
    _sites: dict[str, str] = field(default_factory=dict)  # job_id -> site, for the lake's event partitions

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
            self.metrics.observe_event(stored)  # stage durations: only the sink sees both ends durably
        await self.cache.publish(live_channel(stored.job_id), json.dumps(stored.to_wire()).encode())
        if self.lake is not None and self.lake.batches_writes:
            row = {
                "source": await self._job_site(stored.job_id),
                "job_id": stored.job_id,
                "seq": stored.seq,
                "type": stored.type,
                "ts": stored.ts,
                "event_version": stored.version,
                "data": json.dumps(stored.data, ensure_ascii=False),
            }
            await self.lake.write("raw", "job_events", [row])
            if stored.type in _FINAL_EVENTS:
                self._sites.pop(stored.job_id, None)

    async def _job_site(self, job_id: str) -> str:
        """The site of the job's product (cached once known), else "unknown"."""
        site = self._sites.get(job_id)
        if site is None:
            job = await self.store.get_job(job_id)
            if job is None or not job.product_id:
                return "unknown"
            if len(self._sites) >= _SITE_CACHE_MAX:
                self._sites.clear()
            site = self._sites[job_id] = job.product_id.split(":", 1)[0]
        return site

    async def handle_collected(self, message: Message) -> None:
        msg = ReviewsCollected.model_validate(message.value)
        if self.lake is None:
            return
        # Titles and categories for the batch jobs' per-category aggregates: once per crawl, from the final
        # batch (every batch repeats the product; the final one always comes, with the product once known).
        if msg.final and msg.product is not None:
            product = {
                **msg.product.model_dump(mode="json"),
                "source": msg.product.site,
                "job_id": msg.job_id,
            }
            await self.lake.upsert("curated", "products", [product])
        if not msg.reviews:
            return
        rows = [review_lake_row(r, msg.job_id) for r in msg.reviews]
        await self.lake.write("raw", "reviews", rows)
        await self.lake.upsert("curated", "reviews", rows)

    async def handle_analyzed(self, message: Message) -> None:
        msg = ReviewsAnalyzed.model_validate(message.value)
        job = await self.store.get_job(msg.job_id)
        if job is None:
            return
        if msg.analyses:
            await self.store.upsert_analyses(msg.analyses)
            # Counted per review, not per message: a redelivered batch adds nothing.
            job = await self.store.mark_analyzed(msg.job_id, [a.review_uid for a in msg.analyses])
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
                rows = [analysis_lake_row(a, msg.job_id, job.product_id, site) for a in msg.analyses]
                await self.lake.upsert("curated", "review_analyses", rows)
        if msg.final:
            if self.lake is not None:
                await self.lake.flush()  # a finished job's rows are in the lake, not only in a buffer
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
