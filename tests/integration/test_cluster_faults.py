"""Faults of the cache and the database on the multi-process cluster (marker `cluster`).

- Redis stopped mid-job: both API replicas keep answering status from PostgreSQL, a WebSocket opened during
  the outage is refilled from the store, the job completes, and a WebSocket resumed after Redis returned
  gets every event once and in order.
- PostgreSQL stopped mid-job: the API answers 503 with a JSON error (quickly, not a hang and not a 500),
  the workers wait (no dead-letter), and once it is back the job completes with exact counts.

Both stop and start servers with deploy/local/services.sh, so they run only against its servers
(HIGHPIPE_SERVICES_DIR and ports as for `make services-up`); every wait is bounded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from tests.integration.cluster_support import (
    JOB_TIMEOUT_S,
    Cluster,
    check_outcome,
    open_store,
    redis_channel,
    running_cluster,
    services,
    unavailable,
)
from tests.integration.helpers import submit, watch

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(tmp_path_factory.mktemp("cluster-faults")) as started:
        yield started


def ours(name: str) -> None:
    if services("status", name).returncode != 0:  # a server we did not start: not ours to stop
        unavailable(f"the {name} server is not the one of deploy/local/services.sh (HIGHPIPE_SERVICES_DIR)")


async def fresh_slow_product(cluster: Cluster) -> None:
    """Forget the reviews earlier jobs stored for the slow product, so that the next job crawls all ten of
    its slow pages (an incremental re-crawl would stop after the first) and the fault lands mid-job."""
    async with open_store(cluster) as store, store.engine.begin() as conn:
        await conn.execute(
            text(
                "DELETE FROM analyses WHERE review_uid IN (SELECT review_uid FROM reviews WHERE product_id = :p)"
            ),
            {"p": "demo:slow"},
        )
        await conn.execute(text("DELETE FROM reviews WHERE product_id = :p"), {"p": "demo:slow"})


async def restart(name: str) -> None:
    async with asyncio.timeout(120):
        while True:
            started = await asyncio.to_thread(services, "up", name)
            if started.returncode == 0:
                return
            await asyncio.sleep(2)


@pytest.mark.timeout(420)  # includes starting the cluster
async def test_redis_down_mid_job_degrades_and_live_events_resume_when_it_returns(cluster: Cluster) -> None:
    ours("redis")
    await fresh_slow_product(cluster)
    async with (
        httpx.AsyncClient(base_url=cluster.api(1), timeout=30) as api1,
        httpx.AsyncClient(base_url=cluster.api(2), timeout=30) as api2,
    ):
        job_id = await submit(api1, cluster.product_url("slow"), full=True)
        first = await watch(cluster.ws_api(2), job_id, limit=3, timeout=JOB_TIMEOUT_S)
        assert (await api1.get(f"/api/analyses/{job_id}")).json()["job"]["status"] == "running"
        try:
            stopped = await asyncio.to_thread(services, "down", "redis")
            assert stopped.returncode == 0, stopped.stderr
            during = asyncio.create_task(
                watch(cluster.ws_api(1), job_id, after=first[-1]["seq"], timeout=JOB_TIMEOUT_S)
            )
            async with asyncio.timeout(JOB_TIMEOUT_S):  # the job completes without Redis
                status = ""
                while status != "completed":
                    for api in (api1, api2):  # both replicas serve status from PostgreSQL
                        resp = await api.get(f"/api/analyses/{job_id}")
                        assert resp.status_code == 200, resp.text
                        status = resp.json()["job"]["status"]
                        assert status in ("running", "completed"), resp.text
                    await asyncio.sleep(0.2)
            for api in (api1, api2):  # and the report, twice (nothing is cached meanwhile)
                for _ in range(2):
                    report = await api.get(f"/api/analyses/{job_id}/report")
                    assert report.status_code == 200 and report.json()["job_id"] == job_id, report.text
            ready = await api1.get("/readyz")
            assert ready.status_code == 200 and ready.json()["checks"]["cache"] is False, ready.text
            refilled = await during  # opened during the outage: refilled from the store
        finally:
            await restart("redis")
        resumed = await watch(cluster.ws_service, job_id, after=first[-1]["seq"], timeout=JOB_TIMEOUT_S)
        assert refilled == resumed, "the socket opened during the outage got the same events"
        await check_outcome(cluster, job_id, "slow", first + resumed)
        # Redis is back: a new job's events travel live through it again, to every replica.
        await fresh_slow_product(cluster)
        second = await submit(api2, cluster.product_url("slow"), full=True)
        async with redis_channel(cluster, second) as over_redis:
            events = await watch(cluster.ws_api(1), second, timeout=JOB_TIMEOUT_S)
    await check_outcome(cluster, second, "slow", events)
    assert over_redis and over_redis[-1]["type"] == "completed", "live events flow through Redis again"


@pytest.mark.timeout(300)
async def test_postgres_down_mid_job_answers_503_and_the_job_completes_when_it_returns(
    cluster: Cluster,
) -> None:
    ours("postgres")
    await fresh_slow_product(cluster)
    async with httpx.AsyncClient(base_url=cluster.api(1), timeout=30) as api1:
        job_id = await submit(api1, cluster.product_url("slow"), full=True)
        first = await watch(cluster.ws_api(2), job_id, limit=3, timeout=JOB_TIMEOUT_S)
        assert (await api1.get(f"/api/analyses/{job_id}")).json()["job"]["status"] == "running"
        try:
            stopped = await asyncio.to_thread(services, "down", "postgres")
            assert stopped.returncode == 0, stopped.stderr
            for path in (f"/api/analyses/{job_id}", f"/api/analyses/{job_id}/report", "/api/analyses"):
                started = time.perf_counter()
                resp = await api1.get(path)
                took = time.perf_counter() - started
                assert resp.status_code == 503, (path, resp.status_code, resp.text)
                assert resp.json()["error"] == "store_unavailable", resp.text
                assert took < 15, f"{path} took {took:.1f}s: a down database must not hang the API"
            ready = await api1.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["store"] is False
            await asyncio.sleep(3.0)  # the workers hit the outage and wait
        finally:
            await restart("postgres")
        async with asyncio.timeout(60):  # PgBouncer reconnects to the restarted server on its own
            while (await api1.get(f"/api/analyses/{job_id}")).status_code != 200:
                await asyncio.sleep(0.5)
        rest = await watch(cluster.ws_service, job_id, after=first[-1]["seq"], timeout=JOB_TIMEOUT_S)
    waited = [
        log.name
        for log in (cluster.folder / "logs").glob("*.log")
        if "hit a transient error, retrying" in log.read_text("utf-8", "replace")
    ]
    assert waited, "a worker met the outage and waited for the database"
    await check_outcome(cluster, job_id, "slow", first + rest)
