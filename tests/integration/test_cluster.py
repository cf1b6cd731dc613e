"""The multi-process suite (marker `cluster`): HighPipe as separate processes on real Kafka, PostgreSQL, Redis.

One cluster for the module (tests/integration/cluster_support.py starts it with deploy/local/cluster.sh:
api x2, ws, worker crawl x2 / analyze x2 / sink, the demo shop) on the servers of `make services-up`;
skipped locally without them, a failure under CI=true. Jobs have random ids and every count is taken for
one job or one product, so runs never see each other. Each test is bounded in time; the module stops
every process it started. Order matters: the faults come after the clean run, the broker restart last.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.cluster_support import (
    JOB_TIMEOUT_S,
    Cluster,
    analyzed,
    check_outcome,
    metric,
    redis_channel,
    running,
    running_cluster,
    services,
    unavailable,
    worker_metric,
)
from tests.integration.helpers import submit, watch

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(tmp_path_factory.mktemp("cluster")) as started:
        yield started


@pytest.mark.timeout(420)  # includes starting the cluster
async def test_submitted_to_one_replica_watched_live_on_the_other_resumed_on_the_ws_service(
    cluster: Cluster,
) -> None:
    async with httpx.AsyncClient(base_url=cluster.api(1), timeout=30) as api1:
        job_id = await submit(api1, cluster.product_url("bench-2k"))
        async with redis_channel(cluster, job_id) as over_redis:
            first = await watch(cluster.ws_api(2), job_id, limit=5, timeout=JOB_TIMEOUT_S)
            status = (await api1.get(f"/api/analyses/{job_id}")).json()["job"]["status"]
            assert status == "running", "the first events reached replica 2 live, while the job ran"
            rest = await watch(cluster.ws_service, job_id, after=first[-1]["seq"], timeout=JOB_TIMEOUT_S)
    events = first + rest
    await check_outcome(cluster, job_id, "bench-2k", events)
    by_seq = {e["seq"]: e for e in events}
    assert over_redis, "the live events travel through Redis pub/sub"
    assert over_redis[-1]["type"] == "completed"
    for event in over_redis:
        assert event == by_seq[event["seq"]], "Redis carried exactly the stored events"


@pytest.mark.timeout(120)
async def test_an_upload_to_one_replica_is_read_by_a_crawl_worker_from_the_shared_folder(
    cluster: Cluster,
) -> None:
    run = uuid.uuid4().hex[:8]
    rows = [
        ("1", f"배송이 빨라요 품질도 좋아요 {run}", "5"),
        ("2", f"가격 대비 별로예요 냄새가 나요 {run}", "2"),
        ("3", f"디자인이 예쁘고 사이즈도 딱 맞아요 {run}", "5"),
    ]
    body = "id,text,rating\n" + "".join(f"{i},{t},{r}\n" for i, t, r in rows)
    async with httpx.AsyncClient(base_url=cluster.api(2), timeout=30) as api2:
        resp = await api2.post(
            "/api/analyses/upload", files={"file": ("reviews.csv", body.encode(), "text/csv")}
        )
        assert resp.status_code == 202, resp.text
        job_id = resp.json()["id"]
        events = await watch(cluster.ws_service, job_id, timeout=JOB_TIMEOUT_S)
        report = (await api2.get(f"/api/analyses/{job_id}/report")).json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["type"] == "completed", events[-1]
    assert report["total_reviews"] == report["analyzed_reviews"] == len(rows)
    assert list((cluster.folder / "uploads").glob("*-reviews.csv")), "the API replica wrote the shared folder"


@pytest.mark.timeout(240)
async def test_poison_messages_land_in_dead_letter_and_the_stream_keeps_flowing(cluster: Cluster) -> None:
    from aiokafka import AIOKafkaProducer  # type: ignore[import-untyped,unused-ignore]

    from highpipe.adapters.bus.kafka import KafkaBus
    from highpipe.ports.bus import Message

    tag = f"poison-{uuid.uuid4().hex[:8]}"
    topic = f"{cluster.prefix}reviews.collected"
    malformed = {"job_id": f"{tag}-payload", "batch": "not a number", "reviews": "nope"}
    dead: list[Message] = []

    async def on_dead(msg: Message) -> None:
        if msg.key.startswith(tag):
            dead.append(msg)

    bus = KafkaBus(cluster.settings["HIGHPIPE_BUS_URL"])
    await bus.start()
    try:
        await bus.subscribe("dead-letter", f"test-dlq-{tag}", on_dead)
        producer = AIOKafkaProducer(bootstrap_servers=bus.bootstrap)
        await producer.start()
        try:
            partitions = sorted(await producer.partitions_for(topic))
            for p in partitions:  # one undecodable record ahead of whatever comes next, on every partition
                await producer.send_and_wait(topic, b"{not json", key=f"{tag}-raw-{p}".encode(), partition=p)
            await producer.send_and_wait(topic, json.dumps(malformed).encode(), key=f"{tag}-payload".encode())
        finally:
            await producer.stop()
        async with httpx.AsyncClient(base_url=cluster.api(2), timeout=30) as api2:
            job_id = await submit(api2, cluster.product_url("towel"))
            events = await watch(cluster.ws_api(1), job_id, timeout=JOB_TIMEOUT_S)
        await check_outcome(cluster, job_id, "towel", events)
        # Both groups on reviews.collected (analyze, sink-lake) park each poison record once.
        wanted = 2 * (len(partitions) + 1)
        async with asyncio.timeout(60):
            while len(dead) < wanted:
                await asyncio.sleep(0.2)
    finally:
        await bus.stop()
    by_key: dict[str, list[dict[str, Any]]] = {}
    for msg in dead:
        by_key.setdefault(msg.key, []).append(msg.value)
    assert sorted(by_key) == sorted([f"{tag}-raw-{p}" for p in partitions] + [f"{tag}-payload"])
    for key, values in by_key.items():
        assert len(values) == 2, (key, values)
        for value in values:
            assert value["topic"] == "reviews.collected"
            if key.endswith("payload"):
                assert value["value"] == malformed and value["attempts"] == 3
                assert value["error"].startswith("ValidationError")
            else:
                assert value["value"] == {"raw": "{not json"} and value["error"].startswith("JSONDecodeError")
    async with httpx.AsyncClient(timeout=30) as client, asyncio.timeout(30):
        lag_label = '{group="analyze",topic="reviews.collected"}'
        while True:  # nothing is left behind on the analysis group
            lags = [
                metric(
                    (await client.get(f"{cluster.worker_url(n)}/metrics")).text,
                    "highpipe_bus_consumer_lag",
                    lag_label,
                )
                for n in ("analyze-1", "analyze-2")
            ]
            if lags == [0.0, 0.0]:
                break
            await asyncio.sleep(0.5)
    assert cluster.script("status", timeout=60).returncode == 0, "every process survived the poison"


@pytest.mark.timeout(300)
async def test_kill_9_of_the_analysis_worker_mid_job_loses_and_duplicates_nothing(cluster: Cluster) -> None:
    workers = ("analyze-1", "analyze-2")
    async with (
        httpx.AsyncClient(timeout=10) as client,
        httpx.AsyncClient(base_url=cluster.api(1), timeout=30) as api1,
    ):
        before = {n: await analyzed(client, cluster, n) for n in workers}
        # The slow product: 10 pages of 100 reviews, 0.3 s each, so the job is mid-way for seconds.
        job_id = await submit(api1, cluster.product_url("slow"), full=True)
        watching = asyncio.create_task(watch(cluster.ws_api(2), job_id, timeout=JOB_TIMEOUT_S))
        victim = ""
        async with asyncio.timeout(60):
            while not victim:
                for name in workers:
                    if await analyzed(client, cluster, name) > before[name]:
                        victim = name
                await asyncio.sleep(0.05)
        pid = cluster.pid(victim)
        os.kill(pid, signal.SIGKILL)
        job = (await api1.get(f"/api/analyses/{job_id}")).json()["job"]
        assert job["status"] == "running", "the worker died in the middle of the job"
        async with asyncio.timeout(10):
            while running(pid):
                await asyncio.sleep(0.05)
        started = await asyncio.to_thread(cluster.script, "start", "analyze-3")
        assert started.returncode == 0, started.stderr
        events = await watching
        survivors = [n for n in (*workers, "analyze-3") if n != victim]
        after = {n: await analyzed(client, cluster, n) for n in survivors}
    assert sum(after[n] - before.get(n, 0.0) for n in survivors) > 0, "another worker finished the job"
    await check_outcome(cluster, job_id, "slow", events)


@pytest.mark.timeout(300)
async def test_kill_9_of_the_crawl_worker_mid_crawl_recrawls_without_duplicates(cluster: Cluster) -> None:
    workers = ("crawl-1", "crawl-2")
    pages = ("highpipe_pages_crawled_total", '{site="demo"}')
    async with (
        httpx.AsyncClient(timeout=10) as client,
        httpx.AsyncClient(base_url=cluster.api(2), timeout=30) as api2,
    ):
        before = {n: await worker_metric(client, cluster, n, *pages) for n in workers}
        job_id = await submit(api2, cluster.product_url("slow"), full=True)
        watching = asyncio.create_task(watch(cluster.ws_service, job_id, timeout=JOB_TIMEOUT_S))
        victim = ""
        async with asyncio.timeout(60):
            while not victim:
                for name in workers:
                    if await worker_metric(client, cluster, name, *pages) > before[name]:
                        victim = name
                await asyncio.sleep(0.05)
        pid = cluster.pid(victim)
        os.kill(pid, signal.SIGKILL)
        job = (await api2.get(f"/api/analyses/{job_id}")).json()["job"]
        assert job["status"] == "running" and job["collected"] < 1000, "the crawler died mid-crawl"
        started = await asyncio.to_thread(cluster.script, "start", "crawl-3")
        assert started.returncode == 0, started.stderr
        events = await watching
    # The command was never committed: another crawler collects the product again, and the upserts keep
    # every review once.
    starts = [
        e for e in events if e["type"] == "stage" and e["data"] == {"stage": "collect", "state": "started"}
    ]
    assert len(starts) == 2, "the crawl was redelivered and started over"
    await check_outcome(cluster, job_id, "slow", events)


async def restart_kafka() -> None:
    """`services.sh up kafka`, again while the port is still held (e.g. by a client socket that connected
    to itself on it while the broker was away, which lingers in TIME-WAIT for a minute)."""
    async with asyncio.timeout(120):
        while True:
            started = await asyncio.to_thread(services, "up", "kafka")
            if started.returncode == 0:
                return
            assert "Address already in use" in started.stderr, started.stderr
            await asyncio.sleep(5)


@pytest.mark.timeout(300)
async def test_kafka_broker_restart_mid_job_then_the_job_completes(cluster: Cluster) -> None:
    if services("status", "kafka").returncode != 0:  # a broker we did not start: not ours to stop
        unavailable("the Kafka broker is not the one of deploy/local/services.sh (HIGHPIPE_SERVICES_DIR)")
    async with httpx.AsyncClient(base_url=cluster.api(1), timeout=30) as api1:
        job_id = await submit(api1, cluster.product_url("slow"), full=True)
        first = await watch(cluster.ws_api(2), job_id, limit=4, timeout=JOB_TIMEOUT_S)
        try:
            stopped = await asyncio.to_thread(services, "down", "kafka")
            assert stopped.returncode == 0, stopped.stderr
            job = (await api1.get(f"/api/analyses/{job_id}")).json()["job"]
            assert job["status"] == "running", "the broker went away in the middle of the job"
            await asyncio.sleep(2.0)  # the workers notice: fetches and sends fail meanwhile
        finally:
            await restart_kafka()
        rest = await watch(cluster.ws_api(1), job_id, after=first[-1]["seq"], timeout=JOB_TIMEOUT_S)
    # The outage can outlast a member's session: the job may move to another analysis worker.
    await check_outcome(cluster, job_id, "slow", first + rest)
