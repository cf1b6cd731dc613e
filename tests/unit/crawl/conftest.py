"""In-process fetchers for extractor tests: the demo shop over httpx.ASGITransport, or fixture files.

Neither opens a socket. Error statuses become FetchError the way the real fetcher reports them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from highpipe.demo_shop.app import create_app
from highpipe.ports.fetch import Fetcher, FetchError, FetchResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schema_org"


def _raise_for(url: str, status: int) -> None:
    if 400 <= status < 500:
        raise FetchError(f"the site answered {status}", "http_4xx", status)
    if status >= 500:
        raise FetchError(f"the site answered {status}", "http_5xx", status)


class AsgiFetcher(Fetcher):
    """Serves an ASGI app in-process; retries 5xx `retries` times like the real fetcher would."""

    def __init__(self, app: FastAPI, *, retries: int = 0) -> None:
        self.app = app
        self.retries = retries
        self.requested: list[str] = []
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app))

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        assert urlsplit(url).hostname == "127.0.0.1", f"test fetcher asked for a non-loopback URL: {url}"
        if self._client is None:
            await self.start()
        assert self._client is not None
        for attempt in range(self.retries + 1):
            self.requested.append(url)
            resp = await self._client.get(url, headers=headers)
            if resp.status_code < 500 or attempt == self.retries:
                break
        _raise_for(url, resp.status_code)
        return FetchResult(str(resp.url), resp.status_code, dict(resp.headers), resp.content)


class FileFetcher(Fetcher):
    """Serves fixture files by exact URL; any other URL fails the test (nothing leaves the process)."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = pages
        self.requested: list[str] = []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        self.requested.append(url)
        if url not in self.pages:
            pytest.fail(f"unexpected fetch of {url}")
        body = (FIXTURES / self.pages[url]).read_bytes()
        return FetchResult(url, 200, {"content-type": "text/html; charset=utf-8"}, body)


@pytest.fixture
def demo_app() -> FastAPI:
    """The demo shop mounted at /demo, as `highpipe serve` does."""
    parent = FastAPI()
    parent.mount("/demo", create_app())
    return parent


@pytest.fixture
def asgi_fetcher(demo_app: FastAPI) -> Callable[..., AsgiFetcher]:
    def make(app: FastAPI | None = None, *, retries: int = 0) -> AsgiFetcher:
        return AsgiFetcher(app or demo_app, retries=retries)

    return make


@pytest.fixture
def file_fetcher() -> Callable[[dict[str, str]], FileFetcher]:
    return FileFetcher


@pytest.fixture
def fixture_text() -> Callable[[str], str]:
    return lambda name: (FIXTURES / name).read_text(encoding="utf-8")
