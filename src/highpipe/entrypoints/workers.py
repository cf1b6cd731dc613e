"""The separate process roles of the scale-out mode: workers and the WebSocket fan-out.

- `run_worker(settings, role, ...)` is `highpipe worker crawl|analyze|sink`: it bootstraps, subscribes the
  one role to the bus and runs until SIGTERM or SIGINT, then stops gracefully: each in-flight handler
  finishes (or, after the bus's `stop_grace_s`, is handed back uncommitted), offsets are committed and
  the consumer group is left, so another member takes the partitions over at once. A second signal
  exits at once. While a dependency is down at start-up it retries with backoff instead of exiting.
- Beside it, a small HTTP server (`--metrics-host`/`--metrics-port`): `/healthz` (the process lives),
  `/readyz` (200 once subscribed and the role's dependencies answer, else 503 with the checks) and
  `/metrics` (Prometheus text, with `highpipe_bus_consumer_lag{topic,group}` from the Kafka bus).
- `create_ws_app(container)` is `highpipe ws`: only `/ws/analyses/{id}` plus health and metrics. It needs
  the store and the cache (live events come through Redis pub/sub from the sink), never the bus.

Dependencies per role (what `/readyz` requires; every check is reported): crawl — store, bus and a
readable `HIGHPIPE_UPLOAD_DIR`; analyze — store, bus; sink — store, bus; ws — store. The cache is always
reported but never required (the roles degrade without it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import Gauge

from highpipe import __version__
from highpipe.adapters import registry
from highpipe.bootstrap import Container, Role, bootstrap
from highpipe.config import Settings
from highpipe.entrypoints.api import ws
from highpipe.observability import Metrics

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S: Final = 5.0
STOP_TIMEOUT_S: Final = 60.0
MAX_RETRY_S: Final = 10.0
METRICS_MEDIA_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
Check = Literal["store", "bus", "cache", "uploads"]
NEEDS: Final[dict[str, tuple[Check, ...]]] = {
    "crawl": ("store", "bus", "uploads"),
    "analyze": ("store", "bus"),
    # The cache is reported but not required: without Redis the roles degrade (events refill from the
    # store, rate limits count locally) rather than stop.
    "sink": ("store", "bus"),
    "ws": ("store",),
}
# Reported by /readyz: the role's needs and the usual three, so that a person sees the whole picture.
REPORTED: Final[dict[str, tuple[Check, ...]]] = {
    role: tuple(dict.fromkeys((*needs, "store", "bus", "cache")))
    for role, needs in NEEDS.items()
    if role != "ws"
} | {"ws": ("store", "cache")}


async def check_dependency(container: Container | None, name: Check) -> bool:
    """One dependency answers within CHECK_TIMEOUT_S (any failure or timeout: not ready, never a 500)."""
    if container is None:
        return False
    if name == "uploads":
        folder = Path(container.settings.upload_dir)
        return folder.is_dir() and os.access(folder, os.R_OK | os.X_OK)
    backend: Any = {"store": container.store, "bus": container.bus, "cache": container.cache}[name]
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            return bool(await backend.healthy())
    except Exception:  # a check that fails in any way means "not ready", never a 500
        return False


async def readiness(container: Container | None, role: str, phase: str) -> JSONResponse:
    """Every dependency's state; ready (200) when running and the role's own dependencies answer."""
    names = REPORTED[role]
    results = await asyncio.gather(*(check_dependency(container, n) for n in names))
    checks = dict(zip(names, results, strict=True))
    ok = phase == "running" and all(checks[n] for n in NEEDS[role])
    body = {
        "status": "ready" if ok else ("unavailable" if phase == "running" else phase),
        "role": role,
        "checks": checks,
        "required": list(NEEDS[role]),
    }
    return JSONResponse(body, status_code=200 if ok else 503)


@dataclass
class WorkerState:
    """What the ops server reports about its worker; `phase` is starting → running → stopping."""

    role: Role
    metrics: Metrics
    container: Container | None = None
    phase: str = "starting"
    lag: Gauge = field(init=False)

    def __post_init__(self) -> None:
        self.lag = Gauge(
            "highpipe_bus_consumer_lag",
            "Messages not yet committed, per topic and consumer group (all members of the group)",
            ["topic", "group"],
            registry=self.metrics.registry,
        )
        Gauge(
            "highpipe_worker_info", "This process's worker role", ["role"], registry=self.metrics.registry
        ).labels(self.role).set(1)

    async def render_metrics(self) -> bytes:
        group_lag: Callable[[], Awaitable[dict[tuple[str, str], int]]] | None = None
        if self.container is not None and self.phase == "running":
            group_lag = getattr(self.container.bus, "group_lag", None)
        if group_lag is not None:
            try:
                async with asyncio.timeout(CHECK_TIMEOUT_S):
                    lags = await group_lag()
            except Exception as exc:  # the broker is away: keep the last values, say so in the log
                log.warning("consumer lag unavailable: %s", exc)
            else:
                for (topic, group), lag in lags.items():
                    self.lag.labels(topic, group).set(lag)
        return self.metrics.render()


def create_ops_app(state: WorkerState) -> FastAPI:
    """The worker's HTTP side: /healthz, /readyz and /metrics."""
    app = FastAPI(
        title=f"HighPipe {state.role} worker",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "role": state.role, "phase": state.phase}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        return await readiness(state.container, state.role, state.phase)

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(await state.render_metrics(), media_type=METRICS_MEDIA_TYPE)

    return app


