"""`highpipe crawler`: the crawler as a small HTTP service, for callers that are not on the bus.

- `POST /crawl` `{"url": "...", "max_reviews": 500, "max_pages": 50}` -> 202 `{"id", "status", "url"}`.
- `POST /crawl` `{"job_id": "<HighPipe job id>", "url": "..."}` -> 202 `{"id", "job_id", "status", "url"}`:
  crawl FOR a HighPipe job created with `dispatch: "external"` (crawler_jobs.py): the crawl worker's
  use case runs here and the analysis workers finish the job as usual; 404 unknown job, 409 a job that
  is not queued/running or not dispatched externally. Needs the service attached to HighPipe's store
  and bus (`container=`); a standalone service answers 503.
- `GET /crawl/{id}?limit=N` -> status (queued | running | completed | failed), pages, reviews collected,
  crawl rate, the product, the first N reviews (id, rating 1-5, text, ISO date; N <= 100), and on
  failure the reason ("blocked by the site (HTTP 403) ... — 40 reviews collected before that").
- `GET /healthz`, `GET /readyz` (attached: store and bus answer; 503 otherwise), `GET /metrics` (Prometheus text: jobs by status, pages, reviews, running crawls).

Crawls run in this process with the same extractors and fetcher as the crawl worker (SSRF guard,
robots.txt and per-host politeness apply), at most `max_concurrency` at once, each within
`time_budget_s` (a job's crawl: the job's own budget). Crawls live in memory only: at most `max_jobs`;
the oldest finished ones are dropped to make room, and a full table of unfinished ones answers 503. With
HIGHPIPE_API_TOKEN set, /crawl needs `Authorization: Bearer <token>`. `highpipe serve` mounts this app at
`/crawler` on its own, sharing its container (`shutdown()` is then the host app's to call).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from highpipe.config import Settings
from highpipe.crawl.base import CrawlLimits, UnsupportedPage
from highpipe.crawl.registry import SUPPORTED_SITES, find_extractor
from highpipe.domain.raw import RawReview
from highpipe.entrypoints.api.deps import token_ok
from highpipe.ports.fetch import Fetcher, FetchError

if TYPE_CHECKING:
    from highpipe.bootstrap import Container

PREVIEW_MAX = 100
NOT_ATTACHED = (
    "이 수집 서비스는 HighPipe에 연결되어 있지 않습니다 / This crawler service is not attached to HighPipe's "
    "store and bus (run `highpipe crawler` with HighPipe's HIGHPIPE_DATABASE_URL and HIGHPIPE_BUS_URL)."
)


def default_fetcher_factory(settings: Settings) -> Callable[[], Fetcher]:
    """The crawl worker's fetcher: httpx with the SSRF guard, behind robots.txt."""

    def make() -> Fetcher:
        from highpipe.adapters.fetch.http import HttpFetcher
        from highpipe.crawl.robots import RobotsFetcher

        return RobotsFetcher(
            HttpFetcher(settings), user_agent=settings.user_agent, enabled=settings.respect_robots
        )

    return make


class CrawlRequest(BaseModel):
    url: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="a product page URL (with job_id: optional, and then it must be the job's own)",
    )
    job_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description='crawl for this HighPipe job (created with "dispatch": "external")',
    )
    max_reviews: int = Field(default=500, ge=1, le=100_000)
    max_pages: int | None = Field(default=None, ge=1, le=10_000)


@dataclass
class CrawlJob:
    id: str
    url: str
    limits: CrawlLimits
    job_id: str | None = None  # the HighPipe job this crawl is for
    final: bool = False  # a job's crawl: its last batch was published
    status: str = "queued"
    pages: int = 0
    collected: int = 0
    product: dict[str, Any] | None = None
    preview: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    code: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None

    def view(self, limit: int) -> dict[str, Any]:
        elapsed = ((self.finished or time.time()) - self.started) if self.started else 0.0
        return {
            "id": self.id,
            "job_id": self.job_id,
            "url": self.url,
            "status": self.status,
            "pages": self.pages,
            "collected": self.collected,
            "rate_per_s": round(self.collected / elapsed, 1) if elapsed > 0 else 0.0,
            "product": self.product,
            "reviews": self.preview[:limit],
            "failure": {"reason": self.reason, "code": self.code} if self.status == "failed" else None,
        }


