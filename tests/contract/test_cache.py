"""Contract suite for the cache port (memory now; Redis joins later)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from highpipe.adapters.cache.memory import MemoryCache
from highpipe.ports.cache import Cache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory"])
async def cache(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Cache]:
    backend = MemoryCache("memory://", clock=clock)
    await backend.start()
    yield backend
    await backend.stop()


async def test_used_before_start_raises() -> None:
    with pytest.raises(RuntimeError):
        await MemoryCache().get("x")


async def test_get_set_delete_and_ttl(cache: Cache, clock: FakeClock) -> None:
    assert await cache.get("k") is None
    await cache.set("k", b"v", ttl_s=10)
    assert await cache.get("k") == b"v"
    clock.now += 11
    assert await cache.get("k") is None
    await cache.set("k2", b"v2")
    await cache.delete("k2")
    assert await cache.get("k2") is None


async def test_incr_counts_within_window(cache: Cache, clock: FakeClock) -> None:
    assert [await cache.incr("rl", 60) for _ in range(3)] == [1, 2, 3]
    clock.now += 61
    assert await cache.incr("rl", 60) == 1


async def test_pubsub_delivers_to_every_subscriber_from_subscription_on(cache: Cache) -> None:
    await cache.publish("ch", b"before")  # nobody listens yet: dropped
    s1 = await cache.subscribe("ch")
    s2 = await cache.subscribe("ch")
    await cache.publish("ch", b"one")
    await cache.publish("ch", b"two")
    await cache.publish("other", b"x")

    async def take(sub: object, n: int) -> list[bytes]:
        out: list[bytes] = []
        async for msg in sub:  # type: ignore[attr-defined]
            out.append(msg)
            if len(out) == n:
                break
        return out

    got1, got2 = await asyncio.wait_for(asyncio.gather(take(s1, 2), take(s2, 2)), 2)
    assert got1 == got2 == [b"one", b"two"]
    await s1.close()
    await s2.close()
