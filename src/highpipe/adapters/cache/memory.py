"""In-process cache and pub/sub (`memory://`): TTL values, counters and fan-out channels.

Limits: one process only; values are lost on restart; a slow subscriber's queue is bounded (1,000
messages) and the oldest message is dropped beyond that (the WebSocket then refills from the store).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

from highpipe.ports.cache import Cache, Subscription


class _MemorySubscription(Subscription):
    def __init__(self, cache: MemoryCache, channel: str) -> None:
        self._cache = cache
        self._channel = channel
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=1000)

    async def _iter(self) -> AsyncIterator[bytes]:
        while True:
            yield await self.queue.get()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iter()

    async def close(self) -> None:
        self._cache._unsubscribe(self._channel, self.queue)


class MemoryCache(Cache):
    def __init__(self, url: str = "memory://", *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[str, tuple[bytes, float | None]] = {}
        self._channels: dict[str, set[asyncio.Queue[bytes]]] = {}
        self._started = False

    def _check(self) -> None:
        if not self._started:
            raise RuntimeError("MemoryCache used before start()")

    async def start(self) -> None:
        self._started = True

    async def stop(self) -> None:
        self._started = False
        self._values.clear()

    async def get(self, key: str) -> bytes | None:
        self._check()
        item = self._values.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self._clock():
            del self._values[key]
            return None
        return value

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        self._check()
        self._values[key] = (value, None if ttl_s is None else self._clock() + ttl_s)
        if len(self._values) > 100_000:
            self._evict()

    def _evict(self) -> None:
        now = self._clock()
        for k in [k for k, (_, exp) in self._values.items() if exp is not None and exp <= now]:
            del self._values[k]

    async def delete(self, key: str) -> None:
        self._check()
        self._values.pop(key, None)

    async def incr(self, key: str, ttl_s: float) -> int:
        current = await self.get(key)
        if current is None:
            self._values[key] = (b"1", self._clock() + ttl_s)
            return 1
        value = int(current) + 1
        self._values[key] = (str(value).encode(), self._values[key][1])
        return value

    async def publish(self, channel: str, message: bytes) -> None:
        self._check()
        for queue in list(self._channels.get(channel, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    async def subscribe(self, channel: str) -> Subscription:
        self._check()
        sub = _MemorySubscription(self, channel)
        self._channels.setdefault(channel, set()).add(sub.queue)
        return sub

    def _unsubscribe(self, channel: str, queue: asyncio.Queue[bytes]) -> None:
        subs = self._channels.get(channel)
        if subs is not None:
            subs.discard(queue)
            if not subs:
                del self._channels[channel]

    def subscribers(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))
