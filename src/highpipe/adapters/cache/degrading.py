"""A cache that keeps the application working while its server (Redis) is away.

`DegradingCache(inner)` wraps any Cache. When an operation of the inner cache fails:

- `get` answers None (a miss: the caller reads PostgreSQL instead);
- `set`, `delete` and `publish` do nothing (a stale entry cannot outlive its TTL; a lost live event is
  refilled from the store by its reader, which detects the gap from the events' `seq`);
- `incr` counts in a local, in-process window, so rate limits still hold per replica;
- `subscribe` returns a subscription that keeps retrying in the background and, once the server is back,
  delivers what is published from then on.

Failures are logged at most once per `log_every_s` (with how many were suppressed), and `degraded` says
whether the last operation failed, so a WebSocket can re-check the store more often meanwhile.
Limits: the local counters are per process and forgotten at restart; `degraded` flips back only when an
operation (or `healthy()`) succeeds again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Final

from highpipe.ports.cache import Cache, Subscription

log = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_S: Final = 5.0
MAX_RETRY_S: Final = 2.0


class DegradingCache(Cache):
    def __init__(
        self,
        inner: Cache,
        *,
        log_every_s: float = 30.0,
        retry_s: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.log_every_s = log_every_s
        self.retry_s = retry_s
        self._clock = clock
        self._degraded = False
        self._last_log: float | None = None
        self._suppressed = 0
        self._counters: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)

    @property
    def degraded(self) -> bool:
        """True while the inner cache is failing (since the last failure, until the next success)."""
        return self._degraded

    def _failed(self, op: str, exc: BaseException) -> None:
        if not self._degraded:
            log.warning("cache degraded: %s failed (%s); serving from the store meanwhile", op, exc)
            self._last_log = self._clock()
            self._suppressed = 0
        else:
            now = self._clock()
            if self._last_log is None or now - self._last_log >= self.log_every_s:
                log.warning(
                    "cache still degraded: %s failed (%s); %d errors since", op, exc, self._suppressed
                )
                self._last_log = now
                self._suppressed = 0
            else:
                self._suppressed += 1
        self._degraded = True

    def _ok(self) -> None:
        if self._degraded:
            log.warning("cache recovered: the cache server answers again")
            self._degraded = False

    async def start(self) -> None:
        try:
            await self.inner.start()
        except Exception as exc:  # a cache is never a reason not to start
            self._failed("start", exc)

    async def stop(self) -> None:
        try:
            await self.inner.stop()
        except Exception as exc:
            log.warning("cache did not stop cleanly: %s", exc)

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self.inner.get(key)
        except Exception as exc:
            self._failed("get", exc)
            return None
        self._ok()
        return value

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        try:
            await self.inner.set(key, value, ttl_s)
        except Exception as exc:
            self._failed("set", exc)
            return
        self._ok()

    async def delete(self, key: str) -> None:
        try:
            await self.inner.delete(key)
        except Exception as exc:
            self._failed("delete", exc)
            return
        self._ok()

    async def incr(self, key: str, ttl_s: float) -> int:
        try:
            value = await self.inner.incr(key, ttl_s)
        except Exception as exc:
            self._failed("incr", exc)
            return self._local_incr(key, ttl_s)
        self._ok()
        return value

    def _local_incr(self, key: str, ttl_s: float) -> int:
        now = self._clock()
        count, expires = self._counters.get(key, (0, 0.0))
        if expires <= now:
            count, expires = 0, now + ttl_s
        count += 1
        self._counters[key] = (count, expires)
        if len(self._counters) > 10_000:  # forget expired windows so the map stays small
            self._counters = {k: v for k, v in self._counters.items() if v[1] > now}
        return count

    async def publish(self, channel: str, message: bytes) -> None:
        try:
            await self.inner.publish(channel, message)
        except Exception as exc:
            self._failed("publish", exc)
            return
        self._ok()

    async def subscribe(self, channel: str) -> Subscription:
        sub = _RetryingSubscription(self, channel)
        await sub.connect_once()
        return sub

    async def healthy(self) -> bool:
        try:
            ok = bool(await self.inner.healthy())
        except Exception as exc:
            self._failed("health check", exc)
            return False
        if ok:
            self._ok()
        else:
            self._degraded = True
        return ok


class _RetryingSubscription(Subscription):
    """The inner subscription when there is one; otherwise retried while it is iterated."""

    def __init__(self, owner: DegradingCache, channel: str) -> None:
        self._owner = owner
        self._channel = channel
        self._inner: Subscription | None = None
        self._closed = False

    async def connect_once(self) -> bool:
        try:
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
                self._inner = await self._owner.inner.subscribe(self._channel)
        except Exception as exc:
            self._owner._failed(f"subscribe {self._channel}", exc)
            return False
        self._owner._ok()
        return True

    async def _iter(self) -> AsyncIterator[bytes]:
        delay = self._owner.retry_s
        while not self._closed:
            if self._inner is None:
                if not await self.connect_once():
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, MAX_RETRY_S)
                    continue
                delay = self._owner.retry_s
            inner = self._inner
            assert inner is not None
            try:
                async for message in inner:
                    yield message
            except Exception as exc:  # the inner subscription gave up: open a new one
                self._owner._failed(f"subscription {self._channel}", exc)
            self._inner = None
            await _close_quietly(inner)
            if not self._closed:  # never spin on an inner subscription that ends at once
                await asyncio.sleep(self._owner.retry_s)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iter()

    async def close(self) -> None:
        self._closed = True
        inner, self._inner = self._inner, None
        if inner is not None:
            await _close_quietly(inner)


async def _close_quietly(sub: Subscription) -> None:
    try:
        await sub.close()
    except Exception as exc:
        log.debug("closing a cache subscription failed: %s", exc)
