"""The `highpipe` command: serve, analyze, search, demo-shop, model, crawl extract, crawler, and the
scale-out roles.

Scale-out roles (settings from HIGHPIPE_* env, e.g. HIGHPIPE_BUS_URL=kafka://...): `api` (REST + WebSocket,
no workers), `ws` (WebSocket fan-out only) and `worker crawl|analyze|sink` (see entrypoints/workers.py).
"""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from highpipe.config import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="HighPipe: 상품 리뷰 실시간 분석")
model_app = typer.Typer(no_args_is_help=True, help="Rebuild or measure the shipped analyser model.")
crawl_app = typer.Typer(no_args_is_help=True, help="Crawler tools.")
app.add_typer(model_app, name="model")
app.add_typer(crawl_app, name="crawl")
err = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    demo: Annotated[bool, typer.Option(help="mount the built-in demo shop at /demo/")] = True,
) -> None:
    """Everything in one process: API + page + all workers + the demo shop, on embedded backends."""
    import uvicorn

    from highpipe.bootstrap import ALL_ROLES, bootstrap
    from highpipe.entrypoints.api.app import create_app
    from highpipe.observability import setup_logging

    settings = Settings(host=host, port=port)
    if demo:  # the demo shop lives on this very server: allow-list it for the crawler
        settings.allow_hosts = [*settings.allow_hosts, f"{host}:{port}", f"localhost:{port}"]
    setup_logging(settings.log_format, settings.log_level)
    container = bootstrap(settings)
    api = create_app(container, roles=ALL_ROLES, mount_demo=demo)
    err.print(
        f"[bold green]HighPipe[/] on [link]http://{host}:{port}/[/]  (API docs: http://{host}:{port}/docs)"
    )
    if demo:
        err.print(
            f"데모 상점 / Demo shop: http://{host}:{port}/demo/  — products: http://{host}:{port}/api/demo/products"
        )
    uvicorn.run(api, host=host, port=port, log_level="warning", ws="websockets-sansio")


@app.command("demo-shop")
def demo_shop(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8001,
) -> None:
    """Run the built-in demo shop alone."""
    from highpipe.demo_shop.app import run

    err.print(f"Demo shop on http://{host}:{port}/")
    run(host=host, port=port)


def _scale_settings(host: str | None, port: int | None) -> Settings:
    """Settings from HIGHPIPE_* env, with --host/--port (when given) taking precedence."""
    given: dict[str, Any] = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    return Settings(**given)


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="interface to bind (default HIGHPIPE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default HIGHPIPE_PORT)")] = None,
    demo: Annotated[bool, typer.Option(help="also mount the built-in demo shop at /demo/")] = False,
) -> None:
    """An API replica: REST + WebSocket, no workers (they run as `highpipe worker ...`)."""
    import uvicorn

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
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ws="websockets-sansio",
        timeout_graceful_shutdown=10,
    )


@app.command()
def ws(
    host: Annotated[str | None, typer.Option(help="interface to bind (default HIGHPIPE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default HIGHPIPE_PORT)")] = None,
) -> None:
    """WebSocket fan-out only: /ws/analyses/{id} (live events from Redis, history from the store)."""
    import uvicorn

    from highpipe.entrypoints.workers import create_ws_app, ws_container
    from highpipe.observability import setup_logging

    settings = _scale_settings(host, port)
    setup_logging(settings.log_format, settings.log_level)
    application = create_ws_app(ws_container(settings))
    err.print(f"HighPipe WebSocket fan-out on ws://{settings.host}:{settings.port}/ws/analyses/{{id}}")
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ws="websockets-sansio",
        timeout_graceful_shutdown=10,
    )


class WorkerRole(StrEnum):
    crawl = "crawl"
    analyze = "analyze"
    sink = "sink"


@app.command()
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


def _parse_map(values: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in values:
        if "=" not in item:
            raise typer.BadParameter(f"--map needs ours=theirs, e.g. text=리뷰내용 (got {item!r})")
        ours, theirs = item.split("=", 1)
        mapping[ours.strip()] = theirs.strip()
    return mapping


@app.command()
def analyze(
    target: Annotated[
        str, typer.Argument(help="a product URL, or a review file (CSV/TSV/JSONL/XLSX, .gz ok)")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    out: Annotated[Path | None, typer.Option(help="write per-review analyses as JSONL")] = None,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="column mapping, e.g. text=리뷰내용")
    ] = None,
    rating_scale: Annotated[int | None, typer.Option(help="5 or 10")] = None,
    max_reviews: Annotated[int | None, typer.Option(help="stop collecting after this many")] = None,
    allow_host: Annotated[
        list[str] | None, typer.Option(help="exempt host[:port] from the SSRF guard")
    ] = None,
) -> None:
    """One analysis in the terminal, with live progress; prints the report."""
    from highpipe.entrypoints.run_once import run_analysis

    if rating_scale not in (None, 5, 10):
        raise typer.BadParameter("--rating-scale must be 5 or 10")
    settings = Settings(database_url="sqlite+aiosqlite://", lake_url="")
    if allow_host:
        settings.allow_hosts = [*settings.allow_hosts, *allow_host]
    try:
        code = asyncio.run(
            run_analysis(
                settings,
                target,
                as_json=as_json,
                out=out,
                mapping=_parse_map(map_ or []),
                rating_scale=rating_scale,
                max_reviews=max_reviews,
            )
        )
    except KeyboardInterrupt:
        code = 130
    raise typer.Exit(code)


