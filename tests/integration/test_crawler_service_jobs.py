"""The crawler service crawling FOR HighPipe jobs (the original flow: API -> job, caller -> crawler -> bus).

Against real servers on loopback: `highpipe serve` as `serve` builds it (the crawler mounted at /crawler,
sharing the container), and a `highpipe crawler` process as the cluster runs it (its own container with no
bus consumers, started and stopped by its lifespan).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from highpipe.bootstrap import ALL_ROLES, Container, bootstrap
from highpipe.entrypoints.api.app import create_app
from highpipe.entrypoints.crawler_service import create_crawler_app
from highpipe.ports.analyzer import Analyzer
from tests.conftest import free_port, make_settings
from tests.integration.helpers import wait_final


@asynccontextmanager
async def running(app: FastAPI, port: int) -> AsyncIterator[str]:
    """Serve `app` with uvicorn (lifespan on) on the port; stopped, bounded in time, on exit."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


@asynccontextmanager
async def serve(tmp_path: Path, analyzer: Analyzer) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    """`highpipe serve`: API + all workers + demo shop + the crawler service at /crawler."""
    port = free_port()
    container = bootstrap(make_settings(tmp_path, port), analyzer=analyzer)
    app = create_app(container, roles=ALL_ROLES, mount_demo=True, mount_crawler=True)
    async with running(app, port) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        yield client, container


