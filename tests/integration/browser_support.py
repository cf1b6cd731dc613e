"""Shared pieces of the real-Chromium tests: a loopback test site, a loopback-only connector and stub DNS.

Nothing here can reach beyond 127.0.0.1: the browser's only proxy is the guard proxy, the guard resolves
names through `STUB_DNS`, and its connector (`tests.fakes.LoopbackOnly`) dials 127.0.0.1 on the site's port only —
any other address is recorded as a violation (the tests assert there are none) and never dialled.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from highpipe.demo_shop.app import create_app

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
STUB_DNS = {
    "rebind.test": ["127.0.0.1"],
    "meta.test": ["169.254.169.254"],
    "ten.test": ["10.0.0.8"],
    "v6.test": ["::1"],
}


def require_browser() -> None:
    """Skip without Debian's chromium + chromium-driver; under CI=true that is a failure instead."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.access(p, os.X_OK) or shutil.which(p))]
    if missing:
        message = f"{', '.join(missing)} missing: run `make browser-deps` (apt chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


class StubResolver:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in STUB_DNS:
            raise OSError(f"stub NXDOMAIN for {host}")
        return list(STUB_DNS[host])


def ssrf_page(port: int, trip: int) -> str:
    """A page on the allowed site whose sub-requests aim at internal addresses, plus one allowed image."""
    bad = [
        f'<img src="http://127.0.0.1:{trip}/trip.png">',
        '<img src="http://169.254.169.254/latest/meta-data/">',
        f'<script src="http://[::1]:{port}/x.js"></script>',
        '<img src="http://10.1.2.3/x.png">',
        '<img src="https://10.0.0.7/x.png">',
        f'<iframe src="http://rebind.test:{port}/demo/"></iframe>',
        '<img src="http://meta.test/x.png">',
        '<link rel="stylesheet" href="https://ten.test/x.css">',
        '<img src="/ssrf/redirect?to=http://169.254.169.254/latest/">',
    ]
    script = (
        f"<script>fetch('http://v6.test:{port}/api').catch(function () {{}});"
        f"fetch('http://[::ffff:7f00:1]:{trip}/').catch(function () {{}});</script>"
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>ssrf</title></head><body>'
        '<p id="ok">page rendered</p><img src="/demo/products/tee/image.svg">'
        + "".join(bad)
        + script
        + "</body></html>"
    )


def site_app(trip: int) -> FastAPI:
    app = FastAPI()
    app.mount("/demo", create_app())

    @app.get("/ssrf/page", response_class=HTMLResponse)
    async def page(request: Request) -> str:
        return ssrf_page(request.url.port or 80, trip)

    @app.get("/ssrf/redirect")
    async def redirect(to: str) -> RedirectResponse:
        return RedirectResponse(to, status_code=302)

    @app.get("/ssrf/slow", response_class=HTMLResponse)
    async def slow() -> str:
        await asyncio.sleep(4)
        return "<p>late</p>"

    @app.get("/cookie/set", response_class=HTMLResponse)
    async def set_cookie() -> Response:
        body = "<script>localStorage.setItem('job', 'secret-storage');</script><p>set</p>"
        response = HTMLResponse(body)
        response.set_cookie("job", "secret-cookie")
        return response

    @app.get("/cookie/show", response_class=HTMLResponse)
    async def show_cookie(request: Request) -> str:
        cookie = request.headers.get("cookie", "")
        return (
            f'<p id="cookie">{cookie}</p><p id="storage"></p><script>document.getElementById("storage")'
            ".textContent = localStorage.getItem('job') || '';</script>"
        )

    return app


@dataclass
class Site:
    port: int
    trip_port: int
    trip_hits: list[Any]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class SiteServer:
    """The site on a free loopback port (uvicorn in a thread) and a tripwire port that must stay silent."""

    def __init__(self) -> None:
        self.trip = socket.socket()
        self.trip.bind(("127.0.0.1", 0))
        self.trip.listen(8)
        self.trip.settimeout(0.1)
        self.trip_hits: list[Any] = []
        self._stop = threading.Event()
        trip_port = self.trip.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(site_app(trip_port), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        )
        self._threads = [
            threading.Thread(target=self.server.run, daemon=True),
            threading.Thread(target=self._watch_trip, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test site did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.site = Site(port, trip_port, self.trip_hits)

    def _watch_trip(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.trip.accept()
            except (TimeoutError, OSError):
                continue
            self.trip_hits.append(peer)
            conn.close()

    def close(self) -> None:
        self.server.should_exit = True
        self._stop.set()
        for thread in self._threads:
            thread.join(10)
        self.trip.close()