def create_ws_app(container: Container) -> FastAPI:
    """`highpipe ws`: the WebSocket fan-out alone; its container needs no bus (pass a memory one)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await container.start(())
        try:
            yield
        finally:
            await container.stop()

    app = FastAPI(
        title="HighPipe WebSocket fan-out",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.container = container
    app.include_router(ws.router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "role": "ws"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        return await readiness(container, "ws", "running")

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(container.metrics.render(), media_type=METRICS_MEDIA_TYPE)

    return app


def ws_container(settings: Settings) -> Container:
    """The fan-out's container: store and cache from the settings, an idle in-process bus."""
    return bootstrap(settings, bus=registry.create("bus", "memory://"), lake=None)


class _OpsServer(uvicorn.Server):
    """uvicorn without its own signal handling: the worker decides when the process stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _listen(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port), reuse_port=False)
    except OSError as exc:
        raise SystemExit(
            f"cannot listen on {host}:{port} for /metrics ({exc}); choose --metrics-port"
        ) from exc


async def _stop_quietly(container: Container) -> None:
    """Undo a start that failed half-way (every stop below is a no-op when its backend never started)."""
    parts: list[Any] = [container.bus, container.llm, container.lake, container.cache, container.store]
    for part in parts:
        if part is not None:
            with contextlib.suppress(Exception):
                await part.stop()


def _warm_analyzer(container: Container) -> Any:
    """Load the analyzer and run it once: its first call builds the tokenizer (seconds), which must not
    happen inside the first job (or after a takeover, while the job waits)."""
    from highpipe.domain.models import Review

    analyzer = container.analyzer
    sample = Review(review_uid="warmup:1", product_id="warmup:1", site="warmup", text="배송이 빠르고 좋아요")
    analyzer.analyze([sample])
    return analyzer


async def _start(settings: Settings, state: WorkerState, stop: asyncio.Event) -> Container | None:
    """Bootstrap and subscribe the role, retrying with backoff while a dependency is down; None if stopped."""
    if state.role == "crawl":
        Path(settings.upload_dir).mkdir(parents=True, exist_ok=True)
    first = bootstrap(settings, metrics=state.metrics)
    container: Container | None = first
    analyzer: Any = None
    if state.role == "analyze":  # loaded once, in a thread: /healthz keeps answering meanwhile
        analyzer = await asyncio.to_thread(_warm_analyzer, first)
    delay = 0.5
    while not stop.is_set():
        if container is None:  # a retry: fresh adapters, the same metrics and analyzer
            overrides: dict[str, Any] = {"metrics": state.metrics}
            if analyzer is not None:
                overrides["analyzer"] = analyzer
            container = bootstrap(settings, **overrides)
        state.container = container  # /readyz shows which dependency is missing while we retry
        starting = asyncio.create_task(container.start(roles=(state.role,)))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await starting
            await _stop_quietly(container)
            return None
        exc = starting.exception()
        if exc is None:
            return container
        log.warning("%s worker could not start (%s); retrying in %.1fs", state.role, exc, delay)
        await _stop_quietly(container)
        container = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, MAX_RETRY_S)
    return None


async def run_worker(settings: Settings, role: Role, *, metrics_host: str, metrics_port: int) -> int:
    """Run one worker role until SIGTERM/SIGINT; the exit status (0 after a graceful stop)."""
    state = WorkerState(role, Metrics())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        if stop.is_set():
            log.warning("%s worker: second %s, exiting without waiting", role, sig.name)
            os._exit(128 + sig.value)
        log.info("%s worker: %s received, stopping gracefully", role, sig.name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    sock = _listen(metrics_host, metrics_port)
    config = uvicorn.Config(create_ops_app(state), log_level="warning", lifespan="off", access_log=False)
    server = _OpsServer(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        container = await _start(settings, state, stop)
        if container is not None:
            state.phase = "running"
            log.info(
                "%s worker running (bus %s); /metrics on http://%s:%d",
                role,
                type(container.bus).__name__,
                metrics_host,
                sock.getsockname()[1],
            )
            await stop.wait()
            state.phase = "stopping"
            try:
                await asyncio.wait_for(container.stop(), STOP_TIMEOUT_S)
            except TimeoutError:
                log.error("%s worker did not stop within %.0fs", role, STOP_TIMEOUT_S)
                return 1
        log.info("%s worker stopped", role)
        return 0
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        sock.close()
