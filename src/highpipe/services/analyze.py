"""The analysis worker's use case: analyse collected batches, publish the analyses, update the cards live.

Cards are built incrementally per job; a worker that takes over a job mid-way (after a crash or a
rebalance) first rebuilds the job's cards from what the store already holds.

Live card updates go out at most every `card_interval_s` (0.3 s), and less often as the job grows (one
more second per `card_reviews_per_s` reviews seen, 4,000 by default): every update is one stored event
per changed card, so a 20k-review job at a fixed 0.3 s stored thousands of card events, and the sink's
writes of them became the analysis path's bottleneck (bench/bus_throughput.py). The final cards always
go out, complete.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from highpipe.analysis.cards import CardBuilder
from highpipe.domain.events import (
    TOPIC_ANALYZED,
    ReviewsAnalyzed,
    ReviewsCollected,
    StageData,
)
from highpipe.domain.jobs import is_final
from highpipe.observability import Metrics
from highpipe.ports.analyzer import Analyzer
from highpipe.ports.bus import Bus, Message
from highpipe.ports.store import Store
from highpipe.services.events import Emitter

log = logging.getLogger(__name__)


@dataclass
class _JobState:
    builder: CardBuilder
    last_cards: float = 0.0
    seen: set[str] = field(default_factory=set)


@dataclass
class AnalyzeService:
    store: Store
    bus: Bus
    emitter: Emitter
    analyzer: Analyzer
    batch_size: int = 200
    min_mentions: int = 3
    metrics: Metrics | None = None
    card_interval_s: float = 0.3
    card_reviews_per_s: int = 4_000  # the interval grows 1 s per this many reviews seen (20k: 5 s)
    _jobs: dict[str, _JobState] = field(default_factory=dict)
    # One analyzer (its Kiwi instance) must not run in two threads at once; partitions are consumed
    # concurrently, so their batches take turns here.
    _analyzer_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def _state(self, job_id: str, batch: int) -> _JobState:
        state = self._jobs.get(job_id)
        if state is None:
            state = _JobState(CardBuilder(min_mentions=self.min_mentions))
            if batch == 0:
                await self.emitter.emit(job_id, StageData(stage="analyze", state="started"))
            else:  # taking over mid-job: seed the cards with what is already analysed; they are all sent
                # again with the next batch (a card event replaces the earlier one with the same id)
                await self._add_stored(job_id, state)
            self._jobs[job_id] = state  # only once complete: a failed seeding is retried whole
        return state

    async def _add_stored(self, job_id: str, state: _JobState) -> None:
        """Add the job's stored analyses this builder has not seen (a takeover, or the reviews a
        re-crawl linked from an earlier analysis of the product without sending them again)."""
        for row in await self.store.job_rows(job_id):
            if row.analysis is not None and row.review.review_uid not in state.seen:
                state.builder.add(row.review, row.analysis)
                state.seen.add(row.review.review_uid)

    async def handle(self, message: Message) -> None:
        msg = ReviewsCollected.model_validate(message.value)
        job = await self.store.get_job(msg.job_id)
        if job is None:
            self._jobs.pop(msg.job_id, None)
            return
        state = await self._state(msg.job_id, msg.batch)
        analyses = []
        if msg.reviews and job.status != "cancelled":
            for start in range(0, len(msg.reviews), self.batch_size):
                chunk = msg.reviews[start : start + self.batch_size]
                t0 = time.perf_counter()
                async with self._analyzer_lock:
                    result = await asyncio.to_thread(self.analyzer.analyze, chunk)
                if self.metrics:
                    self.metrics.analysis_seconds.observe(time.perf_counter() - t0)
                    self.metrics.reviews_analyzed.inc(len(chunk))
                for review, analysis in zip(chunk, result, strict=True):
                    state.builder.add(review, analysis)
                    state.seen.add(review.review_uid)
                analyses.extend(result)
        out = ReviewsAnalyzed(
            job_id=msg.job_id, batch=msg.batch, analyses=analyses, final=msg.final, failure=msg.failure
        )
        # Mid-job the analyses go out before the cards that count them, so they are stored first; on the
        # final batch the cards go first, so that no card event can follow the job's `completed`.
        if not msg.final:
            await self.bus.publish(TOPIC_ANALYZED, msg.job_id, out.model_dump(mode="json"))
        if msg.final and job.status != "cancelled":
            await self._add_stored(msg.job_id, state)  # the final cards count every review of the job
        now = time.monotonic()
        interval = max(self.card_interval_s, len(state.seen) / self.card_reviews_per_s)
        if not is_final(job.status) and (msg.final or now - state.last_cards >= interval):
            state.last_cards = now
            for card in state.builder.changed():  # accumulates between calls: nothing is skipped
                await self.emitter.emit(msg.job_id, card.model_copy(update={"review_uids": []}))
        if msg.final:
            await self.bus.publish(TOPIC_ANALYZED, msg.job_id, out.model_dump(mode="json"))
        if msg.final:
            self._jobs.pop(msg.job_id, None)
