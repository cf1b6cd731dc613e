"""Watchlist use cases: track product URLs, record each scheduled refresh, raise the negative-share alert.

The Airflow DAG `highpipe_watchlist_refresh` re-analyses every tracked product (an incremental re-crawl
through `POST /api/analyses`) and then records the finished analysis here. Recording compares the new
analysis with the previous one of the same product and raises a `NegativeShareAlert` when the share of
negative reviews rose sharply:

- negative share = negative reviews / analysed reviews (neutral included in the denominator);
- alert when the share rose by at least `ALERT_RISE_PP` percentage points and both analyses have at
  least `ALERT_MIN_REVIEWS` analysed reviews (fewer reviews make the share too noisy to alert on); a
  caller may pass its own thresholds per refresh.

Recording the same analysis twice (a retried task) changes nothing and answers the stored result.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, Field

from highpipe.domain.events import utcnow
from highpipe.domain.models import Report
from highpipe.ports.store import Store
from highpipe.services.jobs import validate_url

log = logging.getLogger(__name__)

ALERT_RISE_PP: Final = 15.0
ALERT_MIN_REVIEWS: Final = 20


class NegativeShareAlert(BaseModel):
    """The negative share of a tracked product rose sharply between two analyses."""

    watch_id: str
    url: str
    label: str | None
    previous_job_id: str
    job_id: str
    previous_share: float = Field(description="0..1, the previous analysis")
    share: float = Field(description="0..1, this analysis")
    rise_pp: float = Field(description="percentage points (share - previous_share) * 100")
    previous_reviews: int
    reviews: int
    at: datetime


class WatchItem(BaseModel):
    id: str
    url: str
    label: str | None = None
    created_at: datetime
    last_job_id: str | None = None
    last_refreshed_at: datetime | None = None
    last_negative_share: float | None = None
    last_reviews: int | None = None
    last_alert: NegativeShareAlert | None = Field(
        default=None, description="the alert of the last refresh, null when it raised none"
    )


class RefreshResult(BaseModel):
    item: WatchItem
    job_id: str
    negative_share: float
    reviews: int
    alert: NegativeShareAlert | None
    repeated: bool = Field(description="true when this analysis had already been recorded")


class WatchlistRepo(Protocol):
    """Where watch items live (SQL: `highpipe.adapters.store.watchlist.SqlWatchlist`)."""

    async def add(self, item: WatchItem, url_key: str) -> bool: ...

    async def get(self, watch_id: str) -> WatchItem | None: ...

    async def find_by_url_key(self, url_key: str) -> WatchItem | None: ...

    async def list(self, *, limit: int, offset: int) -> list[WatchItem]: ...

    async def remove(self, watch_id: str) -> bool: ...

    async def record(
        self,
        watch_id: str,
        *,
        job_id: str,
        at: datetime,
        negative_share: float,
        reviews: int,
        alert: NegativeShareAlert | None,
    ) -> WatchItem | None: ...


class WatchlistError(Exception):
    """A request the watchlist refuses; `code` says why (the API maps it to a status)."""

    def __init__(self, message: str, code: str, *, existing: WatchItem | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.existing = existing


def url_key(url: str) -> str:
    """The identity of a tracked URL: scheme and host lower-cased, fragment dropped, then sha256."""
    parts = urlsplit(url.strip())
    normal = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
    return hashlib.sha256(normal.encode()).hexdigest()


def negative_share(report: Report) -> tuple[float, int]:
    """(negative / analysed, analysed) from the report's sentiment counts; (0.0, 0) with none analysed."""
    analysed = sum(report.sentiment_counts.values())
    if analysed <= 0:
        return 0.0, 0
    return report.sentiment_counts.get("negative", 0) / analysed, analysed


def sharp_rise(
    previous_share: float | None,
    previous_reviews: int | None,
    share: float,
    reviews: int,
    *,
    rise_pp: float = ALERT_RISE_PP,
    min_reviews: int = ALERT_MIN_REVIEWS,
) -> float | None:
    """The rise in percentage points when it calls for an alert, else None (see the module docstring)."""
    if previous_share is None or previous_reviews is None:
        return None
    if previous_reviews < min_reviews or reviews < min_reviews:
        return None
    rise = round((share - previous_share) * 100, 2)
    # The rounding above keeps a rise of exactly the threshold from missing it by a float hair.
    return rise if rise >= rise_pp else None


