"""The cache port: small values with a TTL, and pub/sub channels for live fan-out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator


class Cache(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def incr(self, key: str, ttl_s: float) -> int:
        """Increment a counter that expires `ttl_s` after its first increment (rate limits)."""

    @abstractmethod
    async def publish(self, channel: str, message: bytes) -> None: ...

    @abstractmethod
    async def subscribe(self, channel: str) -> Subscription:
        """Registered when this returns: every message published on `channel` from then on."""

    async def healthy(self) -> bool:
        return True


class Subscription(ABC):
    """An open channel subscription; iterate it for messages, `close()` it when done."""

    @abstractmethod
    def __aiter__(self) -> AsyncIterator[bytes]: ...

    @abstractmethod
    async def close(self) -> None: ...
