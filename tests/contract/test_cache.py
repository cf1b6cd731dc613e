"""Contract suite for the cache port, run against the memory cache and a real Redis.

Redis comes from HIGHPIPE_TEST_REDIS_URL (`make services-up` starts one on redis://127.0.0.1:16379/0);
without it the Redis cases are skipped locally and fail under CI=true. Keys and channels carry a
per-test suffix, so runs sharing the server never meet. Time moves on a fake clock for the memory
cache and for real (a few hundred milliseconds) for Redis.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from highpipe.adapters.cache.memory import MemoryCache
from highpipe.adapters.cache.redis import RedisCache
from highpipe.ports.cache import Cache, Subscription


def _real_url(env: str) -> str:
    """The URL of a real server for the contract; skipped locally without it, a failure under CI."""
    url = os.environ.get(env)
    if url:
        return url
    message = f"{env} is not set: run `make services-up` first (`make test` does)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Case:
    cache: Cache
    advance: Callable[[float], Awaitable[None]]  # let this much time pass
    key: Callable[[str], str]  # a key or channel name unique to this test


@pytest.fixture(params=["memory", "redis"])
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    suffix = uuid.uuid4().hex[:12]
    backend: Cache
    if request.param == "memory":
        clock = FakeClock()
        backend = MemoryCache("memory://", clock=clock)

        async def advance(seconds: float) -> None:
            clock.now += seconds

    else:
        backend = RedisCache(_real_url("HIGHPIPE_TEST_REDIS_URL"))

        async def advance(seconds: float) -> None:
            await asyncio.sleep(seconds)

    await backend.start()
    yield Case(backend, advance, lambda base: f"test:{base}:{suffix}")
    await backend.stop()


@pytest.mark.parametrize(
    "make", [MemoryCache, lambda: RedisCache("redis://127.0.0.1:9/0")], ids=["memory", "redis"]
)
async def test_used_before_start_raises(make: Callable[[], Cache]) -> None:
    with pytest.raises(RuntimeError):
        await make().get("x")


async def test_get_set_delete_and_ttl(case: Case) -> None:
    cache, k = case.cache, case.key
    assert await cache.get(k("k")) is None
    await cache.set(k("k"), b"v\x00\xff", ttl_s=0.3)
    await cache.set(k("forever"), "리포트".encode())
    assert await cache.get(k("k")) == b"v\x00\xff"
    await case.advance(0.45)
    assert await cache.get(k("k")) is None
    assert await cache.get(k("forever")) == "리포트".encode()
    await cache.set(k("forever"), b"replaced", ttl_s=0.3)  # a new value takes the new TTL
    await case.advance(0.45)
    assert await cache.get(k("forever")) is None
    await cache.set(k("k2"), b"v2")
    await cache.delete(k("k2"))
    await cache.delete(k("never-set"))
    assert await cache.get(k("k2")) is None
    await cache.set(k("gone"), b"x", ttl_s=0)
    assert await cache.get(k("gone")) is None


async def test_incr_counts_within_window(case: Case) -> None:
    cache, k = case.cache, case.key
    assert [await cache.incr(k("rl"), 0.5) for _ in range(3)] == [1, 2, 3]
    await case.advance(0.65)
    assert await cache.incr(k("rl"), 0.5) == 1


async def test_concurrent_incr_never_loses_a_count(case: Case) -> None:
    counts = await asyncio.gather(*(case.cache.incr(case.key("burst"), 30) for _ in range(50)))
    assert sorted(counts) == list(range(1, 51))


async def _take(sub: Subscription, n: int) -> list[bytes]:
    out: list[bytes] = []
    async for msg in sub:
        out.append(msg)
        if len(out) == n:
            break
    return out


async def test_pubsub_delivers_to_every_subscriber_from_subscription_on(case: Case) -> None:
    cache, ch = case.cache, case.key("ch")
    await cache.publish(ch, b"before")  # nobody listens yet: dropped
    s1 = await cache.subscribe(ch)
    s2 = await cache.subscribe(ch)
    await cache.publish(ch, b"one")
    await cache.publish(ch, "둘".encode())
    await cache.publish(case.key("other"), b"x")
    got1, got2 = await asyncio.wait_for(asyncio.gather(_take(s1, 2), _take(s2, 2)), 2)
    assert got1 == got2 == [b"one", "둘".encode()]
    await s1.close()
    await s2.close()


async def test_closed_subscription_leaves_the_others_listening(case: Case) -> None:
    cache, ch = case.cache, case.key("ch")
    gone = await cache.subscribe(ch)
    stays = await cache.subscribe(ch)
    await gone.close()
    await gone.close()  # closing twice is harmless
    await cache.publish(ch, b"after")
    assert await asyncio.wait_for(_take(stays, 1), 2) == [b"after"]
    await stays.close()


async def test_healthy_while_running(case: Case) -> None:
    assert await case.cache.healthy() is True


async def test_redis_subscription_reconnects_after_the_server_drops_it() -> None:
    from redis.asyncio import Redis

    url = _real_url("HIGHPIPE_TEST_REDIS_URL")
    name = f"test-{uuid.uuid4().hex[:12]}"
    cache = RedisCache(f"{url}{'&' if '?' in url else '?'}client_name={name}")
    await cache.start()
    admin = Redis.from_url(url)
    ch = f"test:reconnect:{name}"
    sub = await cache.subscribe(ch)
    try:
        ours = [c for c in await admin.client_list(_type="pubsub") if c["name"] == name]
        assert len(ours) == 1
        await admin.client_kill_filter(_id=ours[0]["id"])  # only this test's subscriber connection
        received = asyncio.create_task(_take(sub, 1))
        async with asyncio.timeout(10):  # what is published before it is back is lost, by design
            while not received.done():
                await cache.publish(ch, b"back")
                await asyncio.sleep(0.1)
        assert received.result() == [b"back"]
    finally:
        await sub.close()
        await admin.aclose()
        await cache.stop()


async def test_redis_requests_beyond_the_pool_wait_for_a_connection_instead_of_failing() -> None:
    url = _real_url("HIGHPIPE_TEST_REDIS_URL")
    cache = RedisCache(f"{url}{'&' if '?' in url else '?'}max_connections=4")
    await cache.start()
    key = f"test:pool:{uuid.uuid4().hex[:12]}"
    try:
        await cache.set(key, b"v", ttl_s=30)
        # 50 concurrent reads through 4 connections: each waits its turn; none raises MaxConnectionsError.
        values = await asyncio.gather(*(cache.get(key) for _ in range(50)))
        assert values == [b"v"] * 50
    finally:
        await cache.delete(key)
        await cache.stop()


def test_redis_pool_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        RedisCache("redis://127.0.0.1:6379/0?max_connections=0")
