"""One-shot commands: analyze, model train|eval, crawl extract, search.

Registered on the `highpipe` app by entrypoints/cli.py.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from highpipe.config import Settings

err = Console(stderr=True)


def _parse_map(values: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in values:
        if "=" not in item:
            raise typer.BadParameter(f"--map needs ours=theirs, e.g. text=리뷰내용 (got {item!r})")
        ours, theirs = item.split("=", 1)
        mapping[ours.strip()] = theirs.strip()
    return mapping


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
    time_budget: Annotated[
        float | None, typer.Option(min=0.1, help="stop collecting after this many seconds")
    ] = None,
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
                time_budget_s=time_budget,
            )
        )
    except KeyboardInterrupt:
        code = 130
    raise typer.Exit(code)


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


def model_eval(
    shared: Annotated[Path, typer.Option(help="the shared data folder")] = Path("../shared"),
    model_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Metrics of the model on the fixed test splits of DATA.md."""
    from highpipe.analysis.evaluate import evaluate_model

    print(json.dumps(evaluate_model(shared, model_dir), ensure_ascii=False, indent=2, default=str))


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
