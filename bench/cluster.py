"""Latency per stage on the multi-process cluster (Kafka, PostgreSQL via PgBouncer, Redis) for bench-2k.

Starts its own cluster with deploy/local/cluster.sh (which runs services-up first) in a temporary folder,
on free loopback ports and in a Kafka namespace of its own (`topic_prefix`), so a running `make cluster-up`
is left alone. One warm-up analysis first (the demo shop builds a product's reviews on its first request,
and each process opens its connections): reported as `cold`, not in the medians. Then --runs timed runs,
each submitted to API replica 1 and watched over WebSocket on API replica 2, timing from just before the
POST to the arrival of: the first event, the end of collection, the first card, the end of analysis, and
`completed`. Medians into bench/results/cluster.json; the cluster is stopped and its topics deleted.

    uv run python bench/cluster.py [--product bench-2k] [--runs 3]

The servers are those of `make services-up` (ports from HIGHPIPE_*_PORT, as mk/services.mk exports them);
jobs go to the `highpipe` database (HIGHPIPE_CLUSTER_DATABASE to change it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import connect

from highpipe.adapters.bus.kafka_admin import delete_topics

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "deploy" / "local" / "cluster.sh"
OUT = ROOT / "bench" / "results" / "cluster.json"
STAGES = ("first_event_s", "collect_finished_s", "first_card_s", "analyze_finished_s", "completed_s")


def free_block() -> int:
    def free(port: int) -> bool:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    for _ in range(100):
        base = random.randrange(20_000, 32_000, 100)  # below Linux's ephemeral ports (32768-)
        if all(free(base + o) for o in (0, 1, 10, 20, 30, 31, 40, 41, 50)):
            return base
    raise RuntimeError("no free block of loopback ports")


async def one_run(base: int, product: str) -> dict[str, float]:
    api1, ws2 = f"http://127.0.0.1:{base}", f"ws://127.0.0.1:{base + 1}"
    url = f"http://127.0.0.1:{base + 20}/demo/products/{product}"
    marks: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=api1, timeout=30) as client:
        t0 = time.perf_counter()
        resp = await client.post("/api/analyses", json={"url": url})
        resp.raise_for_status()
        job_id = resp.json()["id"]
        async with asyncio.timeout(300), connect(f"{ws2}/ws/analyses/{job_id}?after=0") as ws:
            async for raw in ws:
                event = json.loads(raw)
                now = time.perf_counter() - t0
                data = event["data"]
                marks.setdefault("first_event_s", now)
                if event["type"] == "card":
                    marks.setdefault("first_card_s", now)
                if event["type"] == "stage" and data["state"] == "finished":
                    marks.setdefault(f"{data['stage']}_finished_s", now)
                if event["type"] in ("completed", "failed", "cancelled"):
                    if event["type"] != "completed":
                        raise RuntimeError(f"the job ended {event['type']}: {data}")
                    marks["completed_s"] = now
                    break
        report = (await client.get(f"/api/analyses/{job_id}/report")).json()
    reviews = int(report["total_reviews"])
    return {
        **{k: round(marks[k], 3) for k in STAGES},
        "reviews": reviews,
        "reviews_per_s": round(reviews / marks["completed_s"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--product", default="bench-2k")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    base = free_block()
    with tempfile.TemporaryDirectory(prefix="highpipe-cluster-bench-") as folder:
        env = {
            **os.environ,
            "HIGHPIPE_CLUSTER_DIR": folder,
            "HIGHPIPE_CLUSTER_PORT_BASE": str(base),
            "HIGHPIPE_CLUSTER_BUS_QUERY": f"topic_prefix={prefix}",
            "HIGHPIPE_CLUSTER_PYTHON": sys.executable,
            "HIGHPIPE_RATE_LIMIT_PER_MINUTE": "10000",
        }
        started = time.perf_counter()
        subprocess.run([str(SCRIPT), "up"], env=env, check=True, timeout=300)
        startup_s = time.perf_counter() - started
        bus_url = next(
            line.split("=", 1)[1].strip("'")
            for line in (Path(folder) / "cluster.env").read_text().splitlines()
            if line.startswith("HIGHPIPE_BUS_URL=")
        )
        try:
            cold = asyncio.run(one_run(base, args.product))
            print("cold", json.dumps(cold), flush=True)
            runs = []
            for i in range(args.runs):
                runs.append(asyncio.run(one_run(base, args.product)))
                print(f"run {i + 1}", json.dumps(runs[-1]), flush=True)
        finally:
            subprocess.run([str(SCRIPT), "down"], env=env, check=False, timeout=180)
            asyncio.run(delete_topics(urlsplit(bus_url).netloc, prefix))
    median: dict[str, Any] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    result = {
        "benchmark": "cluster",
        "product": args.product,
        "topology": "api x2, ws, crawl x2, analyze x2, sink, demo shop: separate processes on loopback",
        "backends": "Kafka 4.1 (KRaft, 1 node, 6 partitions), PostgreSQL 15 via PgBouncer, Redis 7",
        "how": "submit to API replica 1, watch the WebSocket of API replica 2; times from before the POST",
        "cluster_startup_s": round(startup_s, 1),
        "cold": cold,
        "runs": runs,
        "median": median,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            # The 2-core machine is shared: its load while the runs went on explains much of the spread.
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        },
        "command": f"uv run python bench/cluster.py --product {args.product} --runs {args.runs}",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["median"], indent=2))


if __name__ == "__main__":
    main()
