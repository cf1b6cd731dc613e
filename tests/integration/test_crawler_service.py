"""The crawling server (`highpipe crawler`) through httpx's ASGI transport, crawling the demo shop of a
live HighPipe server on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from highpipe.config import Settings
from highpipe.entrypoints.crawler_service import create_crawler_app


async def wait_done(client: httpx.AsyncClient, job_id: str, **params: Any) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            body: dict[str, Any] = (await client.get(f"/crawl/{job_id}", params=params)).json()
            if body["status"] in ("completed", "failed"):
                return body
            await asyncio.sleep(0.05)


async def test_crawl_status_failures_and_metrics(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    settings = Settings(allow_hosts=[f"127.0.0.1:{server.port}"], max_reviews=1_000)
    app = create_crawler_app(settings, max_concurrency=2, max_jobs=10)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://crawler", timeout=30) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}

        url = f"{server.base}/demo/products/tee"
        created = await client.post("/crawl", json={"url": url, "max_reviews": 150})
        assert created.status_code == 202, created.text
        done = await wait_done(client, created.json()["id"], limit=5)
        assert done["status"] == "completed", done
        assert done["collected"] == 150 and done["pages"] == 2  # 100 a page
        assert done["product"]["title"] == "하이룩 오버핏 코튼 반팔 티셔츠"
        assert len(done["reviews"]) == 5
        async with httpx.AsyncClient(base_url=server.base) as shop:
            first_page = await shop.get("/demo/api/products/tee/reviews", params={"page": 1, "size": 5})
        demo_ids = [str(r["id"]) for r in first_page.json()["reviews"]]
        assert [r["id"] for r in done["reviews"]] == demo_ids
        assert all(1 <= r["rating"] <= 5 and r["text"] and r["date"] for r in done["reviews"])
        assert done["failure"] is None

        blocked = await client.post("/crawl", json={"url": f"{server.base}/demo/products/blocked"})
        failed = await wait_done(client, blocked.json()["id"])
        assert failed["status"] == "failed" and "403" in failed["failure"]["reason"], failed

        # the SSRF guard: metadata and private addresses (IP literals: no DNS, no packet leaves)
        for target in ("http://169.254.169.254/demo/products/tee", "http://10.0.0.7/demo/products/tee"):
            job = (await client.post("/crawl", json={"url": target})).json()
            refused = await wait_done(client, job["id"])
            assert refused["status"] == "failed" and refused["collected"] == 0
            assert refused["failure"]["code"] == "blocked_address", refused

        assert (await client.post("/crawl", json={"url": "file:///etc/passwd"})).status_code == 422
        assert (await client.post("/crawl", json={"url": url, "max_reviews": 0})).status_code == 422
        assert (await client.get("/crawl/nope")).status_code == 404

        metrics = (await client.get("/metrics")).text
        assert 'highpipe_crawler_jobs_total{status="completed"} 1' in metrics
        assert 'highpipe_crawler_jobs_total{status="failed"} 3' in metrics
        assert "highpipe_crawler_reviews_total 150" in metrics


async def test_token_and_job_cap(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    settings = Settings(allow_hosts=[f"127.0.0.1:{server.port}"], api_token="s3cret")
    app = create_crawler_app(settings, max_concurrency=1, max_jobs=1)
    transport = httpx.ASGITransport(app=app)
    url = f"{server.base}/demo/products/slow"
    async with httpx.AsyncClient(transport=transport, base_url="http://crawler", timeout=30) as client:
        assert (await client.post("/crawl", json={"url": url})).status_code == 401
        auth = {"Authorization": "Bearer s3cret"}
        first = await client.post("/crawl", json={"url": url, "max_reviews": 40}, headers=auth)
        assert first.status_code == 202
        # the only slot holds an unfinished crawl: no room for another
        assert (await client.post("/crawl", json={"url": url}, headers=auth)).status_code == 503
        client.headers.update(auth)
        done = await wait_done(client, first.json()["id"])
        assert done["status"] == "completed"
        # a finished job makes room
        assert (
            await client.post("/crawl", json={"url": url, "max_reviews": 1}, headers=auth)
        ).status_code == 202