@dataclass
class WatchlistService:
    repo: WatchlistRepo
    store: Store
    rise_pp: float = ALERT_RISE_PP
    min_reviews: int = ALERT_MIN_REVIEWS

    async def add(self, url: str, label: str | None = None) -> WatchItem:
        """Track a product URL; WatchlistError("duplicate") if it is tracked already."""
        url = validate_url(url)
        key = url_key(url)
        item = WatchItem(
            id=str(uuid.uuid4()), url=url, label=(label or "").strip() or None, created_at=utcnow()
        )
        if not await self.repo.add(item, key):
            existing = await self.repo.find_by_url_key(key)
            raise WatchlistError(
                "이미 관심 목록에 있는 상품입니다 / This product URL is already on the watchlist.",
                "duplicate",
                existing=existing,
            )
        return item

    async def get(self, watch_id: str) -> WatchItem:
        item = await self.repo.get(watch_id)
        if item is None:
            raise WatchlistError("관심 목록에 없는 항목입니다 / No watchlist item with this id.", "not_found")
        return item

    async def list(self, *, limit: int = 100, offset: int = 0) -> list[WatchItem]:
        return await self.repo.list(limit=limit, offset=offset)

    async def remove(self, watch_id: str) -> None:
        if not await self.repo.remove(watch_id):
            raise WatchlistError("관심 목록에 없는 항목입니다 / No watchlist item with this id.", "not_found")

    async def record_refresh(
        self, watch_id: str, job_id: str, *, rise_pp: float | None = None, min_reviews: int | None = None
    ) -> RefreshResult:
        """Record a completed analysis of the item's URL; compare it with the previous one.

        `rise_pp` and `min_reviews` override the service's alert thresholds for this comparison (the
        refresh DAG passes its params).
        """
        item = await self.get(watch_id)
        report = await self._completed_report(item, job_id)
        share, reviews = negative_share(report)
        if item.last_job_id == job_id:  # a retried task: answer what was recorded
            return RefreshResult(
                item=item,
                job_id=job_id,
                negative_share=share,
                reviews=reviews,
                alert=item.last_alert,
                repeated=True,
            )
        alert: NegativeShareAlert | None = None
        now = utcnow()
        rise = sharp_rise(
            item.last_negative_share,
            item.last_reviews,
            share,
            reviews,
            rise_pp=self.rise_pp if rise_pp is None else rise_pp,
            min_reviews=self.min_reviews if min_reviews is None else min_reviews,
        )
        if rise is not None and item.last_job_id is not None:
            alert = NegativeShareAlert(
                watch_id=item.id,
                url=item.url,
                label=item.label,
                previous_job_id=item.last_job_id,
                job_id=job_id,
                previous_share=round(item.last_negative_share or 0.0, 4),
                share=round(share, 4),
                rise_pp=rise,
                previous_reviews=item.last_reviews or 0,
                reviews=reviews,
                at=now,
            )
            log.warning(
                "negative share of %s rose %.1f pp (%.3f -> %.3f)",
                item.url,
                rise,
                alert.previous_share,
                alert.share,
                extra={"job_id": job_id, "watch_id": item.id},
            )
        updated = await self.repo.record(
            item.id, job_id=job_id, at=now, negative_share=share, reviews=reviews, alert=alert
        )
        if updated is None:  # removed while the refresh ran
            raise WatchlistError("관심 목록에 없는 항목입니다 / No watchlist item with this id.", "not_found")
        return RefreshResult(
            item=updated, job_id=job_id, negative_share=share, reviews=reviews, alert=alert, repeated=False
        )

    async def _completed_report(self, item: WatchItem, job_id: str) -> Report:
        job = await self.store.get_job(job_id)
        if job is None:
            raise WatchlistError("분석을 찾을 수 없습니다 / No analysis with this id.", "job_not_found")
        if job.kind != "url" or url_key(job.source) != url_key(item.url):
            raise WatchlistError(
                "이 분석은 해당 상품의 분석이 아닙니다 / This analysis is not of the watched product URL.",
                "job_mismatch",
            )
        if job.status != "completed":
            why = f": {job.failure_reason}" if job.failure_reason else ""
            raise WatchlistError(
                f"완료된 분석만 기록할 수 있습니다 (상태: {job.status}) / Only a completed analysis can be "
                f"recorded (status: {job.status}{why}).",
                "job_not_completed",
            )
        report = await self.store.get_report(job_id)
        if report is None:
            raise WatchlistError("분석 보고서가 없습니다 / The analysis has no report.", "job_not_completed")
        return report
