"""PostgreSQL away: the SQL store raises StoreUnavailable (a TransientError) within its connect timeout,
the API answers 503 with a JSON error, and /readyz tolerates a missing cache but not a missing store."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import make_settings
from tests.fakes import KeywordAnalyzer

from highpipe.adapters.store.base import StoreUnavailable
from highpipe.adapters.store.engine import make_engine
from highpipe.adapters.store.sql import SqlStore
from highpipe.bootstrap import Container, bootstrap
from highpipe.entrypoints.api.app import create_app
from highpipe.ports.bus import TransientError

# Nothing listens on loopback port 9 (discard): every connection is refused at once.
REFUSED_URL = "postgresql+asyncpg://highpipe:x@127.0.0.1:9/highpipe"


async def test_a_refused_postgres_connection_raises_store_unavailable_quickly() -> None:
    store = SqlStore(REFUSED_URL)
    store._engine = make_engine(REFUSED_URL)  # skip start(): its migration would need the server
    started = time.perf_counter()
    try:
        with pytest.raises(StoreUnavailable) as info:
            await store.get_job("job-1")
    finally:
        await store.stop()
    assert isinstance(info.value, TransientError)
    assert time.perf_counter() - started < 10
    assert not await store.healthy()


@pytest.fixture
async def app_and_container(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    monkeypatch.setenv("HIGHPIPE_WEB_DIST", str(tmp_path / "no-web-build"))
    container = bootstrap(make_settings(tmp_path, 8000), analyzer=KeywordAnalyzer())
    app = create_app(container, roles=())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
            yield c, container


async def test_the_api_answers_503_json_when_the_store_is_away(
    app_and_container: tuple[httpx.AsyncClient, Container], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, container = app_and_container

    async def down(*_: Any, **__: Any) -> Any:
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(container.store, "get_job", down)
    monkeypatch.setattr(container.store, "list_jobs", down)
    for path in ("/api/analyses/job-1", "/api/analyses"):
        response = await client.get(path)
        assert response.status_code == 503, path
        body = response.json()
        assert body["error"] == "store_unavailable"
        assert "데이터베이스" in body["detail"] and "database" in body["detail"]
        assert response.headers["retry-after"] == "5"


async def test_readiness_stays_200_without_the_cache_but_not_without_the_store(
    app_and_container: tuple[httpx.AsyncClient, Container], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, container = app_and_container

    async def no() -> bool:
        return False

    monkeypatch.setattr(container.cache, "healthy", no)
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded" and ready.json()["checks"]["cache"] is False
    monkeypatch.setattr(container.store, "healthy", no)
    ready = await client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"


def test_a_websocket_is_closed_with_try_again_later_when_the_store_is_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    monkeypatch.setenv("HIGHPIPE_WEB_DIST", str(tmp_path / "no-web-build"))
    container = bootstrap(make_settings(tmp_path, 8000), analyzer=KeywordAnalyzer())

    async def down(*_: Any, **__: Any) -> Any:
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(container.store, "get_job", down)
    with TestClient(create_app(container, roles=())) as client:
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect("/ws/analyses/job-1") as ws,
        ):
            ws.receive_json()
    assert closed.value.code == 1013
    assert "database unavailable" in closed.value.reason and "데이터베이스" in closed.value.reason