@model_app.command("train")
def model_train(
    shared: Annotated[Path, typer.Option(help="the shared data folder")] = Path("../shared"),
    out: Annotated[
        Path | None, typer.Option(help="where to write the model (default: the package's)")
    ] = None,
    seed: Annotated[int, typer.Option()] = 13,
) -> None:
    """Rebuild the shipped analyser model from ../shared/data."""
    from highpipe.analysis.train import train_model

    target = out or Path(__file__).resolve().parents[1] / "analysis" / "models"
    manifest = train_model(shared, target, seed=seed)
    print(json.dumps(manifest, ensure_ascii=False, indent=2, default=str))


@model_app.command("eval")
def model_eval(
    shared: Annotated[Path, typer.Option(help="the shared data folder")] = Path("../shared"),
    model_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Metrics of the model on the fixed test splits of DATA.md."""
    from highpipe.analysis.evaluate import evaluate_model

    print(json.dumps(evaluate_model(shared, model_dir), ensure_ascii=False, indent=2, default=str))


@crawl_app.command("extract")
def crawl_extract(
    file: Annotated[Path, typer.Argument(help="a saved page (.html or .json)")],
    site: Annotated[
        str, typer.Option(help="extractor: coupang, naver, amazon, 11st, demo, web (schema.org)")
    ],
    url: Annotated[str, typer.Option(help="the page's original URL")] = "https://example.com/product",
    as_json: Annotated[bool, typer.Option("--json")] = True,
) -> None:
    """Run one site extractor on a saved page and print the product and its reviews."""
    from highpipe.crawl.base import UnsupportedPage
    from highpipe.crawl.registry import UnknownSite, get_extractor
    from highpipe.ports.fetch import FetchError

    try:
        page = get_extractor(site).extract(file.read_text(encoding="utf-8"), url)
    except (UnknownSite, UnsupportedPage, FetchError, OSError) as exc:
        err.print(f"[red]{getattr(exc, 'reason', None) or exc}")
        raise typer.Exit(2) from exc
    doc: dict[str, Any] = {
        "product": page.product.model_dump(mode="json") if page.product else None,
        "total_estimate": page.total_estimate,
        "reviews": [
            {
                "id": r.site_review_id,
                "rating": r.normalised_rating(),
                "title": r.title,
                "text": r.text,
                "date": r.date.isoformat() if r.date else None,
                "author": r.author,
                "option": r.option,
                "helpful": r.helpful,
            }
            for r in page.reviews
        ],
    }
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2 if as_json else None)
    print()


@app.command()
def search(
    keyword: Annotated[str, typer.Argument(help="what to search for, e.g. 티셔츠")],
    site: Annotated[str, typer.Option(help="coupang | naver | demo")] = "coupang",
    as_json: Annotated[bool, typer.Option("--json", help="print the candidates as JSON")] = False,
    limit: Annotated[int, typer.Option(help="at most this many candidates")] = 20,
    demo_base: Annotated[
        str, typer.Option(help="where the demo shop lives (for --site demo)")
    ] = "http://127.0.0.1:8000/demo",
    allow_host: Annotated[
        list[str] | None, typer.Option(help="exempt host[:port] from the SSRF guard")
    ] = None,
) -> None:
    """Search a shop by keyword and list candidate products (ranked) to pick one to analyse."""
    from dataclasses import asdict
    from urllib.parse import urlsplit

    from highpipe.crawl.base import UnsupportedPage
    from highpipe.crawl.search import candidates_text
    from highpipe.entrypoints.crawler_service import default_fetcher_factory
    from highpipe.ports.fetch import FetchError
    from highpipe.services.search import search_products

    if not keyword.strip():
        raise typer.BadParameter("검색어가 비어 있습니다 / the keyword is empty")
    settings = Settings()
    extra = list(allow_host or [])
    if site.strip().lower() in ("demo", "데모"):  # the user named this demo shop: let the guard pass it
        extra.append(urlsplit(demo_base).netloc)
    settings.allow_hosts = [*settings.allow_hosts, *extra]
    fetcher = default_fetcher_factory(settings)()
    try:
        found = asyncio.run(
            search_products(site, " ".join(keyword.split()), fetcher, demo_base=demo_base, limit=limit)
        )
    except (UnsupportedPage, FetchError) as exc:
        err.print(f"[red]{getattr(exc, 'reason', None) or exc}")
        raise typer.Exit(2) from exc
    if as_json:
        json.dump([asdict(c) for c in found], sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif found:
        print(candidates_text(found))
    else:
        err.print("검색 결과가 없습니다 / No products found.")


@app.command()
def crawler(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8010,
    concurrency: Annotated[int, typer.Option(help="crawls running at once")] = 4,
    max_jobs: Annotated[int, typer.Option(help="crawl jobs kept in memory")] = 1000,
    demo: Annotated[bool, typer.Option(help="also mount the demo shop at /demo/")] = False,
) -> None:
    """The crawler as an HTTP service: POST /crawl, GET /crawl/{id}, /healthz, /metrics."""
    import uvicorn

    from highpipe.entrypoints.crawler_service import create_crawler_app
    from highpipe.observability import setup_logging

    settings = Settings()
    if demo:
        settings.allow_hosts = [*settings.allow_hosts, f"{host}:{port}", f"localhost:{port}"]
    setup_logging(settings.log_format, settings.log_level)
    application = create_crawler_app(
        settings, max_concurrency=max(concurrency, 1), max_jobs=max(max_jobs, 1), mount_demo=demo
    )
    err.print(f"HighPipe crawler on http://{host}:{port}/ (POST /crawl, GET /crawl/{{id}})")
    uvicorn.run(application, host=host, port=port, log_level="warning")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
