"""Crawler benchmark: plain HTTP (httpx) against the Selenium pool (headless Chromium), side by side, on loopback.

The demo shop runs on a free loopback port. Both paths crawl the same product with the same generic
(schema.org) extractor and 20 reviews a page: httpx reads the server-rendered pages
(`/demo/products/<pid>/reviews?page=N`), the browser the script-rendered ones (`/live?page=N`, through
the fallback: one plain fetch, then rendering). Reported, all from one run:

- pages/s and reviews/s of each path and their ratio (--pages pages each);
- memory of one driver (RSS and PSS of the chromedriver + Chromium process tree) and of the pool at
  steady state (pool of 2 busy with two concurrent jobs; median of samples);
- time to first review of the 5,000-review product (`bench-5k`): httpx through the demo JSON API, and the
  browser path cold (Chromium launch included) and warm (a pooled driver).

Bounded: about 3 x --pages pages in all. Needs Debian's chromium and chromium-driver (`make browser-deps`).
Writes bench/results/crawl.json.

    uv run python bench/crawl.py [--product bench-2k] [--pages 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from highpipe.adapters.fetch.browser import BrowserFetcher
from highpipe.adapters.fetch.browser_config import BrowserConfig
from highpipe.adapters.fetch.browser_pool import BrowserPool
from highpipe.adapters.fetch.fallback import FallbackFetcher
from highpipe.adapters.fetch.http import HttpFetcher
from highpipe.config import Settings
from highpipe.crawl.base import CrawlLimits, Extractor
from highpipe.crawl.demo import DemoShopExtractor
from highpipe.crawl.schema_org import SchemaOrgExtractor
from highpipe.demo_shop.app import create_app
from highpipe.ports.fetch import Fetcher

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def start_shop() -> tuple[uvicorn.Server, int]:
    app = FastAPI()
    app.mount("/demo", create_app())
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, int(server.servers[0].sockets[0].getsockname()[1])


async def crawl(extractor: Extractor, url: str, fetcher: Fetcher, pages: int) -> dict[str, float]:
    started = time.perf_counter()
    first: float | None = None
    n_pages = n_reviews = 0
    async for page in extractor.pages(url, fetcher, CrawlLimits(max_reviews=100_000, max_pages=pages)):
        n_pages += 1
        n_reviews += len(page.reviews)
        if first is None and page.reviews:
            first = time.perf_counter() - started
    seconds = time.perf_counter() - started
    return {
        "pages": n_pages,
        "reviews": n_reviews,
        "seconds": round(seconds, 3),
        "pages_per_s": round(n_pages / seconds, 2),
        "reviews_per_s": round(n_reviews / seconds, 1),
        "first_review_s": round(first or seconds, 3),
    }


def browser_fetcher(settings: Settings, pool: BrowserPool) -> FallbackFetcher:
    return FallbackFetcher(HttpFetcher(settings), lambda: BrowserFetcher(pool), mode="auto")


async def sample_memory(pool: BrowserPool, samples: list[tuple[int, int]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        usage = pool.memory()
        if len(usage) == pool.config.pool_size:
            samples.append((sum(r for r, _ in usage.values()), sum(p for _, p in usage.values())))
        await asyncio.sleep(0.5)


async def run(product: str, pages: int) -> dict[str, Any]:
    server, port = start_shop()
    base = f"http://127.0.0.1:{port}/demo/products"
    settings = Settings(allow_hosts=[f"127.0.0.1:{port}"], respect_robots=False, fetch_retries=0)
    pool = BrowserPool(BrowserConfig(pool_size=2), allow_hosts=settings.allow_hosts)
    generic = SchemaOrgExtractor()
    try:
        # Warm the shop (it generates a product's reviews on first request) so no path pays for that.
        for pid in (product, "bench-5k"):
            warm = HttpFetcher(settings)
            await warm.start()
            await warm.get(f"{base}/{pid}/reviews")
            await warm.stop()

        # Time to first review, 5,000-review product.
        http = HttpFetcher(settings)
        await http.start()
        ttfr_api = await crawl(DemoShopExtractor(), f"{base}/bench-5k", http, 1)
        await http.stop()
        ttfr = {"http_json_api_s": ttfr_api["first_review_s"]}
        for label in ("browser_cold_s", "browser_warm_s"):  # cold: the pool launches its first driver
            fetcher = browser_fetcher(settings, pool)
            await fetcher.start()
            result = await crawl(generic, f"{base}/bench-5k/live", fetcher, 1)
            await fetcher.stop()
            ttfr[label] = result["first_review_s"]

        # Throughput on the same product and pages.
        http = HttpFetcher(settings)
        await http.start()
        plain = await crawl(generic, f"{base}/{product}/reviews", http, pages)
        await http.stop()
        fetcher = browser_fetcher(settings, pool)
        await fetcher.start()
        rendered = await crawl(generic, f"{base}/{product}/live", fetcher, pages)
        one_driver = pool.memory()
        await fetcher.stop()

        # Two concurrent browser jobs on a pool of 2: aggregate rate and steady-state pool memory.
        samples: list[tuple[int, int]] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(pool, samples, stop))
        jobs = [browser_fetcher(settings, pool) for _ in range(2)]
        for job in jobs:
            await job.start()
        started = time.perf_counter()
        results = await asyncio.gather(
            *(crawl(generic, f"{base}/{product}/live", job, pages // 2) for job in jobs)
        )
        both_s = time.perf_counter() - started
        stop.set()
        await sampler
        for job in jobs:
            await job.stop()
        per_driver = [usage for usage in one_driver.values()]
    finally:
        await pool.close()
        server.should_exit = True
    pool_pages = sum(int(r["pages"]) for r in results)
    return {
        "product": product,
        "pages_per_path": pages,
        "http": plain,
        "browser": rendered,
        "ratio_http_over_browser": {
            "pages_per_s": round(plain["pages_per_s"] / rendered["pages_per_s"], 1),
            "reviews_per_s": round(plain["reviews_per_s"] / rendered["reviews_per_s"], 1),
        },
        "browser_pool_of_2": {
            "jobs": 2,
            "pages": pool_pages,
            "seconds": round(both_s, 3),
            "pages_per_s": round(pool_pages / both_s, 2),
        },
        "memory": {
            "per_driver_rss_mb": round(per_driver[0][0] / MB, 1) if per_driver else None,
            "per_driver_pss_mb": round(per_driver[0][1] / MB, 1) if per_driver else None,
            "pool_size": 2,
            "pool_steady_rss_mb": round(statistics.median(s[0] for s in samples) / MB, 1)
            if samples
            else None,
            "pool_steady_pss_mb": round(statistics.median(s[1] for s in samples) / MB, 1)
            if samples
            else None,
            "samples": len(samples),
            "note": "RSS sums count pages shared between Chromium processes once per process; PSS divides them",
        },
        "time_to_first_review_5k": ttfr,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--product", default="bench-2k")
    parser.add_argument("--pages", type=int, default=50, help="pages per path (bounded: at most 150)")
    args = parser.parse_args()
    pages = max(2, min(args.pages, 150))
    result = asyncio.run(run(args.product, pages))
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, check=False)
    result["machine"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "chromium": chromium.stdout.strip().splitlines()[-1] if chromium.stdout.strip() else None,
    }
    out = ROOT / "bench" / "results" / "crawl.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
