"""DegradingCache: a failing cache server degrades the cache (misses, no-ops, local counters) but never
raises, logs sparingly, and recovers, including subscriptions opened while the server was away."""

from __future__ import annotations

import asyncio
import logging

import pytest

from highpipe.adapters.cache.degrading import DegradingCache
from highpipe.adapters.cache.memory import MemoryCache
from highpipe.ports.cache import Cache, Subscription


class FlakyCache(Cache):
    """A memory cache whose every operation raises ConnectionError while `down`."""

    def __init__(self) -> None:
        self.real = MemoryCache()
        self.down = False
        self.calls = 0

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise ConnectionError("connection refused")

    async def start(self) -> None:
        await self.real.start()

    async def stop(self) -> None:
        await self.real.stop()

    async def get(self, key: str) -> bytes | None:
        self._check()
        return await self.real.get(key)

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        self._check()
        await self.real.set(key, value, ttl_s)

    async def delete(self, key: str) -> None:
        self._check()
        await self.real.delete(key)

    async def incr(self, key: str, ttl_s: float) -> int:
        self._check()
        return await self.real.incr(key, ttl_s)

    async def publish(self, channel: str, message: bytes) -> None:
        self._check()
        await self.real.publish(channel, message)

    async def subscribe(self, channel: str) -> Subscription:
        self._check()
        return await self.real.subscribe(channel)

    async def healthy(self) -> bool:
        return not self.down


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def flaky() -> FlakyCache:
    cache = FlakyCache()
    await cache.start()
    return cache


async def test_up_it_passes_everything_through(flaky: FlakyCache) -> None:
    cache = DegradingCache(flaky)
    await cache.set("k", b"v", 60)
    assert await cache.get("k") == b"v"
    assert await cache.incr("n", 60) == 1 and await cache.incr("n", 60) == 2
    assert await flaky.real.incr("n", 60) == 3, "the counter lives in the inner cache"
    await cache.delete("k")
    assert await flaky.real.get("k") is None
    assert not cache.degraded and await cache.healthy()


async def test_down_it_misses_and_swallows_and_recovers(flaky: FlakyCache) -> None:
    cache = DegradingCache(flaky)
    await flaky.real.set("k", b"old")
    flaky.down = True
    assert await cache.get("k") is None
    await cache.set("k", b"new")
    await cache.delete("k")
    await cache.publish("ch", b"lost")
    assert cache.degraded and not await cache.healthy()
    flaky.down = False
    assert await cache.get("k") == b"old", "writes while down went nowhere"
    assert not cache.degraded


async def test_down_incr_counts_locally_in_windows(flaky: FlakyCache) -> None:
    clock = Clock()
    cache = DegradingCache(flaky, clock=clock)
    flaky.down = True
    assert [await cache.incr("rate:ip", 10) for _ in range(3)] == [1, 2, 3]
    assert await cache.incr("rate:other", 10) == 1
    clock.now += 10.5
    assert await cache.incr("rate:ip", 10) == 1, "a new window once the old one expired"


async def test_failures_are_logged_at_most_once_per_interval(
    flaky: FlakyCache, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    cache = DegradingCache(flaky, log_every_s=30, clock=clock)
    flaky.down = True
    with caplog.at_level(logging.WARNING, logger="highpipe.adapters.cache.degrading"):
        for _ in range(50):
            await cache.get("k")
        assert len(caplog.records) == 1
        clock.now += 31
        await cache.get("k")
        assert len(caplog.records) == 2 and "49 errors since" in caplog.records[1].getMessage()
        flaky.down = False
        await cache.get("k")
        assert "recovered" in caplog.records[-1].getMessage()


async def test_a_start_failure_does_not_prevent_starting() -> None:
    class Broken(FlakyCache):
        async def start(self) -> None:
            raise OSError("no route")

    cache = DegradingCache(Broken())
    await cache.start()
    assert cache.degraded


async def test_a_subscription_opened_while_down_delivers_once_the_server_is_back(flaky: FlakyCache) -> None:
    cache = DegradingCache(flaky, retry_s=0.01)
    flaky.down = True
    sub = await cache.subscribe("job:1")  # does not raise: it retries while iterated
    assert cache.degraded
    received: list[bytes] = []

    async def read() -> None:
        async for message in sub:
            received.append(message)
            if len(received) == 2:
                return

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.05)
    await cache.publish("job:1", b"lost while down")
    flaky.down = False
    async with asyncio.timeout(5):
        # Publish until the retried subscription is registered (the first ones may precede it).
        while not received:
            await cache.publish("job:1", b"first")
            await asyncio.sleep(0.02)
        await cache.publish("job:1", b"second")
        await reader
    assert received[0] == b"first" and received[-1] == b"second"
    assert b"lost while down" not in received
    assert not cache.degraded
    await sub.close()


async def test_a_subscription_while_up_is_registered_at_once_and_closes(flaky: FlakyCache) -> None:
    cache = DegradingCache(flaky)
    sub = await cache.subscribe("job:2")
    await cache.publish("job:2", b"hello")
    async with asyncio.timeout(5):
        assert await anext(aiter(sub)) == b"hello"
    await sub.close()