async def products(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    listed = (await client.get("/api/demo/products")).json()
    found = {str(p["id"]): p for p in listed}
    base = next(iter(found.values()))["url"].rsplit("/", 1)[0]
    found["blocked"] = {"url": f"{base}/blocked"}  # hidden from the catalogue
    return found


async def external(client: httpx.AsyncClient, url: str, **extra: Any) -> str:
    created = await client.post("/api/analyses", json={"url": url, "dispatch": "external", **extra})
    assert created.status_code == 202, created.text
    return str(created.json()["id"])


async def crawl_done(client: httpx.AsyncClient, path: str, crawl_id: str) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            body: dict[str, Any] = (await client.get(f"{path}/{crawl_id}")).json()
            if body["status"] in ("completed", "failed"):
                return body
            await asyncio.sleep(0.05)


async def test_an_external_job_is_crawled_by_the_crawler_service_only(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    async with serve(tmp_path, analyzer) as (client, container):
        shop = await products(client)
        towel = shop["towel"]
        odd = await client.post("/api/analyses", json={"url": towel["url"], "dispatch": "pigeon"})
        assert odd.status_code == 422
        job_id = await external(client, towel["url"])
        await container.bus.drain()  # everything published so far has been handled: no crawl worker ran
        status = (await client.get(f"/api/analyses/{job_id}")).json()
        assert status["job"]["status"] == "queued" and status["job"]["collected"] == 0
        assert status["job"]["options"] == {"dispatch": "external"}
        assert status["stages"]["collect"] == "pending"
        assert await container.store.events_after(job_id) == []

        assert (await client.post("/crawler/crawl", json={"job_id": "no-such-job"})).status_code == 404
        other = shop["tee"]["url"]
        wrong_url = await client.post("/crawler/crawl", json={"job_id": job_id, "url": other})
        assert wrong_url.status_code == 409 and "another URL" in wrong_url.json()["detail"]

        started = await client.post("/crawler/crawl", json={"job_id": job_id, "url": towel["url"]})
        assert started.status_code == 202, started.text
        crawl = started.json()
        assert crawl["job_id"] == job_id and crawl["url"] == towel["url"]

        final = await wait_final(client, job_id)
        assert final["job"]["status"] == "completed", final
        # The job row turns completed before the sink has stored the last stage events: let the bus drain.
        await container.bus.drain()
        final = (await client.get(f"/api/analyses/{job_id}")).json()
        assert final["stages"] == {"collect": "finished", "analyze": "finished", "report": "finished"}
        report = (await client.get(f"/api/analyses/{job_id}/report")).json()
        assert report["total_reviews"] == report["analyzed_reviews"] == towel["review_count"] == 150
        done = await crawl_done(client, "/crawler/crawl", crawl["id"])
        assert done["status"] == "completed" and done["failure"] is None
        assert done["collected"] == 150 and done["pages"] == final["job"]["pages"] == 2
        assert done["product"]["title"] == towel["title"] and len(done["reviews"]) == 20
        stored = {row.review.review_uid for row in await container.store.job_rows(job_id)}
        assert {r["id"] for r in done["reviews"]} <= stored

        metrics = (await client.get("/crawler/metrics")).text
        assert 'highpipe_crawler_jobs_total{status="completed"} 1' in metrics
        assert "highpipe_crawler_pages_total 2\n" in metrics
        assert "highpipe_crawler_reviews_total 150\n" in metrics

        again = await client.post("/crawler/crawl", json={"job_id": job_id})
        assert again.status_code == 409 and "completed" in again.json()["detail"]

        # a job HighPipe's crawl workers own is never handed to the crawler service
        bus_job = (await client.post("/api/analyses", json={"url": towel["url"], "max_reviews": 5})).json()
        refused = await client.post("/crawler/crawl", json={"job_id": bus_job["id"]})
        assert refused.status_code == 409 and "dispatch" in refused.json()["detail"]
        assert (await wait_final(client, bus_job["id"]))["job"]["collected"] == 5


async def test_a_failed_crawl_fails_the_job_with_its_reason(tmp_path: Path, analyzer: Analyzer) -> None:
    async with serve(tmp_path, analyzer) as (client, _container):
        job_id = await external(client, (await products(client))["blocked"]["url"])
        crawl = (await client.post("/crawler/crawl", json={"job_id": job_id})).json()
        final = await wait_final(client, job_id)
        assert final["job"]["status"] == "failed" and "403" in final["job"]["failure_reason"]
        done = await crawl_done(client, "/crawler/crawl", crawl["id"])
        assert done["status"] == "failed" and done["failure"]["code"] == final["job"]["failure_code"]


async def test_an_error_in_the_crawl_use_case_fails_the_job(tmp_path: Path, analyzer: Analyzer) -> None:
    async with serve(tmp_path, analyzer) as (client, container):
        job_id = await external(client, (await products(client))["towel"]["url"])

        async def broken(*args: Any, **kwargs: Any) -> None:
            raise ConnectionResetError("the database went away")

        container.store.upsert_product = broken  # type: ignore[method-assign]
        crawl = (await client.post("/crawler/crawl", json={"job_id": job_id})).json()
        final = await wait_final(client, job_id)
        assert final["job"]["status"] == "failed" and final["job"]["failure_code"] == "crawler_error"
        assert "ConnectionResetError" in final["job"]["failure_reason"]
        done = await crawl_done(client, "/crawler/crawl", crawl["id"])
        assert done["failure"] == {"reason": final["job"]["failure_reason"], "code": "crawler_error"}
        await container.bus.drain()
        types = [e.type for e in await container.store.events_after(job_id)]
        assert types[0] == "stage" and types[-1] == "failed"


async def test_the_crawler_process_attaches_to_the_store_and_bus(tmp_path: Path) -> None:
    """`highpipe crawler` as in the cluster: its container (no consumers) is started by its lifespan."""
    port = free_port()
    settings = make_settings(tmp_path, port, api_token="s3cret")
    container = bootstrap(settings)
    published: list[dict[str, Any]] = []
    publish: Callable[..., Any] = container.bus.publish

    async def recording(topic: str, key: str, value: dict[str, Any]) -> None:
        published.append({"topic": topic, **value})
        await publish(topic, key, value)

    container.bus.publish = recording  # type: ignore[method-assign]
    app = create_crawler_app(settings, container=container, manage_container=True, mount_demo=True)
    async with running(app, port) as base:
        assert container.roles == ()  # started: no crawl, analyze or sink consumer in this process
        job = await container.jobs.start_url(
            f"{base}/demo/products/tee", options={"max_reviews": 120}, dispatch="external"
        )
        auth = {"Authorization": "Bearer s3cret"}
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["checks"] == {"store": True, "bus": True}
            healthy = container.store.healthy

            async def store_down() -> bool:
                return False

            container.store.healthy = store_down  # type: ignore[method-assign]
            unready = await client.get("/readyz")
            assert unready.status_code == 503 and unready.json()["checks"]["store"] is False
            container.store.healthy = healthy  # type: ignore[method-assign]
            assert (await client.post("/crawl", json={"job_id": job.job_id})).status_code == 401
            started = await client.post("/crawl", json={"job_id": job.job_id}, headers=auth)
            assert started.status_code == 202, started.text
            client.headers.update(auth)
            done = await crawl_done(client, "/crawl", started.json()["id"])
        assert done["status"] == "completed" and done["collected"] == 120, done
        batches = [m for m in published if m["topic"] == "reviews.collected"]
        assert [len(m["reviews"]) for m in batches] == [100, 20, 0] and batches[-1]["final"]
        assert len(await container.store.job_rows(job.job_id)) == 120
        assert (await container.store.get_job(job.job_id)).status == "running"  # type: ignore[union-attr]
    assert not container._started  # stopped with the app


async def test_a_standalone_crawler_cannot_crawl_for_jobs(tmp_path: Path) -> None:
    app = create_crawler_app(make_settings(tmp_path, free_port()))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://crawler") as client:
        answer = await client.post("/crawl", json={"job_id": "x"})
        assert answer.status_code == 503 and "not attached" in answer.json()["detail"]
        assert (await client.get("/readyz")).json()["status"] == "ready"  # standalone: nothing to wait for
        assert (await client.post("/crawl", json={})).status_code == 422