@dataclass
class CrawlerState:
    fetcher_factory: Callable[[], Fetcher]
    max_concurrency: int
    max_jobs: int
    time_budget_s: float
    jobs: dict[str, CrawlJob] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    _slots: asyncio.Semaphore | None = None

    def slots(self) -> asyncio.Semaphore:
        if self._slots is None:  # made on first use, inside the running loop
            self._slots = asyncio.Semaphore(self.max_concurrency)
        return self._slots

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n

    def admit(
        self, job: CrawlJob, runner: Callable[[CrawlJob], Coroutine[Any, Any, None]] | None = None
    ) -> None:
        if len(self.jobs) >= self.max_jobs:
            done = sorted((j for j in self.jobs.values() if j.finished), key=lambda j: j.finished or 0)
            for old in done[: len(self.jobs) - self.max_jobs + 1]:
                del self.jobs[old.id]
        if len(self.jobs) >= self.max_jobs:
            raise HTTPException(
                503,
                detail="수집 작업이 너무 많습니다. 잠시 후 다시 시도하세요 / Too many crawls in progress; retry later.",
                headers={"Retry-After": "10"},
            )
        self.jobs[job.id] = job
        task = asyncio.create_task((runner or self.run)(job))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def shutdown(self) -> None:
        """Abandon unfinished crawls (a job's crawl is then ended by the orchestrator's timeout)."""
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def run(self, job: CrawlJob) -> None:
        async with self.slots():
            job.status, job.started = "running", time.time()
            try:
                async with asyncio.timeout(self.time_budget_s):
                    await self._crawl(job)
                job.status = "completed"
            except FetchError as exc:
                self._fail(job, exc.reason, exc.code)
            except UnsupportedPage as exc:
                self._fail(job, f"{exc} — supported: {', '.join(SUPPORTED_SITES)}", "unsupported_site")
            except TimeoutError:
                self._fail(job, f"시간 초과 / time budget of {self.time_budget_s:g}s used up", "timeout")
            except Exception as exc:  # a crawl must never take the service down; report it instead
                self._fail(job, f"내부 오류 / internal error: {type(exc).__name__}", "internal")
            finally:
                job.finished = time.time()
                self.count(f"jobs_{job.status}")

    def _fail(self, job: CrawlJob, reason: str, code: str) -> None:
        job.status, job.code = "failed", code
        job.reason = f"{reason} — 그 전까지 리뷰 {job.collected}건 수집 / {job.collected} reviews collected before that."

    async def _crawl(self, job: CrawlJob) -> None:
        fetcher = self.fetcher_factory()
        await fetcher.start()
        try:
            async for page in find_extractor(job.url).pages(job.url, fetcher, job.limits):
                if job.product is None and page.product is not None:
                    job.product = page.product.model_dump(mode="json")
                job.pages += 1
                job.collected += len(page.reviews)
                self.count("pages")
                self.count("reviews", len(page.reviews))
                room = PREVIEW_MAX - len(job.preview)
                job.preview.extend(_review(r) for r in page.reviews[: max(room, 0)])
        finally:
            await fetcher.stop()


def _review(raw: RawReview) -> dict[str, Any]:
    return {
        "id": raw.site_review_id,
        "rating": raw.normalised_rating(),
        "text": raw.text,
        "date": raw.date.isoformat() if raw.date else None,
    }


