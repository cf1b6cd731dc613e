"""End-to-end pipeline benchmark: a 2,000-review demo product through `highpipe serve` on loopback.

Reports reviews/s end to end (submit -> completed), time to first card, and the analysis stage alone
(reviews/s of the analyzer on the same reviews, measured in the same run). Medians of --runs runs.
Writes bench/results/pipeline.json.

    uv run python bench/pipeline.py [--product bench-2k] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port  # noqa: E402

from highpipe.bootstrap import ALL_ROLES, bootstrap  # noqa: E402
from highpipe.config import Settings  # noqa: E402
from highpipe.entrypoints.api.app import create_app  # noqa: E402


async def one_run(product: str, analyzer: Any, workdir: Path) -> dict[str, float]:
    port = free_port()
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{workdir}/bench-{port}.db",
        lake_url=str(workdir / f"lake-{port}"),
        port=port,
        allow_hosts=[f"127.0.0.1:{port}"],
        max_reviews=100_000,
        max_pages=10_000,
        rate_limit_per_minute=1000,
    )
    container = bootstrap(settings, analyzer=analyzer)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(container, roles=ALL_ROLES, mount_demo=True),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            await client.get(f"/demo/api/products/{product}")  # warm the shop's generator
            t0 = time.perf_counter()
            resp = await client.post(
                "/api/analyses", json={"url": f"http://127.0.0.1:{port}/demo/products/{product}"}
            )
            job_id = resp.json()["id"]
            first_card = None
            async with connect(f"ws://127.0.0.1:{port}/ws/analyses/{job_id}") as ws:
                async for raw in ws:
                    event = json.loads(raw)
                    if event["type"] == "card" and first_card is None:
                        first_card = time.perf_counter() - t0
                    if event["type"] in ("completed", "failed", "cancelled"):
                        break
            total = time.perf_counter() - t0
            assert event["type"] == "completed", event
            report = (await client.get(f"/api/analyses/{job_id}/report")).json()
            n = report["total_reviews"]
        rows = await container.store.job_rows(job_id)
        reviews = [r.review for r in rows]
        t1 = time.perf_counter()
        for start in range(0, len(reviews), 200):
            analyzer.analyze(reviews[start : start + 200])
        analysis_only = time.perf_counter() - t1
    finally:
        server.should_exit = True
        await task
    return {
        "reviews": n,
        "end_to_end_s": total,
        "end_to_end_reviews_per_s": n / total,
        "time_to_first_card_s": first_card if first_card is not None else float("nan"),
        "analysis_only_reviews_per_s": len(reviews) / analysis_only,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--product", default="bench-2k")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from highpipe.analysis.engine import LocalAnalyzer

    analyzer = LocalAnalyzer.load()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            result = await one_run(args.product, analyzer, Path(tmp))
            print(f"run {i + 1}: {json.dumps({k: round(v, 3) for k, v in result.items()})}")
            runs.append(result)
    summary = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    summary["analysis_share_of_end_to_end"] = (
        summary["reviews"] / summary["analysis_only_reviews_per_s"]
    ) / summary["end_to_end_s"]
    out = {
        "benchmark": "pipeline",
        "product": args.product,
        "runs": runs,
        "median": summary,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "command": f"uv run python bench/pipeline.py --product {args.product} --runs {args.runs}",
    }
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "pipeline.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
