"""The FastAPI application: REST + WebSocket + a minimal page, built around a bootstrapped Container."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from highpipe import __version__
from highpipe.bootstrap import Container, Role
from highpipe.entrypoints.api import analyses, ops, ws


def create_app(container: Container, *, roles: tuple[Role, ...] = (), mount_demo: bool = False) -> FastAPI:
    """The app; its lifespan starts the container with the given worker roles (serve: all of them)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await container.start(roles)
        try:
            yield
        finally:
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

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        page = resources.files("highpipe.entrypoints.api").joinpath("static/index.html").read_text("utf-8")
        return HTMLResponse(page)

    if mount_demo:
        from highpipe.demo_shop.app import create_app as create_demo

        app.mount("/demo", create_demo())
    return app