def create_crawler_app(
    settings: Settings,
    *,
    container: Container | None = None,
    manage_container: bool = False,
    fetcher_factory: Callable[[], Fetcher] | None = None,
    max_concurrency: int = 4,
    max_jobs: int = 1_000,
    time_budget_s: float | None = None,
    mount_demo: bool = False,
) -> FastAPI:
    """The service; with `container` it also crawls for HighPipe jobs. `manage_container`: its lifespan
    starts the container (no bus consumers) and stops it: the `highpipe crawler` process."""
    from highpipe.adapters.fetch import fallback

    # Without an injected factory, crawls get the full fetcher: HTTP first, the headless browser when a page
    # draws its reviews by script (one pool per service, started on the first render, closed at shutdown).
    # Attached to a container, they use its fetcher (and browser pool, which the container closes).
    pool = None
    factory = fetcher_factory or (container.fetcher_factory if container is not None else None)
    if factory is None:
        pool = fallback.browser_pool(settings)
        factory = fallback.fetcher_factory(settings, pool)
    budget = time_budget_s if time_budget_s is not None else settings.crawl_time_budget_s
    state = CrawlerState(factory, max_concurrency, max_jobs, budget)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if manage_container and container is not None:
            await container.start(())
        try:
            yield
        finally:  # shutting down: unfinished crawls are abandoned
            await state.shutdown()
            if pool is not None:
                await pool.close()
            if manage_container and container is not None:
                await container.stop()

    app = FastAPI(title="HighPipe crawler", lifespan=lifespan)
    app.state.crawler = state

    def auth(request: Request) -> None:
        if not token_ok(settings.api_token, request.headers.get("authorization")):
            raise HTTPException(401, detail="인증이 필요합니다 / Authorization: Bearer <token> is required.")

    def find(crawl_id: str) -> CrawlJob:
        job = state.jobs.get(crawl_id)
        if job is None:
            raise HTTPException(404, detail="수집 작업을 찾을 수 없습니다 / No crawl with this id.")
        return job

    def created(job: CrawlJob) -> dict[str, Any]:
        links = {"self": f"/crawl/{job.id}"}
        return {"id": job.id, "job_id": job.job_id, "status": job.status, "url": job.url, "links": links}

    @app.post("/crawl", status_code=202, dependencies=[Depends(auth)])
    async def start_crawl(body: CrawlRequest) -> dict[str, Any]:
        if body.job_id is not None:
            if container is None:
                raise HTTPException(503, detail=NOT_ATTACHED)
            from highpipe.entrypoints.crawler_jobs import admit_job_crawl

            return created(await admit_job_crawl(container, state, body, body.job_id))
        url = (body.url or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            raise HTTPException(422, detail=f"http(s) 주소가 필요합니다 / Not a valid product URL: {url!r}")
        limits = CrawlLimits(
            max_reviews=min(body.max_reviews, settings.max_reviews),
            max_pages=min(body.max_pages or settings.max_pages, settings.max_pages),
        )
        job = CrawlJob(uuid.uuid4().hex, url, limits)
        state.admit(job)
        return created(job)

    @app.get("/crawl/{crawl_id}", dependencies=[Depends(auth)])
    async def crawl_status(
        crawl_id: str, limit: Annotated[int, Query(ge=0, le=PREVIEW_MAX)] = 20
    ) -> dict[str, Any]:
        crawl = find(crawl_id)
        if crawl.job_id is not None and container is not None and crawl.finished is None:
            job = await container.store.get_job(crawl.job_id)  # pages: the job's counter (the use case's)
            crawl.pages = job.pages if job is not None else crawl.pages
        return crawl.view(limit)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Ready when it can take crawls: standalone always; attached to HighPipe, while its store and bus
        answer (a crawl for a job writes to both)."""
        if container is None:
            return JSONResponse({"status": "ready", "checks": {}, "required": []})
        from highpipe.entrypoints.workers import check_dependency

        checks = {name: await check_dependency(container, name) for name in ("store", "bus")}
        ok = all(checks.values())
        body = {"status": "ready" if ok else "unavailable", "checks": checks, "required": ["store", "bus"]}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics() -> str:
        running = sum(j.status == "running" for j in state.jobs.values())
        lines = [
            "# TYPE highpipe_crawler_jobs_total counter",
            *(
                f'highpipe_crawler_jobs_total{{status="{s}"}} {state.counters.get("jobs_" + s, 0)}'
                for s in ("completed", "failed")
            ),
            "# TYPE highpipe_crawler_pages_total counter",
            f"highpipe_crawler_pages_total {state.counters.get('pages', 0)}",
            "# TYPE highpipe_crawler_reviews_total counter",
            f"highpipe_crawler_reviews_total {state.counters.get('reviews', 0)}",
            "# TYPE highpipe_crawler_running gauge",
            f"highpipe_crawler_running {running}",
        ]
        return "\n".join(lines) + "\n"

    if mount_demo:
        from highpipe.demo_shop.app import create_app as create_demo

        app.mount("/demo", create_demo())
    return app
