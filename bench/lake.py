"""Lake write benchmark: the sink's lake path for a 100-job run, reviews/s and the files it leaves behind.

100 jobs (20 synthetic products x 5 runs each, so 80 are re-runs of a product already in the lake), each
collecting --reviews reviews in crawler-sized batches of 50, 8 jobs in flight. Every batch goes through
`SinkService.handle_collected` (raw/reviews append + curated/reviews upsert), then its analyses through the
sink's `analysis_lake_row` + upsert into curated/review_analyses, and each job ends with the sink's
`lake.flush()`. Measured per lake: wall time from the first batch to the end of `stop()` (all durable),
reviews/s, data files per dataset, the same after `compact`, and that curated holds one row per review.

Lakes: `file-unbuffered` (every message written at once: the old behaviour), `file` (BufferedLake, the
default), and `s3` (BufferedLake on the S3 server of --s3-url / HIGHPIPE_TEST_S3_URL; skipped without one).
Writes bench/results/lake.json.

    uv run python bench/lake.py [--reviews 200] [--s3-url 's3://bucket?endpoint=http://127.0.0.1:18333&create_bucket=1']
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

from highpipe.adapters.lake import open_lake  # noqa: E402
from highpipe.adapters.lake.buffered import BufferedLake  # noqa: E402
from highpipe.adapters.lake.core import ArrowLake  # noqa: E402
from highpipe.domain.events import ReviewsCollected  # noqa: E402
from highpipe.domain.models import ReviewAnalysis  # noqa: E402
from highpipe.ports.bus import Message  # noqa: E402
from highpipe.ports.lake import Lake  # noqa: E402
from highpipe.services.sink import SinkService, analysis_lake_row  # noqa: E402

PRODUCTS, RUNS, BATCH, IN_FLIGHT = 20, 5, 50, 8
DATASETS = ("raw/reviews", "curated/reviews", "curated/review_analyses")
_WORDS = ("배송", "포장", "가격", "품질", "사이즈", "디자인", "색상", "냄새", "재구매", "교환")
_TAILS = ("빨라요", "좋아요", "별로예요", "만족합니다", "아쉬워요", "최고예요")


def _review(product: int, n: int, run: int) -> dict[str, Any]:
    word, tail = _WORDS[(product + n) % len(_WORDS)], _TAILS[(n * 7 + run) % len(_TAILS)]
    return {
        "review_uid": f"demo:p{product}-r{n}",
        "product_id": f"demo:p{product}",
        "site": "demo",
        "text": f"{word} {tail} ({n}번째 후기, {run}회차)",
        "rating": float(1 + (n % 5)),
        "date": (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n)).isoformat(),
        "author_hash": f"{(product * 7919 + n) % 100003:08x}",
        "author_display": "김**",
        "helpful": n % 13,
    }


def _analysis(review: dict[str, Any]) -> ReviewAnalysis:
    label = "positive" if review["rating"] >= 4 else "negative" if review["rating"] <= 2 else "neutral"
    return ReviewAnalysis.model_validate(
        {
            "review_uid": review["review_uid"],
            "sentiment": {"label": label, "score": 0.9},
            "aspects": [
                {
                    "aspect_id": "delivery",
                    "aspect": "배송",
                    "polarity": label,
                    "clause": review["text"],
                    "score": 0.8,
                }
            ],
            "emotions": ["satisfaction"] if label == "positive" else ["disappointment"],
            "model_version": "bench",
        }
    )


async def _job(sink: SinkService, lake: Lake, product: int, run: int, reviews: int) -> None:
    job_id = str(uuid.uuid4())
    batch_no = 0
    for start in range(0, reviews, BATCH):
        batch = [_review(product, n, run) for n in range(start, min(reviews, start + BATCH))]
        message = ReviewsCollected.model_validate({"job_id": job_id, "batch": batch_no, "reviews": batch})
        await sink.handle_collected(Message("reviews.collected", job_id, message.model_dump(mode="json")))
        rows = [analysis_lake_row(_analysis(r), job_id, f"demo:p{product}", "demo") for r in batch]
        await lake.upsert("curated", "review_analyses", rows)
        batch_no += 1
        await asyncio.sleep(0)  # let the other jobs in flight interleave, as on the bus
    await lake.flush()  # what the sink does on a job's final batch


def _files(lake: ArrowLake) -> dict[str, int]:
    return {name: len(lake.live_files(name)) for name in DATASETS}


async def run_lake(name: str, lake: Lake, reviews: int) -> dict[str, Any]:
    inner = lake.inner if isinstance(lake, BufferedLake) else lake
    assert isinstance(inner, ArrowLake)
    await lake.start()
    sink = SinkService(None, None, lake, None, "")  # type: ignore[arg-type]  # handle_collected needs only the lake
    plan = [(p, r) for r in range(RUNS) for p in range(PRODUCTS)]
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(product: int, run: int) -> None:
        async with gate:
            await _job(sink, lake, product, run, reviews)

    started = time.perf_counter()
    await asyncio.gather(*(one(p, r) for p, r in plan))
    await lake.stop()
    seconds = time.perf_counter() - started
    await inner.start()
    files_after_run = _files(inner)
    counts = Counter(r["review_uid"] for r in await inner.read("curated", "reviews"))
    raw_rows = len(await inner.read("raw", "reviews"))
    compact_started = time.perf_counter()
    for dataset in DATASETS:
        layer, _, ds_name = dataset.partition("/")
        await inner.compact(layer, ds_name)
    compact_s = time.perf_counter() - compact_started
    files_after_compact = _files(inner)
    await inner.stop()
    total = len(plan) * reviews
    return {
        "lake": name,
        "jobs": len(plan),
        "reviews_written": total,
        "seconds": round(seconds, 2),
        "reviews_per_s": round(total / seconds, 1),
        "data_files_after_run": files_after_run,
        "data_files_after_compact": files_after_compact,
        "compact_seconds": round(compact_s, 2),
        "raw_rows": raw_rows,
        "curated_rows": sum(counts.values()),
        "curated_unique_keys": len(counts),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=200, help="reviews per job")
    parser.add_argument("--s3-url", default=os.environ.get("HIGHPIPE_TEST_S3_URL", ""))
    parser.add_argument("--s3-server", default=os.environ.get("HIGHPIPE_BENCH_S3_SERVER", "seaweedfs"))
    parser.add_argument("--only", default="", help="comma-separated lakes to run (default: all)")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="highpipe-lake-bench-") as tmp:
        lakes: list[tuple[str, Lake]] = [
            ("file-unbuffered", open_lake(f"{tmp}/unbuffered", flush_rows=0)),
            ("file", open_lake(f"{tmp}/buffered")),
        ]
        if args.s3_url:
            base, _, query = args.s3_url.partition("?")
            lakes.append(("s3", open_lake(f"{base.rstrip('/')}/bench-{uuid.uuid4().hex[:8]}?{query}")))
        wanted = set(filter(None, args.only.split(",")))
        for name, lake in lakes:
            if wanted and name not in wanted:
                continue
            result = await run_lake(name, lake, args.reviews)
            if name == "s3":
                result["s3_server"] = args.s3_server
            print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
            results.append(result)
    out = {
        "benchmark": "lake writes from the sink, 100-job run",
        "workload": {
            "jobs": PRODUCTS * RUNS,
            "products": PRODUCTS,
            "runs_per_product": RUNS,
            "reviews_per_job": args.reviews,
            "batch": BATCH,
            "jobs_in_flight": IN_FLIGHT,
        },
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "results": results,
    }
    target = ROOT / "bench" / "results" / "lake.json"
    target.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
