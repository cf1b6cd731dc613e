"""Commands that run servers: serve, demo-shop, and the scale-out roles api, ws, worker, crawler.

Registered on the `highpipe` app by entrypoints/cli.py.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console

from highpipe.config import Settings

err = Console(stderr=True)


def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    demo: Annotated[bool, typer.Option(help="mount the built-in demo shop at /demo/")] = True,
) -> None:
    """Everything in one process: API + page + all workers + the demo shop + the crawler service at /crawler,
    on embedded backends."""
    import uvicorn

    from highpipe.bootstrap import ALL_ROLES, bootstrap
    from highpipe.entrypoints.api.app import create_app
    from highpipe.observability import setup_logging

    settings = Settings(host=host, port=port)
    if demo:  # the demo shop lives on this very server: allow-list it for the crawler
        settings.allow_hosts = [*settings.allow_hosts, f"{host}:{port}", f"localhost:{port}"]
    setup_logging(settings.log_format, settings.log_level)
    container = bootstrap(settings)
    api = create_app(container, roles=ALL_ROLES, mount_demo=demo, mount_crawler=True)
    err.print(
        f"[bold green]HighPipe[/] on [link]http://{host}:{port}/[/]  (API docs: http://{host}:{port}/docs)"
    )
    if demo:
        err.print(
            f"데모 상점 / Demo shop: http://{host}:{port}/demo/  — products: http://{host}:{port}/api/demo/products"
        )
    uvicorn.run(api, host=host, port=port, log_level="warning", ws="websockets-sansio")


def demo_shop(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8001,
) -> None:
    """Run the built-in demo shop alone."""
    from highpipe.demo_shop.app import run

    err.print(f"Demo shop on http://{host}:{port}/demo/")
    run(host=host, port=port)


def _scale_settings(host: str | None, port: int | None) -> Settings:
    """Settings from HIGHPIPE_* env, with --host/--port (when given) taking precedence."""
    given: dict[str, Any] = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    return Settings(**given)


def serve_replica(application: Any, settings: Settings) -> None:
    """Run one scale-out replica (API or WebSocket fan-out) the way every deployment does."""
    import uvicorn

    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ws="websockets-sansio",
        timeout_graceful_shutdown=10,
    )


def api(
    host: Annotated[str | None, typer.Option(help="interface to bind (default HIGHPIPE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default HIGHPIPE_PORT)")] = None,
    demo: Annotated[bool, typer.Option(help="also mount the built-in demo shop at /demo/")] = False,
) -> None:
    """An API replica: REST + WebSocket, no workers (they run as `highpipe worker ...`)."""

    from highpipe.bootstrap import bootstrap
    from highpipe.entrypoints.api.app import create_app
    from highpipe.observability import setup_logging

    settings = _scale_settings(host, port)
    if demo:
        settings.allow_hosts = [
            *settings.allow_hosts,
            f"{settings.host}:{settings.port}",
            f"localhost:{settings.port}",
        ]
    setup_logging(settings.log_format, settings.log_level)
    application = create_app(bootstrap(settings), roles=(), mount_demo=demo)
    err.print(
        f"HighPipe API on http://{settings.host}:{settings.port}/ (bus {settings.bus_url.split('?')[0]})"
    )
    serve_replica(application, settings)


def ws(
    host: Annotated[str | None, typer.Option(help="interface to bind (default HIGHPIPE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default HIGHPIPE_PORT)")] = None,
) -> None:
    """WebSocket fan-out only: /ws/analyses/{id} (live events from Redis, history from the store)."""

    from highpipe.entrypoints.workers import create_ws_app, ws_container
    from highpipe.observability import setup_logging

    settings = _scale_settings(host, port)
    setup_logging(settings.log_format, settings.log_level)
    application = create_ws_app(ws_container(settings))
    err.print(f"HighPipe WebSocket fan-out on ws://{settings.host}:{settings.port}/ws/analyses/{{id}}")
    serve_replica(application, settings)


class WorkerRole(StrEnum):
    crawl = "crawl"
    analyze = "analyze"
    sink = "sink"


def worker(
    role: Annotated[WorkerRole, typer.Argument(help="which worker: crawl | analyze | sink")],
    metrics_host: Annotated[
        str, typer.Option(help="interface for /healthz, /readyz, /metrics")
    ] = "127.0.0.1",
    metrics_port: Annotated[int, typer.Option(help="port for /healthz, /readyz, /metrics")] = 9464,
) -> None:
    """One worker role on the bus until SIGTERM/SIGINT (graceful stop), with health and metrics."""
    from highpipe.entrypoints.workers import run_worker
    from highpipe.observability import setup_logging

    settings = Settings()
    setup_logging(settings.log_format, settings.log_level)
    code = asyncio.run(run_worker(settings, role.value, metrics_host=metrics_host, metrics_port=metrics_port))
    raise typer.Exit(code)


def crawler(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8010,
    concurrency: Annotated[int, typer.Option(help="crawls running at once")] = 4,
    max_jobs: Annotated[int, typer.Option(help="crawl jobs kept in memory")] = 1000,
    demo: Annotated[bool, typer.Option(help="also mount the demo shop at /demo/")] = False,
    jobs: Annotated[
        bool | None,
        typer.Option(
            help="attach to HighPipe's store and bus to crawl for its jobs (POST /crawl {job_id}); "
            "default: when HIGHPIPE_BUS_URL is not memory://"
        ),
    ] = None,
) -> None:
    """The crawler as an HTTP service: POST /crawl, GET /crawl/{id}, /healthz, /metrics."""
    import uvicorn

    from highpipe.entrypoints.crawler_service import create_crawler_app
    from highpipe.observability import setup_logging

    settings = Settings()
    if demo:
        settings.allow_hosts = [*settings.allow_hosts, f"{host}:{port}", f"localhost:{port}"]
    setup_logging(settings.log_format, settings.log_level)
    # Crawling for jobs publishes their reviews on the bus: an in-process memory bus has no worker to
    # read them, so by default only a crawler on the cluster's bus (Kafka) attaches.
    attach = jobs if jobs is not None else not settings.bus_url.startswith("memory:")
    container = None
    if attach:
        from highpipe.bootstrap import bootstrap

        container = bootstrap(settings)  # started with no bus consumers by the app's lifespan
    application = create_crawler_app(
        settings,
        container=container,
        manage_container=True,
        max_concurrency=max(concurrency, 1),
        max_jobs=max(max_jobs, 1),
        mount_demo=demo,
    )
    attached = f"; jobs of bus {settings.bus_url.split('?')[0]}" if container is not None else ""
    err.print(f"HighPipe crawler on http://{host}:{port}/ (POST /crawl, GET /crawl/{{id}}{attached})")
    uvicorn.run(application, host=host, port=port, log_level="warning")
