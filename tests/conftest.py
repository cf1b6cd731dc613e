"""Shared test helpers: a real HighPipe server on loopback, and the shipped analyzer loaded once."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from highpipe.config import Settings
from highpipe.ports.analyzer import Analyzer

if TYPE_CHECKING:
    from highpipe.bootstrap import Container

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop_process(proc: subprocess.Popen[Any], grace_s: float = 20.0) -> None:
    """Stop a server a test started: SIGTERM (a graceful stop), then SIGKILL if it outlives `grace_s`."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    from highpipe.analysis.engine import LocalAnalyzer

    return LocalAnalyzer.load()


@dataclass
class LiveServer:
    base: str
    ws_base: str
    container: Container
    port: int


def make_settings(tmp_path: Path, port: int, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/highpipe.db",
        "lake_url": str(tmp_path / "lake"),
        "upload_dir": str(tmp_path / "uploads"),
        "host": "127.0.0.1",
        "port": port,
        "rate_limit_per_minute": 1000,
        **extra,
    }
    values["allow_hosts"] = [f"127.0.0.1:{port}", *extra.get("allow_hosts", [])]
    return Settings(**values)


@pytest.fixture
async def start_server(tmp_path: Path, analyzer: Analyzer) -> AsyncIterator[Callable[..., Any]]:
    """Start `highpipe serve` (API + workers + demo shop) in this event loop, on a free loopback port."""
    import uvicorn

    from highpipe.bootstrap import ALL_ROLES, bootstrap
    from highpipe.entrypoints.api.app import create_app

    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(**settings_extra: Any) -> LiveServer:
        port = free_port()
        settings = make_settings(tmp_path, port, **settings_extra)
        container = bootstrap(settings, analyzer=analyzer)
        app = create_app(container, roles=ALL_ROLES, mount_demo=True)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        for _ in range(200):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        assert server.started, "uvicorn did not start"
        servers.append((server, task))
        return LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", container, port)

    yield start
    for server, task in servers:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
