"""The message bus port: topics of DESIGN.md, keyed by job id, at-least-once delivery.

A subscriber is an async handler; the bus commits a message only after the handler returns
(its effects are durable), retries a failing message with backoff, and after `max_attempts`
sends it to `dead-letter` with the error. A handler that raises `TransientError` (a dependency such as
the store is away) is not the message's fault: the bus retries it with capped backoff until it succeeds,
without counting attempts and without dead-lettering it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    key: str
    value: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    attempt: int = 1


Handler = Callable[[Message], Awaitable[None]]


class TransientError(Exception):
    """A handler failure caused by a dependency being away (store down): retried until it is back."""


class Bus(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None:
        """Stop consuming; in-flight handlers finish first (graceful)."""

    @abstractmethod
    async def publish(self, topic: str, key: str, value: dict[str, Any]) -> None: ...

    @abstractmethod
    async def subscribe(self, topic: str, group: str, handler: Handler) -> None:
        """Deliver every message of `topic` to one handler of consumer group `group`."""

    @abstractmethod
    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until every published message has been handled (tests, shutdown)."""

    async def healthy(self) -> bool:
        return True
