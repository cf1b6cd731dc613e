"""The store port: jobs, products, reviews (stored once, linked to jobs), analyses, events and reports.

Implementations: SQLAlchemy 2 async (SQLite embedded, PostgreSQL at scale). Every write is an upsert so
that at-least-once delivery never duplicates anything.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from highpipe.domain.events import Envelope
from highpipe.domain.models import Job, Product, Report, Review, ReviewAnalysis


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    sentiment: str | None = None  # positive | negative | neutral
    aspect: str | None = None  # an aspect id, or topic:<slug>; matches any mention of it
    aspect_polarity: str | None = None  # with `aspect`: only mentions of this polarity
    rating: int | None = None  # 1..5: reviews whose rating rounds to it
    q: str | None = None  # case-insensitive substring of the text
    date_from: datetime | None = None
    date_to: datetime | None = None
    emotion: str | None = None  # an emotion id (vocab.EMOTIONS): reviews whose analysis lists it
    # Only these reviews (summary sentences, quotes); an empty tuple matches nothing, None means all.
    review_ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ReviewRow:
    review: Review
    analysis: ReviewAnalysis | None


class Store(ABC):
    @abstractmethod
    async def start(self) -> None:
        """Connect and bring the schema up to date (Alembic migrations)."""

    @abstractmethod
    async def stop(self) -> None: ...

    async def healthy(self) -> bool:
        return True

    # jobs
    @abstractmethod
    async def create_job(self, job: Job) -> None: ...

    @abstractmethod
    async def get_job(self, job_id: str) -> Job | None: ...

    @abstractmethod
    async def list_jobs(self, *, limit: int = 50, offset: int = 0, q: str | None = None) -> list[Job]: ...

    @abstractmethod
    async def update_job(self, job_id: str, **fields: Any) -> Job:
        """Set plain fields (product_id, total_estimate, options, ...); not `status` (use transition_job)."""

    @abstractmethod
    async def transition_job(
        self, job_id: str, status: str, *, reason: str | None = None, code: str | None = None
    ) -> Job | None:
        """Move the job to `status` if the state machine allows it (atomically); None if it does not."""

    @abstractmethod
    async def add_job_counters(
        self, job_id: str, *, pages: int = 0, collected: int = 0, analyzed: int = 0
    ) -> Job:
        """Atomically add to the progress counters and return the job."""

    @abstractmethod
    async def mark_analyzed(self, job_id: str, review_uids: Sequence[str]) -> Job:
        """Mark the job's reviews as analysed and add to `analyzed` only those not marked before, so a
        redelivered batch counts once; uids not linked to the job count nothing. Atomic; the job after."""

    @abstractmethod
    async def delete_job(self, job_id: str) -> bool:
        """Delete a job, its links, events and report, and the reviews no other job links to."""

    # products and reviews
    @abstractmethod
    async def upsert_product(self, product: Product) -> None: ...

    @abstractmethod
    async def get_product(self, product_id: str) -> Product | None: ...

    @abstractmethod
    async def upsert_reviews(self, job_id: str, reviews: list[Review]) -> int:
        """Store reviews once globally and link them to the job; returns how many were newly linked."""

    @abstractmethod
    async def known_review_uids(self, product_id: str) -> set[str]: ...

    @abstractmethod
    async def upsert_analyses(self, analyses: list[ReviewAnalysis]) -> None: ...

    @abstractmethod
    async def query_reviews(
        self, job_id: str, flt: ReviewFilter, *, page: int = 1, page_size: int = 50
    ) -> tuple[list[ReviewRow], int]:
        """One page of the job's reviews (newest first, then by uid) and the total matching the filter."""

    @abstractmethod
    async def job_rows(self, job_id: str) -> list[ReviewRow]:
        """Every review of the job with its analysis (report building, export)."""

    # events
    @abstractmethod
    async def append_event(self, event: Envelope) -> Envelope | None:
        """Store an event, assigning the job's next `seq`; None if this exact event was stored already."""

    @abstractmethod
    async def events_after(self, job_id: str, after: int = 0, limit: int = 10_000) -> list[Envelope]: ...

    async def events_of_type(self, job_id: str, types: Sequence[str]) -> list[Envelope]:
        """Every event of the job whose type is in `types`, in seq order (e.g. the few `stage` events of a
        job with 10k progress events). This default pages through events_after; backends filter in place."""
        wanted, after = set(types), 0
        found: list[Envelope] = []
        while page := await self.events_after(job_id, after, 10_000):
            found.extend(e for e in page if e.type in wanted)
            after = page[-1].seq
        return found

    # reports
    @abstractmethod
    async def save_report(self, report: Report) -> None: ...

    @abstractmethod
    async def get_report(self, job_id: str) -> Report | None: ...
