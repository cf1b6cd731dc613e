"""The process roles without external servers: a worker's health, readiness, metrics and graceful stop,
its start-up retries while a dependency is down, and the WebSocket fan-out's routes.

Workers run as real `highpipe worker ...` processes on loopback with embedded backends (memory bus and
cache, SQLite); the fan-out app is inspected in-process. (The same roles on Kafka, PostgreSQL and Redis
are covered by test_cluster.py.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from highpipe.adapters.bus.memory import MemoryBus
from highpipe.bootstrap import bootstrap
from highpipe.config import Settings
from highpipe.entrypoints.workers import create_ws_app, readiness, ws_container
from tests.conftest import free_port


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HIGHPIPE_")}
    return {
        **base,
        "HIGHPIPE_BUS_URL": "memory://",
        "HIGHPIPE_CACHE_URL": "memory://",
        "HIGHPIPE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/highpipe.db",
        "HIGHPIPE_LAKE_URL": "",
        "HIGHPIPE_UPLOAD_DIR": str(tmp_path / "uploads"),
        "HIGHPIPE_LOG_FORMAT": "json",
        **extra,
    }


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def start(role: str, **env: str) -> tuple[subprocess.Popen[str], str]:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "highpipe.entrypoints.cli", "worker", role, "--metrics-port", str(port)],
            env=_env(tmp_path, **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(proc)
        return proc, f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


async def _get(url: str, timeout: float = 30) -> httpx.Response:
    """The first answer of a server that is still starting."""
    async with httpx.AsyncClient(timeout=5) as client, asyncio.timeout(timeout):
        while True:
            try:
                return await client.get(url)
            except httpx.TransportError:
                await asyncio.sleep(0.1)


@pytest.mark.timeout(120)
async def test_worker_serves_health_readiness_and_metrics_then_stops_gracefully(worker) -> None:  # type: ignore[no-untyped-def]
    proc, base = worker("sink")
    async with asyncio.timeout(60):
        while (ready := await _get(f"{base}/readyz")).status_code != 200:
            await asyncio.sleep(0.1)
    body = ready.json()
    assert body["role"] == "sink" and body["status"] == "ready"
    assert body["checks"] == {"store": True, "bus": True, "cache": True}
    assert body["required"] == ["store", "bus"], "the cache is reported, never required"
    assert (await _get(f"{base}/healthz")).json()["phase"] == "running"
    metrics = (await _get(f"{base}/metrics")).text
    assert 'highpipe_worker_info{role="sink"} 1.0' in metrics
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(proc.wait, 30)
    output = proc.stdout.read() if proc.stdout else ""
    assert code == 0, output
    assert "sink worker stopped" in output


@pytest.mark.timeout(120)
async def test_worker_retries_while_its_bus_is_unreachable_and_still_stops_on_sigterm(worker) -> None:  # type: ignore[no-untyped-def]
    # Nothing listens on loopback port 9: every Kafka connection is refused at once.
    proc, base = worker("crawl", HIGHPIPE_BUS_URL="kafka://127.0.0.1:9")
    body = (await _get(f"{base}/readyz")).json()
    assert body["status"] == "starting" and body["role"] == "crawl"
    assert body["checks"]["bus"] is False
    assert (await _get(f"{base}/healthz")).status_code == 200, "alive while it waits for the bus"
    await asyncio.sleep(1.5)  # the first attempt fails at once; the next one waits 0.5 s
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(proc.wait, 30)
    output = proc.stdout.read() if proc.stdout else ""
    assert code == 0, output
    assert "crawl worker could not start" in output and "retrying" in output


async def test_crawl_readiness_needs_the_upload_folder(tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite+aiosqlite://", lake_url="", upload_dir=str(tmp_path / "absent"))
    container = bootstrap(settings)
    await container.start(())
    try:
        missing = await readiness(container, "crawl", "running")
        (tmp_path / "absent").mkdir()
        present = await readiness(container, "crawl", "running")
        stopping = await readiness(container, "crawl", "stopping")
    finally:
        await container.stop()
    assert missing.status_code == 503 and b'"uploads":false' in missing.body
    assert present.status_code == 200 and b'"uploads":true' in present.body
    assert stopping.status_code == 503 and b'"status":"stopping"' in stopping.body


def test_ws_service_serves_only_the_fanout_and_never_uses_kafka() -> None:
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    # An unreachable bus URL: the fan-out would fail to start if it tried to connect.
    container = ws_container(Settings(database_url="sqlite+aiosqlite://", bus_url="kafka://127.0.0.1:9"))
    assert isinstance(container.bus, MemoryBus) and container.lake is None
    with TestClient(create_ws_app(container)) as client:
        assert client.get("/healthz").json() == {"status": "ok", "role": "ws"}
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready" and ready["checks"] == {"store": True, "cache": True}
        assert "highpipe_ws_connections" in client.get("/metrics").text
        for path in ("/api/analyses", "/docs", "/openapi.json", "/"):
            assert client.get(path).status_code == 404, path
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect("/ws/analyses/nope") as ws,
        ):
            ws.receive_json()
        assert closed.value.code == 4404
