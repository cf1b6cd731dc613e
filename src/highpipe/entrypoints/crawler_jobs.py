"""The crawler service crawling FOR a HighPipe job: `POST /crawl {"url": ..., "job_id": "<id>"}`.

The original request flow: the API creates the job (`dispatch: "external"`, nothing on the bus), an
orchestrator (the Airflow DAG `highpipe_analysis`) calls the crawler service, which runs the crawl
worker's own use case (`services/crawl.py` `CrawlService.handle`, given the `analysis.requested` command
built from the stored job). Reviews therefore reach `reviews.collected` and the analysis workers and the
sink finish the job exactly as for a bus-dispatched one; events, counters and failures are the same.

The service must be attached to HighPipe's store and bus (a bootstrapped `Container`: the same
HIGHPIPE_DATABASE_URL / HIGHPIPE_BUS_URL as the workers). Only a URL job that is queued or running and
was dispatched externally is accepted: 404 for an unknown job, 409 otherwise, so a job the crawl workers
own is never crawled twice. A second call for a job this process is crawling answers that same crawl.
A running job not crawled here is crawled again, as the bus redelivers a command after a crash: the
crawl is idempotent (stored reviews are upserted and the redelivered crawl covers every page).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException

from highpipe.bootstrap import Container
from highpipe.crawl.base import CrawlLimits
from highpipe.domain.events import TOPIC_COLLECTED, TOPIC_REQUESTED, AnalysisRequested, FailedData
from highpipe.domain.models import Job
from highpipe.entrypoints.crawler_service import PREVIEW_MAX, CrawlerState, CrawlJob, CrawlRequest
from highpipe.ports.bus import Bus, Handler, Message
from highpipe.services.jobs import EXTERNAL

log = logging.getLogger(__name__)
CRAWLABLE = ("queued", "running")


class RecordingBus(Bus):
    """The container's bus, seen through the crawl of one job: every publish goes through unchanged, and
    the `reviews.collected` batches tell the crawl's view its product, first reviews and outcome (the
    outcome is otherwise only known once the sink has stored it)."""

    def __init__(self, bus: Bus, on_collected: Callable[[dict[str, Any]], None]) -> None:
        self._bus = bus
        self._on_collected = on_collected

    async def start(self) -> None:  # the container owns the bus's life
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, key: str, value: dict[str, Any]) -> None:
        await self._bus.publish(topic, key, value)
        if topic == TOPIC_COLLECTED:
            self._on_collected(value)

    async def subscribe(self, topic: str, group: str, handler: Handler) -> None:
        await self._bus.subscribe(topic, group, handler)

    async def drain(self, timeout: float = 10.0) -> None:
        await self._bus.drain(timeout)


def _conflict(detail: str) -> HTTPException:
    return HTTPException(409, detail=detail)


def check_crawlable(job: Job | None, url: str | None) -> Job:
    """The job if the crawler service may crawl it; else the 404 / 409 that says why not."""
    if job is None:
        raise HTTPException(404, detail="분석 작업을 찾을 수 없습니다 / No HighPipe job with this id.")
    if job.kind != "url":
        raise _conflict("상품 URL 분석 작업이 아닙니다 / The job is not a product-URL analysis.")
    if job.status not in CRAWLABLE:
        raise _conflict(
            f"이미 끝난 분석입니다 ({job.status}) / The job already ended ({job.status}); nothing to crawl."
        )
    if job.options.get("dispatch") != EXTERNAL:
        raise _conflict(
            "이 작업은 HighPipe 수집 워커가 수집합니다 / The job was dispatched to HighPipe's crawl workers "
            '(create it with "dispatch": "external" to have the crawler service crawl it).'
        )
    if url is not None and url.strip() != job.source:
        raise _conflict(
            f"작업의 URL과 다릅니다 / The job is for another URL ({job.source[:200]!r}); omit `url` or send "
            "the job's own."
        )
    return job


def request_for(job: Job, max_reviews: int | None, max_pages: int | None) -> AnalysisRequested:
    """The `analysis.requested` command the API would have published for the job; a caller's limits can
    only lower the job's own."""
    options: dict[str, Any] = dict(job.options)
    for name, given in (("max_reviews", max_reviews), ("max_pages", max_pages)):
        if given is not None:
            current = options.get(name)
            options[name] = min(int(current), given) if current else given
    return AnalysisRequested(job_id=job.job_id, url=job.source, options=options)


