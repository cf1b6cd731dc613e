"""The API through an in-process ASGI client (no socket): health, readiness, OpenAPI and input checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from highpipe.bootstrap import bootstrap
from highpipe.entrypoints.api.app import create_app
from tests.conftest import make_settings
from tests.fakes import KeywordAnalyzer


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("HIGHPIPE_WEB_DIST", str(tmp_path / "no-web-build"))  # the minimal built-in page
    container = bootstrap(make_settings(tmp_path, 8000), analyzer=KeywordAnalyzer())
    app = create_app(container, roles=(), mount_demo=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
            yield c


async def test_health_readiness_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": True, "cache": True, "bus": True}
    metrics = await client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "highpipe_jobs" in metrics.text
    assert "highpipe_job_oldest_running_age_seconds 0.0" in metrics.text


async def test_openapi_lists_the_endpoints(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/analyses",
        "/api/analyses/upload",
        "/api/analyses/{job_id}",
        "/api/analyses/{job_id}/report",
        "/api/analyses/{job_id}/reviews",
        "/api/analyses/{job_id}/cancel",
        "/api/analyses/{job_id}/export",
        "/api/demo/products",
    ):
        assert path in paths, path


async def test_index_page_and_demo_catalogue(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200 and "HighPipe" in page.text and "/ws/analyses/" in page.text
    products = (await client.get("/api/demo/products")).json()
    assert products and all(p["url"].startswith("http://127.0.0.1:8000/demo/products/") for p in products)
    shop = await client.get("/demo/")
    assert shop.status_code == 200


async def test_submission_is_queued_without_workers_and_validated(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/analyses", json={"url": "https://shop.example/p/1"})
    assert resp.status_code == 202
    body = resp.json()
    assert resp.headers["location"] == body["links"]["self"]
    status = (await client.get(body["links"]["self"])).json()
    assert status["job"]["status"] == "queued"
    assert (await client.get(body["links"]["report"])).status_code == 409
    assert (await client.post("/api/analyses", json={"nourl": 1})).status_code == 422
    assert (await client.post("/api/analyses", content=b"{not json")).status_code == 422
    reviews = await client.get(f"{body['links']['self']}/reviews", params={"rating": 9})
    assert reviews.status_code == 422


async def test_the_built_web_app_is_served_without_shadowing_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><div id="root"></div>', encoding="utf-8")
    (dist / "assets" / "app.js").write_text("console.log(1)", encoding="utf-8")
    monkeypatch.setenv("HIGHPIPE_WEB_DIST", str(dist))
    container = bootstrap(make_settings(tmp_path, 8000), analyzer=KeywordAnalyzer())
    app = create_app(container, roles=(), mount_demo=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
            for path in ("/", "/analyses/abc", "/history", "/compare"):
                page = await c.get(path)
                assert page.status_code == 200 and '<div id="root">' in page.text, path
            assert (await c.get("/assets/app.js")).text == "console.log(1)"
            assert (await c.get("/api/analyses")).json() == []
            assert (await c.get("/healthz")).json() == {"status": "ok"}
            assert "swagger" in (await c.get("/docs")).text.lower()
            assert (await c.get("/api/analyses/abc")).status_code == 404
