"""The crawl worker's use case: turn an `analysis.requested` command into batches of collected reviews.

Reviews are made durable (stored and linked to the job) before each batch is published, so a crashed
worker loses nothing: the redelivered command re-crawls and the upserts make it idempotent. Failures
end collection with a human reason; what was collected is still analysed and reported.

Incremental re-crawl: when earlier jobs stored reviews of the product, pages (newest first) are
fetched until the first page whose reviews are all known; the reviews of the product's latest earlier
job are then linked to this job as well, so its report covers the whole product (those lacking an
analysis are sent to be analysed). The job's options get `known_before` and `new_reviews` (reviews no
earlier job had), which the sink puts in the report. A redelivered command crawls in full.

Budget and rate: each crawl has a time budget (request option `time_budget_s`, else `time_budget_s`
here, from the `crawl_time_budget_s` setting); when it is used up collection stops — mid-fetch if need
be — and the job ends with `code="time_budget"` and a reason naming the budget and the count, while what
was collected is analysed and reported. Progress events carry the reviews/s rate (`rate_per_s`); the
job's options get `crawl` = pages, reviews, seconds, pages/s and reviews/s.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from highpipe.crawl.base import CrawlLimits, Page, UnsupportedPage
from highpipe.crawl.budget import BudgetSpent, CrawlRate, TimeBudget, budget_seconds
from highpipe.crawl.registry import SUPPORTED_SITES, find_extractor
from highpipe.crawl.render import for_extractor
from highpipe.domain.events import (
    TOPIC_COLLECTED,
    AnalysisRequested,
    FailedData,
    ProgressData,
    ReviewsCollected,
    StageData,
)
from highpipe.domain.identity import upload_product_id
from highpipe.domain.jobs import is_final
from highpipe.domain.models import Product, Review
from highpipe.ingest.files import FileFormatError, read_reviews
from highpipe.observability import Metrics
from highpipe.ports.bus import Bus, Message
from highpipe.ports.fetch import Fetcher, FetchError
from highpipe.ports.store import Store
from highpipe.services.events import Emitter

log = logging.getLogger(__name__)
UPLOAD_BATCH = 500
PREVIOUS_JOB_SCAN = 5_000  # how many recent jobs to look through for a product's last one


@dataclass
class CrawlService:
    store: Store
    bus: Bus
    emitter: Emitter
    fetcher_factory: Callable[[], Fetcher]
    salt: str
    limits: CrawlLimits
    metrics: Metrics | None = None
    max_upload_bytes: int | None = None
    upload_dir: Path | None = None
    time_budget_s: float | None = None  # per crawl job; the request option `time_budget_s` overrides it

    async def handle(self, message: Message) -> None:
        request = AnalysisRequested.model_validate(message.value)
        job = await self.store.get_job(request.job_id)
        if job is None or is_final(job.status):
            return  # deleted or cancelled before we started: nothing to do
        if job.status == "queued":
            await self.store.transition_job(job.job_id, "running")
        if request.upload_path:
            await self._read_upload(request)
        else:
            await self._crawl(request)

    def _in_upload_dir(self, path: Path) -> bool:
        return self.upload_dir is not None and _inside(path, self.upload_dir)

    async def _cancelled(self, job_id: str) -> bool:
        """The job was deleted, cancelled, or ended by someone else (an orchestrator's timeout marks it
        failed): stop spending requests on it."""
        job = await self.store.get_job(job_id)
        return job is None or is_final(job.status)

    async def _publish(
        self, job_id: str, batch: int, product: Product | None, reviews: list[Review], **final: object
    ) -> None:
        msg = ReviewsCollected(job_id=job_id, batch=batch, product=product, reviews=reviews, **final)
        await self.bus.publish(TOPIC_COLLECTED, job_id, msg.model_dump(mode="json"))

    async def _progress(self, job_id: str, started: float, pages: int = 0, collected: int = 0) -> None:
        job = await self.store.add_job_counters(job_id, pages=pages, collected=collected)
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = job.collected / elapsed
        await self.emitter.emit(
            job_id,
            ProgressData(
                pages=job.pages,
                collected=job.collected,
                analyzed=job.analyzed,
                total_estimate=job.total_estimate,
                rate_per_s=round(rate, 1),
                pages_per_s=round(job.pages / elapsed, 2),
            ),
        )

    async def _crawl(self, request: AnalysisRequested) -> None:
        job_id, url = request.job_id, request.url or ""
        extractor = find_extractor(url)
        limits = CrawlLimits(
            max_reviews=int(request.options.get("max_reviews", self.limits.max_reviews)),
            max_pages=int(request.options.get("max_pages", self.limits.max_pages)),
        )
        await self.emitter.emit(job_id, StageData(stage="collect", state="started"))
        started = time.monotonic()
        budget = TimeBudget(budget_seconds(request.options, self.time_budget_s))
        rate = CrawlRate()
        batch, collected, product = 0, 0, None
        known: set[str] = set()  # reviews of this product stored by earlier jobs (incremental re-crawl)
        new_reviews, redelivered = 0, False
        failure: FailedData | None = None
        fetcher = self.fetcher_factory()
        await fetcher.start()
        pages = extractor.pages(url, for_extractor(fetcher, extractor), limits)
        try:
            while True:
                try:
                    page = await budget.next_page(pages)
                except StopAsyncIteration:
                    break
                except BudgetSpent:  # partial results are kept and analysed, like max_reviews
                    failure = FailedData(reason=_with_count(budget.reason(), collected), code="time_budget")
                    break
                if await self._cancelled(job_id):
                    break
                if page.product is not None and product is None:
                    product = page.product
                    await self.store.upsert_product(product)
                    await self.store.update_job(
                        job_id, product_id=product.product_id, total_estimate=page.total_estimate
                    )
                    # `full`: the user asked for a complete re-crawl, so nothing counts as known
                    full = bool(request.options.get("full"))
                    known = set() if full else await self.store.known_review_uids(product.product_id)
                    own = {row.review.review_uid for row in await self.store.job_rows(job_id)}
                    # A redelivered command: this job's own reviews are not "known from before", and
                    # stopping early could lose the pages the crashed attempt never reached.
                    redelivered, known = bool(own), known - own
                if product is None:
                    raise UnsupportedPage("the page has reviews but no product")
                reviews = [
                    raw.to_review(product_id=product.product_id, site=product.site, salt=self.salt)
                    for raw in page.reviews
                ]
                reviews = list({r.review_uid: r for r in reviews}.values())
                await self.store.upsert_reviews(job_id, reviews)
                collected += len(reviews)
                rate.add(1, len(reviews))
                if self.metrics:
                    self.metrics.pages_crawled.labels(product.site).inc()
                    self.metrics.reviews_crawled.labels(product.site).inc(len(reviews))
                await self._publish(job_id, batch, product, reviews)
                batch += 1
                await self._progress(job_id, started, pages=1, collected=len(reviews))
                fresh = sum(r.review_uid not in known for r in reviews)
                new_reviews += fresh
                if known and reviews and not fresh and not redelivered:
                    break  # pages come newest first: everything after this page is known already
        except FetchError as exc:
            failure = FailedData(reason=_with_count(exc.reason, collected), code=exc.code)
        except UnsupportedPage as exc:
            failure = FailedData(
                reason="이 페이지에서 리뷰를 읽을 수 없습니다 / HighPipe cannot read reviews from this page "
                f"({exc}). Supported: {', '.join(SUPPORTED_SITES)}.",
                code="unsupported_site",
            )
        except TimeoutError:
            failure = FailedData(
                reason=_with_count("시간 초과 / The crawl timed out", collected), code="timeout"
            )
        finally:
            await _close(pages)
            await fetcher.stop()
        log.info(
            "crawl of %s: %d pages, %d reviews in %.1fs (%.2f pages/s, %.1f reviews/s)",
            url, rate.pages, rate.reviews, rate.elapsed_s, rate.pages_per_s(), rate.reviews_per_s(),
            extra={"job_id": job_id},
        )  # fmt: skip
        if product is not None and known and not await self._cancelled(job_id):
            batch = await self._link_known(job_id, product.product_id, batch, product)
        if product is not None:
            job = await self.store.get_job(job_id)
            options = dict(job.options) if job is not None else {}
            options.update(known_before=len(known), new_reviews=new_reviews, crawl=rate.stats())
            await self.store.update_job(job_id, options=options)
        if failure is not None:
            log.warning("crawl of %s failed: %s", url, failure.reason, extra={"job_id": job_id})
            if self.metrics:
                site = product.site if product else (extractor.name or urlsplit(url).hostname or "unknown")
                self.metrics.crawl_errors.labels(site, failure.code).inc()
        if not await self._cancelled(job_id):
            await self.emitter.emit(job_id, StageData(stage="collect", state="finished"))
        await self._publish(job_id, batch, product, [], final=True, total=collected, failure=failure)

    async def _link_known(self, job_id: str, product_id: str, batch: int, product: Product) -> int:
        """Link the product's reviews an earlier job stored (and this one did not fetch) to this job, so
        its report covers the whole product; those never analysed are published for analysis."""
        previous = await self._previous_job(job_id, product_id)
        if previous is None:
            return batch
        rows = await self.store.job_rows(previous)
        for start in range(0, len(rows), UPLOAD_BATCH):
            chunk = rows[start : start + UPLOAD_BATCH]
            await self.store.upsert_reviews(job_id, [row.review for row in chunk])
            pending = [row.review for row in chunk if row.analysis is None]
            if pending:
                await self._publish(job_id, batch, product, pending)
                batch += 1
        return batch

    async def _previous_job(self, job_id: str, product_id: str) -> str | None:
        """The newest other job of this product (scans recent jobs; re-crawls are of recent products)."""
        for offset in range(0, PREVIOUS_JOB_SCAN, 200):
            jobs = await self.store.list_jobs(limit=200, offset=offset)
            for job in jobs:
                if job.job_id != job_id and job.product_id == product_id:
                    return job.job_id
            if len(jobs) < 200:
                break
        return None

    async def _read_upload(self, request: AnalysisRequested) -> None:
        job_id = request.job_id
        path = Path(request.upload_path or "")
        options = request.options
        started = time.monotonic()
        if not options.get("local_file") and not self._in_upload_dir(path):
            # Uploads through the API live in the upload folder; refuse any other path a message names.
            failure = FailedData(
                reason="업로드 파일 경로가 올바르지 않습니다 / Invalid upload path.", code="bad_file"
            )
            await self._publish(job_id, 0, None, [], final=True, total=0, failure=failure)
            return
        try:
            result = await asyncio.to_thread(
                read_reviews,
                path,
                filename=str(options.get("filename") or path.name),
                mapping=dict(options.get("mapping") or {}),
                rating_scale=options.get("rating_scale"),
                max_bytes=self.max_upload_bytes,
            )
        except (FileFormatError, OSError, ValueError) as exc:
            failure = FailedData(reason=str(exc), code="bad_file")
            await self._publish(job_id, 0, None, [], final=True, total=0, failure=failure)
            return
        product = Product(
            product_id=upload_product_id(result.sha256),
            site="upload",
            title=result.product or str(options.get("filename") or path.name),
            review_count=len(result.reviews),
        )
        await self.store.upsert_product(product)
        skipped = [{"line": e.line, "reason": e.reason} for e in result.errors]
        await self.store.update_job(
            job_id,
            product_id=product.product_id,
            total_estimate=len(result.reviews),
            options={**options, "skipped_rows": skipped},
        )
        batch = 0
        for start in range(0, len(result.reviews), UPLOAD_BATCH):
            if await self._cancelled(job_id):
                break
            chunk = result.reviews[start : start + UPLOAD_BATCH]
            for raw in chunk:  # a file's own ids are only unique within that file
                if raw.site_review_id:
                    raw.site_review_id = f"{result.sha256[:16]}:{raw.site_review_id}"
            reviews = [
                r.to_review(product_id=product.product_id, site="upload", salt=self.salt) for r in chunk
            ]
            await self.store.upsert_reviews(job_id, reviews)
            await self._publish(job_id, batch, product, reviews)
            batch += 1
            await self._progress(job_id, started, collected=len(reviews))
        await self._publish(job_id, batch, product, [], final=True, total=len(result.reviews))


async def _close(pages: AsyncIterator[Page]) -> None:
    aclose = getattr(pages, "aclose", None)
    if aclose is not None:
        await aclose()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _with_count(reason: str, collected: int) -> str:
    return f"{reason} — 그 전까지 리뷰 {collected}건 수집 / {collected} reviews collected before that."