async def admit_job_crawl(
    container: Container, state: CrawlerState, body: CrawlRequest, job_id: str
) -> CrawlJob:
    """Start (or, for a job crawling here already, return) the crawl of a HighPipe job; 404 / 409."""
    job = check_crawlable(await container.store.get_job(job_id), body.url)
    # No await from here to admit(): two calls for one job cannot both start a crawl in this process.
    for crawl in state.jobs.values():
        if crawl.job_id == job.job_id and crawl.finished is None:
            return crawl  # a repeated call (a retried request): the crawl under way
    given = body.model_fields_set
    request = request_for(
        job,
        body.max_reviews if "max_reviews" in given else None,
        body.max_pages if "max_pages" in given else None,
    )
    settings = container.settings
    limits = CrawlLimits(
        max_reviews=int(request.options.get("max_reviews") or settings.max_reviews),
        max_pages=int(request.options.get("max_pages") or settings.max_pages),
    )
    crawl = CrawlJob(uuid.uuid4().hex, job.source, limits, job_id=job.job_id)
    state.admit(crawl, lambda c: run_job_crawl(container, state, c, request))
    return crawl


def _collected(state: CrawlerState, crawl: CrawlJob, value: dict[str, Any]) -> None:
    """A `reviews.collected` batch of the job's crawl: its product, counts, first reviews, outcome."""
    if value.get("product") and crawl.product is None:
        crawl.product = value["product"]
    reviews: list[dict[str, Any]] = value.get("reviews") or []
    if reviews:  # batches of reviews known from an earlier job are not pages: count reviews only
        crawl.collected += len(reviews)
        state.count("reviews", len(reviews))
    room = PREVIEW_MAX - len(crawl.preview)
    crawl.preview.extend(_preview(r) for r in reviews[: max(room, 0)])
    if value.get("final"):
        crawl.final = True
        failure = value.get("failure")
        if failure:  # the crawl use case's reason already says how many reviews came before it
            crawl.status, crawl.reason, crawl.code = "failed", failure["reason"], failure["code"]


def _preview(review: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": review.get("review_uid"),
        "rating": review.get("rating"),
        "text": review.get("text"),
        "date": review.get("date"),
    }


async def run_job_crawl(
    container: Container, state: CrawlerState, crawl: CrawlJob, request: AnalysisRequested
) -> None:
    """Run the crawl use case for the job in one of the service's slots. Its own failures (a 403, no
    reviews) end the crawl `failed` and reach the job through the sink, as from the bus worker."""
    recorder = RecordingBus(container.bus, lambda value: _collected(state, crawl, value))
    service = container.crawl_service(recorder)
    message = Message(TOPIC_REQUESTED, request.job_id, request.model_dump(mode="json"))
    async with state.slots():
        crawl.status, crawl.started = "running", time.time()
        try:
            before = await container.store.get_job(request.job_id)
            await service.handle(message)
            if not crawl.final:  # handle() returned at once: the job was deleted or ended meanwhile
                crawl.status, crawl.code = "failed", "job_ended"
                crawl.reason = "분석 작업이 이미 끝났습니다 / The job ended before the crawl began."
            elif crawl.status == "running":
                crawl.status = "completed"
            job = await container.store.get_job(request.job_id)
            if job is not None:  # the use case counts pages on the job; this crawl's are the difference
                crawl.pages = job.pages
                state.count("pages", job.pages - (before.pages if before is not None else 0))
        except Exception as exc:  # the bus would retry and dead-letter; here the job must not hang
            log.exception("crawl of job %s failed", request.job_id, extra={"job_id": request.job_id})
            await _fail_job(container, crawl, request.job_id, type(exc).__name__)
        finally:
            crawl.finished = time.time()
            state.count(f"jobs_{crawl.status}")


async def _fail_job(container: Container, crawl: CrawlJob, job_id: str, error: str) -> None:
    reason = (
        f"수집 서비스 내부 오류 / The crawler service failed ({error}) — 그 전까지 리뷰 {crawl.collected}건 "
        f"수집 / {crawl.collected} reviews collected before that."
    )
    crawl.status, crawl.reason, crawl.code = "failed", reason, "crawler_error"
    try:
        if await container.store.transition_job(job_id, "failed", reason=reason, code="crawler_error"):
            await container.emitter.emit(job_id, FailedData(reason=reason, code="crawler_error"))
    except Exception:  # the store itself is away: the orchestrator's timeout ends the job instead
        log.exception("could not mark job %s failed", job_id, extra={"job_id": job_id})
