"""`highpipe crawler` in the cluster (marker `cluster`): its own process on real Kafka and PostgreSQL.

The cluster of tests/integration/cluster_support.py (API replicas, crawl / analyze / sink workers, the demo
shop) plus a crawler process started here with the cluster's settings. A job created with external dispatch
on API replica 1 is crawled by the crawler process, which publishes to Kafka; the cluster's analysis workers
and sink finish it with every review of the product exactly once. Skipped locally without the servers of
`make services-up`, a failure under CI=true; every process started here is stopped here.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, stop_process
from tests.integration.cluster_support import JOB_TIMEOUT_S, Cluster, check_outcome, running_cluster
from tests.integration.helpers import watch

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


@contextmanager
def crawler_process(cluster: Cluster, port: int) -> Iterator[str]:
    env = {**os.environ, **cluster.settings, "HIGHPIPE_LOG_FORMAT": "json"}
    log = (cluster.folder / "logs" / "crawler-service.log").open("w")
    command = [sys.executable, "-m", "highpipe.entrypoints.cli", "crawler", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)
        log.close()


async def healthy(base: str) -> None:
    async with httpx.AsyncClient(timeout=2) as client, asyncio.timeout(60):
        while True:
            try:
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with running_cluster(tmp_path / "cluster") as started:  # sync: it stops with asyncio.run()
        yield started


@pytest.mark.timeout(420)  # includes starting the cluster
async def test_the_crawler_process_feeds_the_cluster(cluster: Cluster) -> None:
    with crawler_process(cluster, free_port()) as crawler:
        try:
            await healthy(crawler)
        except TimeoutError:
            log = (cluster.folder / "logs" / "crawler-service.log").read_text()
            pytest.fail(f"the crawler process did not answer /healthz:\n{log[-3000:]}")
        async with (
            httpx.AsyncClient(base_url=cluster.api(1), timeout=30) as api,
            httpx.AsyncClient(base_url=crawler, timeout=30) as service,
        ):
            url = cluster.product_url("towel")
            # full: the shared database may know the product from other runs; crawl every page anyway
            body = {"url": url, "dispatch": "external", "full": True}
            created = await api.post("/api/analyses", json=body)
            assert created.status_code == 202, created.text
            job_id = created.json()["id"]
            other = {"url": cluster.product_url("tee"), "max_reviews": 1}
            bus_job = (await api.post("/api/analyses", json=other)).json()["id"]
            refused = await service.post("/crawl", json={"job_id": bus_job})
            assert refused.status_code == 409, refused.text  # the crawl workers own that one
            started = await service.post("/crawl", json={"job_id": job_id, "url": url})
            assert started.status_code == 202, started.text
            events = await watch(cluster.ws_api(2), job_id, timeout=JOB_TIMEOUT_S)
            report = await check_outcome(cluster, job_id, "towel", events)
            crawl = (await service.get(f"/crawl/{started.json()['id']}")).json()
        assert crawl["status"] == "completed" and crawl["job_id"] == job_id
        assert crawl["collected"] == report["total_reviews"] == 150
