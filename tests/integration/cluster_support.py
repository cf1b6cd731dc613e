"""The multi-process cluster for tests/integration/test_cluster.py: start, inspect and check it.

`running_cluster(folder)` runs deploy/local/cluster.sh in `folder` on a free block of loopback ports and in
a Kafka namespace of its own (`topic_prefix`, whose topics are deleted afterwards), on the servers named by
HIGHPIPE_TEST_POSTGRES_URL, _REDIS_URL and _KAFKA_URL; without them the caller is skipped locally and fails
under CI=true. `check_outcome` is what every test demands of a finished job.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text

from highpipe.adapters.bus.kafka_admin import delete_topics
from highpipe.adapters.store.sql import SqlStore
from highpipe.analysis.report import build_report

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "local" / "cluster.sh"
ENVS = ("HIGHPIPE_TEST_POSTGRES_URL", "HIGHPIPE_TEST_REDIS_URL", "HIGHPIPE_TEST_KAFKA_URL")
PORT_OFFSETS = (0, 1, 10, 20, 30, 31, 40, 41, 42, 50)  # see cluster.sh: api, ws, shop, workers (+ analyze-3)
JOB_TIMEOUT_S = 120.0


def unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def servers() -> dict[str, str]:
    """The servers' URLs, each checked to answer on its port."""
    urls: dict[str, str] = {}
    for env in ENVS:
        url = os.environ.get(env, "")
        if not url:
            unavailable(f"{env} is not set: run `make services-up` first (`make test` does)")
        host = urlsplit(url).netloc.rsplit("@", 1)[-1].split(",")[0]
        name, _, port = host.rpartition(":")
        try:
            socket.create_connection((name, int(port)), timeout=2).close()
        except OSError as exc:
            unavailable(f"{env}: nothing answers at {host} ({exc}); run `make services-up`")
        urls[env] = url
    return urls


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_base() -> int:
    for _ in range(100):
        base = random.randrange(20_000, 32_000, 100)  # below Linux's ephemeral ports (32768-)
        if all(_free(base + offset) for offset in PORT_OFFSETS):
            return base
    raise RuntimeError("no free block of loopback ports for the cluster")


@dataclass
class Cluster:
    folder: Path
    base: int
    env: dict[str, str]  # for cluster.sh
    settings: dict[str, str]  # what every process got (cluster.env)
    prefix: str

    def script(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def api(self, n: int) -> str:
        return f"http://127.0.0.1:{self.base + n - 1}"

    def ws_api(self, n: int) -> str:
        return f"ws://127.0.0.1:{self.base + n - 1}"

    @property
    def ws_service(self) -> str:
        return f"ws://127.0.0.1:{self.base + 10}"

    def product_url(self, pid: str) -> str:
        return f"http://127.0.0.1:{self.base + 20}/demo/products/{pid}"

    def worker_url(self, name: str) -> str:
        kind, n = name.rsplit("-", 1)
        offset = {"crawl": 30, "analyze": 40, "sink": 50}[kind]
        return f"http://127.0.0.1:{self.base + offset + int(n) - 1}"

    def pid(self, name: str) -> int:
        return int((self.folder / "run" / f"{name}.pid").read_text().split()[0])

    def logs(self, lines: int = 8) -> str:
        """The last warnings and errors of every process, for failure messages."""
        out = []
        for log in sorted((self.folder / "logs").glob("*.log")):
            bad = [
                line[:300]
                for line in log.read_text("utf-8", "replace").splitlines()
                if '"WARNING"' in line or '"ERROR"' in line or "Traceback" in line
            ]
            out.append(f"--- {log.name}\n" + "\n".join(bad[-lines:]))
        return "\n".join(out)


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        values[key] = value.strip("'")
    return values


@contextmanager
def running_cluster(folder: Path) -> Iterator[Cluster]:
    """Start a cluster in `folder` (cluster.sh up), stop it and delete its Kafka topics afterwards."""
    urls = servers()
    prefix = f"t{uuid.uuid4().hex[:10]}."
    base = port_base()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HIGHPIPE_CLUSTER_")},
        "HIGHPIPE_CLUSTER_DIR": str(folder),
        "HIGHPIPE_CLUSTER_PORT_BASE": str(base),
        "HIGHPIPE_CLUSTER_SERVICES": "0",
        "HIGHPIPE_CLUSTER_PYTHON": sys.executable,
        "HIGHPIPE_CLUSTER_DATABASE_URL": urls["HIGHPIPE_TEST_POSTGRES_URL"],
        "HIGHPIPE_CLUSTER_CACHE_URL": urls["HIGHPIPE_TEST_REDIS_URL"],
        "HIGHPIPE_CLUSTER_BUS_URL": urls["HIGHPIPE_TEST_KAFKA_URL"],
        # A killed member's partitions move after its session times out: the broker's minimum, 6 s.
        "HIGHPIPE_CLUSTER_BUS_QUERY": f"topic_prefix={prefix}&session_timeout_ms=6000",
        "HIGHPIPE_CLUSTER_TIMEOUT": "120",
        "HIGHPIPE_RATE_LIMIT_PER_MINUTE": "10000",
    }
    made = Cluster(folder, base, env, {}, prefix)
    try:
        up = made.script("up", timeout=200)
        if up.returncode != 0:
            pytest.fail(f"cluster.sh up failed:\n{up.stderr[-3000:]}\n{made.logs()}")
        made.settings = read_env(folder / "cluster.env")
        yield made
    finally:
        down = made.script("down", timeout=120)
        assert down.returncode == 0, down.stderr
        bootstrap = urlsplit(urls["HIGHPIPE_TEST_KAFKA_URL"]).netloc
        asyncio.run(delete_topics(bootstrap, prefix))


