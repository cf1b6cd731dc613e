"""The FastAPI application: REST + WebSocket + the web app, built around a bootstrapped Container.

The page at `/` is the built web app (`web/dist`, or the folder named by `HIGHPIPE_WEB_DIST`) when it exists,
with its assets under `/assets` and its client-side routes (`/analyses/...`, `/history`, `/compare`, `/alerts`); without a
build it is the minimal page in `static/index.html`. With `mount_crawler` (`highpipe serve`), the crawler
service (entrypoints/crawler_service.py) answers under `/crawler` (`POST /crawler/crawl`), sharing the container.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from highpipe import __version__
from highpipe.adapters.store.base import StoreUnavailable
from highpipe.bootstrap import Container, Role
from highpipe.entrypoints.api import alerts, analyses, ops, search, watchlist, ws

log = logging.getLogger(__name__)


def web_dist() -> Path | None:
    """The built web app's folder if it has an index.html: HIGHPIPE_WEB_DIST, else <repo>/web/dist."""
    configured = os.environ.get("HIGHPIPE_WEB_DIST")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[4] / "web" / "dist"
    return folder if (folder / "index.html").is_file() else None


def create_app(
    container: Container,
    *,
    roles: tuple[Role, ...] = (),
    mount_demo: bool = False,
    mount_crawler: bool = False,
) -> FastAPI:
    """The app; its lifespan starts the container with the given worker roles (serve: all of them)."""
    crawler = None
    if mount_crawler:
        from highpipe.entrypoints.crawler_service import create_crawler_app

        crawler = create_crawler_app(container.settings, container=container)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await container.start(roles)
        try:
            yield
        finally:
            if crawler is not None:  # a mounted app's own lifespan never runs: end its crawls here,
                await crawler.state.crawler.shutdown()  # before the store they write to stops
            await container.stop()

    app = FastAPI(
        title="HighPipe",
        version=__version__,
        description="상품 리뷰 실시간 분석 / Real-time product-review intelligence.",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.demo_mounted = mount_demo
    app.include_router(ops.router)
    app.include_router(analyses.router)
    app.include_router(ws.router)
    app.include_router(search.router)
    app.include_router(watchlist.router)
    app.include_router(watchlist.fail_router)
    app.include_router(alerts.router)

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        container.metrics.http_latency.labels(request.method, path, str(response.status_code)).observe(
            time.perf_counter() - start
        )
        return response

    @app.exception_handler(RuntimeError)
    async def unavailable(request: Request, exc: RuntimeError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": "서비스를 일시적으로 사용할 수 없습니다 / Service temporarily unavailable.",
                "error": str(exc),
            },
            status_code=503,
        )

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        # The database is away (down, restarting): a clear, retryable answer instead of a 500.
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {
                "detail": "데이터베이스에 일시적으로 연결할 수 없습니다. 잠시 후 다시 시도하세요 / "
                "The database is temporarily unavailable; please retry shortly.",
                "error": "store_unavailable",
            },
            status_code=503,
            headers={"Retry-After": "5"},
        )

    dist = web_dist()
    if dist is not None and (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="web-assets")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        if dist is not None:  # no-cache: a rebuilt app (new asset hashes) is picked up on the next load
            return HTMLResponse(
                (dist / "index.html").read_text("utf-8"), headers={"Cache-Control": "no-cache"}
            )
        page = resources.files("highpipe.entrypoints.api").joinpath("static/index.html").read_text("utf-8")
        return HTMLResponse(page)

    if dist is not None:  # the web app's own routes (never /api, /ws, /docs, /demo, ...): its index.html
        for route in ("/analyses/{job_id}", "/history", "/compare", "/alerts"):
            app.add_api_route(
                route, index, methods=["GET"], response_class=HTMLResponse, include_in_schema=False
            )

    if crawler is not None:
        app.mount("/crawler", crawler)
    if mount_demo:
        from highpipe.demo_shop.app import create_app as create_demo

        app.mount("/demo", create_demo())
    return app
