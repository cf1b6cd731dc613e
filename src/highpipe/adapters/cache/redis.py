"""Redis cache and pub/sub (`redis://host:port/db`, redis-py asyncio): TTL values, counters, fan-out.

Shared by every API/WS replica, so a value cached or an event published by one is seen by all.
`incr` runs as one Lua script (increment, and set the expiry when the counter has none), so concurrent
replicas count a rate-limit window exactly. `subscribe` returns once Redis confirmed the SUBSCRIBE:
everything published on the channel from then on is delivered.

URL: `redis://[:password@]host:port/db` (also `rediss://` for TLS), optional query `socket_timeout=5`,
`client_name=highpipe` (how its connections show in CLIENT LIST) and `max_connections=100` (the pool; a
caller beyond it waits up to `socket_timeout` for a free connection instead of failing at once, so a burst
of requests is not mistaken for Redis being down).
Limits: each open subscription holds its own Redis connection (fine for hundreds of watchers per
replica). Pub/sub is fire-and-forget: messages published while a subscriber is disconnected (Redis
restarting, or Redis dropping a subscriber that fell 8 MiB behind) are lost; the subscription
reconnects and resubscribes on its own, and a reader detects the gap from the events' `seq` and refills
from the store. `start()` does not fail when Redis is down (it is a cache): `healthy()` says so.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from highpipe.ports.cache import Cache, Subscription

log = logging.getLogger(__name__)

# INCR, then start the window if the key has no expiry yet (first increment, or a value set without one).
_INCR_WINDOW: Final = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
"""
_CONFIRM_TIMEOUT_S: Final = 5.0
_MAX_BACKOFF_S: Final = 2.0
_LOST: Final = (RedisConnectionError, RedisTimeoutError, OSError)


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


class _RedisSubscription(Subscription):
    def __init__(self, pubsub: PubSub, channel: str) -> None:
        self._pubsub = pubsub
        self._channel = channel
        self._closed = False

    async def _iter(self) -> AsyncIterator[bytes]:
        delay = 0.1
        while not self._closed:
            try:
                msg = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            except _LOST as exc:  # Redis went away: redis-py reconnects and resubscribes on the next read
                if self._closed:
                    return
                log.warning("redis subscription %s lost (%s); retrying in %.1fs", self._channel, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_BACKOFF_S)
                continue
            delay = 0.1
            if msg is not None and msg.get("type") == "message":
                data = msg["data"]
                yield data if isinstance(data, bytes) else str(data).encode()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iter()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._pubsub.unsubscribe()
        except (RedisError, OSError):
            pass  # the connection is gone anyway
        await self._pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]


class RedisCache(Cache):
    def __init__(self, url: str = "redis://127.0.0.1:6379/0", **_: Any) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ValueError(f"not a Redis URL (redis://host:port/db): {url!r}")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.url = parts._replace(query="").geturl()
        self.socket_timeout = float(query.get("socket_timeout", "5"))
        self.client_name = query.get("client_name", "highpipe")
        self.max_connections = int(query.get("max_connections", "100"))
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1: {url!r}")
        self._client: Redis | None = None
        self._incr: Any = None

    def _redis(self) -> Redis:
        if self._client is None:
            raise RuntimeError("RedisCache used before start()")
        return self._client

    async def start(self) -> None:
        pool = BlockingConnectionPool.from_url(
            self.url,
            max_connections=self.max_connections,
            timeout=self.socket_timeout,  # wait this long for a free connection
            socket_timeout=self.socket_timeout,
            socket_connect_timeout=2,
            client_name=self.client_name,
            health_check_interval=30,
        )
        self._client = Redis.from_pool(pool)  # the client owns the pool and closes it
        self._incr = self._client.register_script(_INCR_WINDOW)
        if not await self.healthy():
            log.warning("redis at %s is not reachable yet; the cache is degraded until it is", self.url)

    async def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def get(self, key: str) -> bytes | None:
        value = await self._redis().get(key)
        if value is None:
            return None
        return value if isinstance(value, bytes) else value.encode()

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        client = self._redis()
        if ttl_s is None:
            await client.set(key, value)
        elif ttl_s <= 0:  # already expired, as in the memory cache
            await client.delete(key)
        else:
            await client.set(key, value, px=_ms(ttl_s))

    async def delete(self, key: str) -> None:
        await self._redis().delete(key)

    async def incr(self, key: str, ttl_s: float) -> int:
        self._redis()
        return int(await self._incr(keys=[key], args=[_ms(ttl_s)]))

    async def publish(self, channel: str, message: bytes) -> None:
        await self._redis().publish(channel, message)

    async def subscribe(self, channel: str) -> Subscription:
        pubsub = self._redis().pubsub()
        try:
            await pubsub.subscribe(channel)
            # Nothing can arrive on a fresh connection before the confirmation, and once it is here
            # Redis delivers every later PUBLISH on the channel to us.
            async with asyncio.timeout(_CONFIRM_TIMEOUT_S):
                while True:
                    msg = await pubsub.get_message(timeout=_CONFIRM_TIMEOUT_S)
                    if msg is not None and msg.get("type") == "subscribe":
                        break
        except BaseException:
            await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]
            raise
        return _RedisSubscription(pubsub, channel)

    async def healthy(self) -> bool:
        if self._client is None:
            return False
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError) as exc:
            log.debug("redis ping failed: %s", exc)
            return False