async def expected_reviews(pid: str, cluster: Cluster) -> int:
    """The shop's own count of the product's reviews."""
    async with httpx.AsyncClient(timeout=30) as client:
        shop = cluster.product_url(pid).replace("/products/", "/api/products/")
        resp = await client.get(f"{shop}/reviews", params={"page": 1, "size": 1})
        resp.raise_for_status()
        return int(resp.json()["total"])


@asynccontextmanager
async def open_store(cluster: Cluster) -> AsyncIterator[SqlStore]:
    store = SqlStore(cluster.settings["HIGHPIPE_DATABASE_URL"])
    await store.start()
    try:
        yield store
    finally:
        await store.stop()


async def store_counts(store: SqlStore, job_id: str, product_id: str) -> dict[str, int]:
    queries = {
        "product_reviews": "SELECT count(*) FROM reviews WHERE product_id = :p",
        "distinct_product_reviews": "SELECT count(DISTINCT review_uid) FROM reviews WHERE product_id = :p",
        "job_reviews": "SELECT count(*) FROM job_reviews WHERE job_id = :j",
        "job_analyses": "SELECT count(*) FROM analyses a JOIN job_reviews jr USING (review_uid) WHERE jr.job_id = :j",
    }
    async with store.engine.connect() as conn:
        return {
            name: int((await conn.execute(text(sql), {"p": product_id, "j": job_id})).scalar_one())
            for name, sql in queries.items()
        }


async def check_outcome(
    cluster: Cluster, job_id: str, pid: str, events: list[dict[str, Any]], *, live_cards_exact: bool = True
) -> dict[str, Any]:
    """What every test demands of a finished job: a gapless stream, exact counts, a report true to the store.

    `live_cards_exact=False` leaves out the check that the last live card of each id is the report's (a
    worker that takes a job over seeds its cards from the store and sends them all again with its next batch,
    so the check holds after a takeover too).
    """
    expected = await expected_reviews(pid, cluster)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(events) + 1)), f"the WebSocket sequence has gaps or repeats: {seqs}"
    assert all(e["job_id"] == job_id for e in events)
    assert events[-1]["type"] == "completed", events[-1]
    async with httpx.AsyncClient(timeout=30) as client:
        one: dict[str, Any] = (await client.get(f"{cluster.api(1)}/api/analyses/{job_id}/report")).json()
        two = (await client.get(f"{cluster.api(2)}/api/analyses/{job_id}/report")).json()
    assert one == two, "both API replicas serve the same report"
    assert one["total_reviews"] == one["analyzed_reviews"] == expected
    async with open_store(cluster) as store:
        counts = await store_counts(store, job_id, f"demo:{pid}")
        rows = [(r.review, r.analysis) for r in await store.job_rows(job_id)]
        product = await store.get_product(f"demo:{pid}")
    assert counts == dict.fromkeys(counts, expected), counts
    rebuilt = build_report(job_id, product, rows)
    assert [(c.card_id, c.mentions) for c in rebuilt.cards] == [
        (c["card_id"], c["mentions"]) for c in one["cards"]
    ]
    assert one["cards"], "hundreds of reviews give cards"
    live = {e["data"]["card_id"]: e["data"] for e in events if e["type"] == "card"}
    for card in one["cards"] if live_cards_exact else []:  # the last live card of each id is the report's
        assert live[card["card_id"]]["mentions"] == card["mentions"], card["card_id"]
    return one


@asynccontextmanager
async def redis_channel(cluster: Cluster, job_id: str) -> AsyncIterator[list[dict[str, Any]]]:
    """The job's live events as Redis pub/sub carries them between processes."""
    from redis.asyncio import Redis

    seen: list[dict[str, Any]] = []
    client = Redis.from_url(cluster.settings["HIGHPIPE_CACHE_URL"])
    pubsub = client.pubsub()
    await pubsub.subscribe(f"job-events:{job_id}")

    async def read() -> None:
        while True:
            msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if msg is not None:
                seen.append(json.loads(msg["data"]))

    reader = asyncio.create_task(read())
    try:
        yield seen
    finally:
        await asyncio.sleep(1.0)  # what was published just before the WebSocket closed
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]
        await client.aclose()


def metric(body: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{name}{re.escape(labels)} (\S+)$", body, re.M)
    return float(match.group(1)) if match else 0.0


async def analyzed(client: httpx.AsyncClient, cluster: Cluster, name: str) -> float:
    resp = await client.get(f"{cluster.worker_url(name)}/metrics")
    return metric(resp.text, "highpipe_reviews_analyzed_total")


def running(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


async def worker_metric(
    client: httpx.AsyncClient, cluster: Cluster, name: str, series: str, labels: str = ""
) -> float:
    resp = await client.get(f"{cluster.worker_url(name)}/metrics")
    return metric(resp.text, series, labels)


def services(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO / "deploy" / "local" / "services.sh"), *args],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
