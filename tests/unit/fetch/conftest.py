"""Fixtures for the fetch adapter tests: a stub resolver, a fake sleep and a fetcher factory.

No test here opens a socket to anything but 127.0.0.1; names "resolve" through `StubResolver`, and the
mock transports call pytest.fail for any request that the SSRF guard should have stopped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from highpipe.adapters.fetch.http import HttpFetcher
from highpipe.config import Settings

# Documentation/test-looking public addresses: only ever handed to mock transports, never dialled.
PUBLIC_IP = "93.184.216.34"
OTHER_PUBLIC_IP = "93.184.216.35"


class StubResolver:
    """A resolver answering from a dict; unknown names fail like NXDOMAIN. Records every call."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in self.table:
            raise OSError(f"stub NXDOMAIN for {host}")
        return list(self.table[host])


class FakeSleep:
    """Records requested delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def resolver() -> StubResolver:
    return StubResolver(
        {
            "shop.example": [PUBLIC_IP],
            "cdn.example": [OTHER_PUBLIC_IP],
            "evil.example": ["10.0.0.5"],
            "meta.example": ["169.254.169.254"],
            "mixed.example": [PUBLIC_IP, "127.0.0.1"],
            "v6loop.example": ["::1"],
            "mapped.example": ["::ffff:192.168.0.10"],
            "internal.example": ["10.9.8.7"],
        }
    )


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "allow_hosts": [],
        "fetch_timeout_s": 5.0,
        "fetch_retries": 2,
        "fetch_max_bytes": 64 * 1024,
        "fetch_per_host_concurrency": 4,
        "user_agent": "HighPipeTest/1.0",
    }
    values.update(overrides)
    return Settings(**values)


FetcherFactory = Callable[..., Any]


@pytest.fixture
async def make_fetcher(resolver: StubResolver, fake_sleep: FakeSleep) -> AsyncIterator[FetcherFactory]:
    """`await make_fetcher(handler, **settings)` → a started HttpFetcher over an httpx.MockTransport."""
    started: list[HttpFetcher] = []

    async def factory(handler: Callable[[httpx.Request], Any], **overrides: Any) -> HttpFetcher:
        fetcher = HttpFetcher(
            make_settings(**overrides),
            resolver=resolver,
            transport=httpx.MockTransport(handler),
            sleep=fake_sleep,
        )
        await fetcher.start()
        started.append(fetcher)
        return fetcher

    yield factory
    for fetcher in started:
        await fetcher.stop()


@pytest.fixture
def must_not_reach() -> Callable[[httpx.Request], httpx.Response]:
    """A transport handler that fails the test: for requests the guard must stop before sending."""

    def handler(request: httpx.Request) -> httpx.Response:
        pytest.fail(f"a blocked request reached the transport: {request.method} {request.url}")

    return handler
