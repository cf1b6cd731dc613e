"""Throughput of the analysis path through Kafka vs the memory bus, on the same 20,000 reviews.

The path measured is the one of the scale-out roles: `reviews.collected` batches -> the analyse worker
(`AnalyzeService.handle`) -> `reviews.analyzed` -> the sink (`SinkService.handle_analyzed`, analyses
upserted into the store, then the report built and the job completed), with every `job.events` envelope
made durable by the sink on the way (`record_event`). The services are subscribed by `Container.start(
roles=("analyze", "sink"))` exactly as `highpipe worker analyze` and `highpipe worker sink` subscribe
them; here both roles live in this one process (the memory bus cannot cross processes, so that is the
only fair way to compare the two buses). The store is PostgreSQL through PgBouncer for both buses.

The 20,000 reviews are those the demo shop serves for `bench-20k` (generated deterministically by
highpipe.demo_shop.generator), stored under their own product `bench:bus-20k` so that no crawl of the
demo product sees them. Before the clock starts, a run creates a running job and stores and links the
reviews, as the crawl worker would have done; then, timed, a collector task publishes them as
`ReviewsCollected` batches of 100 (the demo crawler's page size) and a final batch, as fast as the bus
takes them, and the clock stops when the sink's `completed` event arrives (through the cache's live
channel, as a WebSocket would see it). The crawler's own per-page progress events are not sent.

An untimed warm-up run per bus first (--warmup-reviews of the same reviews: connections, pools,
the consumer groups' first fetch), then --runs timed rounds that alternate the order (memory, kafka /
kafka, memory, ...) so that the shared machine's load falls on both alike. Each Kafka run uses a topic
namespace of its own (`?topic_prefix=`, one per invocation: its topics are created by the warm-up and
found existing by the timed runs, as long-running workers find them), waits until its consumers own their
partitions before the clock starts; the topics are deleted at the end. Every run deletes its job at the end, and with it the
reviews and analyses no other job links (Store.delete_job), so every run starts from the same state:
reviews inserted (untimed), analyses inserted on the timed path.

Reported per run: wall time and reviews/s, the process's CPU seconds over the same window (all its
threads: the analyser, the bus clients, the store driver) and reviews per CPU-second, which the other
tenants of a shared machine disturb less than wall time, and the events the sink stored by type (card
events are sent every 0.3 s of wall time, so a slower run also has more of them to store). Summary: the
medians per bus, the ratio of the medians, the median of the per-round ratios, and the CPU ratio.

    uv run python bench/bus_throughput.py [--runs 3] [--reviews 20000] [--batch 100]

Needs `make services-up` (PostgreSQL via PgBouncer on HIGHPIPE_PGBOUNCER_PORT, Kafka on
HIGHPIPE_KAFKA_PORT). Writes bench/results/bus_throughput.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from highpipe.adapters.bus.kafka_admin import delete_topics
from highpipe.bootstrap import Container, bootstrap
from highpipe.config import Settings
from highpipe.domain.events import TOPIC_COLLECTED, ReviewsCollected, utcnow
from highpipe.domain.models import Job, Product, Review
from highpipe.domain.raw import RawReview
from highpipe.services.events import live_channel

ROOT = Path(__file__).resolve().parents[1]

OUT = ROOT / "bench" / "results" / "bus_throughput.json"
PRODUCT = Product(product_id="bench:bus-20k", site="bench", title="bus throughput benchmark")
RUN_TIMEOUT_S = 600.0
ASSIGN_TIMEOUT_S = 60.0


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def database_url() -> str:
    user, pw = _env("HIGHPIPE_PG_USER", "highpipe"), _env("HIGHPIPE_PG_PASSWORD", "highpipe")
    port = _env("HIGHPIPE_PGBOUNCER_PORT", "16432")
    db = _env("HIGHPIPE_BENCH_DATABASE", "highpipe")
    return f"postgresql+asyncpg://{user}:{pw}@127.0.0.1:{port}/{db}"


def kafka_url(prefix: str) -> str:
    return f"kafka://127.0.0.1:{_env('HIGHPIPE_KAFKA_PORT', '19092')}?topic_prefix={prefix}"


def bench_reviews(n: int) -> list[Review]:
    """The first n reviews of the demo shop's bench-20k product, as the bench product's reviews."""
    from highpipe.demo_shop.catalog import PRODUCT_BY_ID
    from highpipe.demo_shop.generator import generate_reviews

    spec = PRODUCT_BY_ID["bench-20k"]
    out: list[Review] = []
    for item in generate_reviews(spec)[:n]:
        raw = RawReview(
            text=item.content,
            site_review_id=item.id,
            rating=float(item.rating),
            title=item.title,
            date=item.date,
            author=item.author,
            option=item.option,
            helpful=item.helpful,
        )
        out.append(raw.to_review(product_id=PRODUCT.product_id, site=PRODUCT.site, salt="bench"))
    if len(out) != n:
        raise SystemExit(f"bench-20k has only {len(out)} reviews; ask for --reviews {len(out)} or fewer")
    return out


async def wait_assigned(container: Container) -> float:
    """Seconds until every Kafka consumer of the container owns partitions (0 for the memory bus).

    Reads the Kafka bus's group members (a private attribute): the consumer group's join is start-up
    cost, not throughput, and a real worker pays it once, not per job."""
    groups = getattr(container.bus, "_groups", None)
    if not isinstance(groups, dict) or not groups or not hasattr(next(iter(groups.values())), "assigned"):
        return 0.0
    t0 = time.perf_counter()
    async with asyncio.timeout(ASSIGN_TIMEOUT_S):
        while not all(member.assigned for member in groups.values()):
            await asyncio.sleep(0.05)
    return time.perf_counter() - t0


async def prepare_job(container: Container, reviews: list[Review], batch: int) -> str:
    """A running job with the reviews stored and linked: what the crawl worker leaves behind."""
    store = container.store
    now = utcnow()
    job = Job(
        job_id=str(uuid.uuid4()),
        kind="url",
        source="bench://bus-throughput",
        status="queued",
        created_at=now,
        updated_at=now,
        options={"benchmark": "bus_throughput"},
    )
    await store.create_job(job)
    await store.transition_job(job.job_id, "running")
    await store.upsert_product(PRODUCT)
    await store.update_job(job.job_id, product_id=PRODUCT.product_id, total_estimate=len(reviews))
    for start in range(0, len(reviews), 1000):
        await store.upsert_reviews(job.job_id, reviews[start : start + 1000])
    await store.add_job_counters(job.job_id, pages=-(-len(reviews) // batch), collected=len(reviews))
    return job.job_id


async def collect(container: Container, job_id: str, reviews: list[Review], batch: int) -> float:
    """Publish the reviews as the crawl worker does (one message per page, then the final one)."""
    t0 = time.perf_counter()
    n = 0
    for n, start in enumerate(range(0, len(reviews), batch)):
        msg = ReviewsCollected(
            job_id=job_id, batch=n, product=PRODUCT, reviews=reviews[start : start + batch]
        )
        await container.bus.publish(TOPIC_COLLECTED, job_id, msg.model_dump(mode="json"))
    final = ReviewsCollected(job_id=job_id, batch=n + 1, product=PRODUCT, final=True, total=len(reviews))
    await container.bus.publish(TOPIC_COLLECTED, job_id, final.model_dump(mode="json"))
    return time.perf_counter() - t0


async def one_run(bus: str, reviews: list[Review], analyzer: Any, batch: int, prefix: str) -> dict[str, Any]:
    bus_url = "memory://" if bus == "memory" else kafka_url(prefix)
    settings = Settings(bus_url=bus_url, database_url=database_url(), cache_url="memory://", lake_url="")
    container = bootstrap(settings, analyzer=analyzer)
    job_id: str | None = None
    try:
        await container.start(roles=("analyze", "sink"))
        join_s = await wait_assigned(container)
        job_id = await prepare_job(container, reviews, batch)
        sub = await container.cache.subscribe(live_channel(job_id))
        try:
            t0, cpu0 = time.perf_counter(), time.process_time()
            collector = asyncio.create_task(collect(container, job_id, reviews, batch))
            first_card: float | None = None
            ended = "timeout"
            async with asyncio.timeout(RUN_TIMEOUT_S):
                async for raw in sub:
                    event = json.loads(raw)
                    if event["type"] == "card" and first_card is None:
                        first_card = time.perf_counter() - t0
                    if event["type"] in ("completed", "failed", "cancelled"):
                        ended = event["type"]
                        break
            total_s, cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
            publish_s = await collector
        finally:
            await sub.close()
        if ended != "completed":
            raise RuntimeError(f"{bus} run: the job ended {ended}")
        job = await container.store.get_job(job_id)
        report = await container.store.get_report(job_id)
        # The events the sink made durable for this job, by type: each is one store transaction on
        # the sink's path, so their number explains much of the time.
        events: dict[str, int] = {}
        for envelope in await container.store.events_after(job_id, 0, limit=1_000_000):
            events[envelope.type] = events.get(envelope.type, 0) + 1
        analyzed = job.analyzed if job else 0
        if analyzed != len(reviews) or report is None or report.total_reviews != len(reviews):
            raise RuntimeError(f"{bus} run: {analyzed} analysed, report {report and report.total_reviews}")
    finally:
        if job_id is not None and container._started:
            await container.store.delete_job(job_id)
        await container.stop()
    return {
        "bus": bus,
        "reviews": len(reviews),
        "total_s": round(total_s, 3),
        "process_cpu_s": round(cpu_s, 3),
        "reviews_per_cpu_s": round(len(reviews) / cpu_s, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "reviews_per_s": round(len(reviews) / total_s, 1),
        "publish_s": round(publish_s, 3),
        "first_card_s": round(first_card, 3) if first_card is not None else None,
        "consumer_join_s": round(join_s, 3),
        "events": events,
    }


def analysis_only(analyzer: Any, reviews: list[Review], batch: int) -> float:
    """Reviews/s of the analyser alone on the same reviews (the path's floor), measured in this run."""
    t0 = time.perf_counter()
    for start in range(0, len(reviews), batch):
        analyzer.analyze(reviews[start : start + batch])
    return len(reviews) / (time.perf_counter() - t0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed rounds (each: one run per bus)")
    parser.add_argument("--reviews", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100, help="reviews per reviews.collected message")
    parser.add_argument(
        "--warmup-reviews",
        type=int,
        default=2_000,
        help="reviews of the untimed warm-up run per bus (the first N of the same reviews)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where the JSON result goes")
    args = parser.parse_args()
    from highpipe.analysis.engine import LocalAnalyzer

    reviews = bench_reviews(args.reviews)
    analyzer = LocalAnalyzer.load()
    analyzer.analyze(reviews[:10])  # builds the tokenizer, as a worker does before subscribing
    prefix = f"benchbus{uuid.uuid4().hex[:8]}."
    cold = {}
    runs: list[dict[str, Any]] = []
    try:
        for bus in ("memory", "kafka"):
            cold[bus] = await one_run(bus, reviews[: args.warmup_reviews], analyzer, args.batch, prefix)
            print("warm-up", json.dumps(cold[bus]), flush=True)
        for i in range(args.runs):
            order = ("memory", "kafka") if i % 2 == 0 else ("kafka", "memory")
            for bus in order:
                runs.append({"round": i + 1, **await one_run(bus, reviews, analyzer, args.batch, prefix)})
                print(f"round {i + 1}", json.dumps(runs[-1]), flush=True)
    finally:
        await delete_topics(urlsplit(kafka_url(prefix)).netloc, prefix)
    analyzer_rps = analysis_only(analyzer, reviews, 200)
    median: dict[str, dict[str, float]] = {}
    for bus in ("memory", "kafka"):
        mine = [r for r in runs if r["bus"] == bus]
        median[bus] = {
            k: round(statistics.median(r[k] for r in mine), 3)
            for k in (
                "total_s",
                "reviews_per_s",
                "process_cpu_s",
                "reviews_per_cpu_s",
                "publish_s",
                "first_card_s",
            )
            if all(r[k] is not None for r in mine)
        }
    ratio = median["kafka"]["reviews_per_s"] / median["memory"]["reviews_per_s"]
    cpu_ratio = median["kafka"]["reviews_per_cpu_s"] / median["memory"]["reviews_per_cpu_s"]
    # The two runs of a round ran back to back, so under the shared machine's changing load their ratio
    # is steadier than the ratio of medians.
    paired = [
        next(r for r in runs if r["round"] == i + 1 and r["bus"] == "kafka")["reviews_per_s"]
        / next(r for r in runs if r["round"] == i + 1 and r["bus"] == "memory")["reviews_per_s"]
        for i in range(args.runs)
    ]
    result = {
        "benchmark": "bus_throughput",
        "path": "reviews.collected -> analyze worker -> reviews.analyzed -> sink (store, report, completed)",
        "how": (
            "analyze and sink roles subscribed in one process by Container.start(roles=('analyze','sink')); "
            f"{args.reviews} reviews of demo bench-20k in batches of {args.batch}; clock from the first "
            "publish to the sink's completed event; warm-up run per bus excluded; rounds alternate order"
        ),
        "store": "PostgreSQL 15 via PgBouncer (transaction mode), same for both buses",
        "buses": {
            "memory": "memory:// (4 partitions, in-process)",
            "kafka": "Kafka 4.1 on loopback, 1 broker, 6 partitions, lz4, acks=all, topic prefix per run",
        },
        "cache": "memory:// (not on the measured path except the sink's live publish)",
        "warm_up": cold,
        "runs": runs,
        "median": median,
        "kafka_over_memory_throughput": round(ratio, 3),
        "kafka_over_memory_per_round": [round(x, 3) for x in paired],
        "kafka_over_memory_per_round_median": round(statistics.median(paired), 3),
        "kafka_over_memory_reviews_per_cpu_s": round(cpu_ratio, 3),
        "analyzer_only_reviews_per_s": round(analyzer_rps, 1),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
            "note": "2 shared cores, other agents running: compare the pair, not absolute figures",
        },
        "command": f"uv run python bench/bus_throughput.py --runs {args.runs} --reviews {args.reviews} "
        f"--batch {args.batch}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    summary = {k: result[k] for k in result if k.startswith("kafka_over_memory")}
    print(json.dumps({"median": median, **summary}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
