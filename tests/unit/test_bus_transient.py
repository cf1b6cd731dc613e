"""The memory bus retries a handler that raises TransientError (a dependency away) with capped backoff,
without counting attempts and without dead-lettering, and the message after it still flows in order."""

from __future__ import annotations

import asyncio

from highpipe.adapters.bus.kafka_group import transient
from highpipe.adapters.bus.memory import MAX_TRANSIENT_BACKOFF_S, MemoryBus
from highpipe.adapters.store.base import StoreUnavailable
from highpipe.domain.events import TOPIC_DEAD_LETTER
from highpipe.ports.bus import Message, TransientError


async def test_transient_errors_are_retried_past_max_attempts_with_capped_backoff() -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(0)

    bus = MemoryBus(partitions=1, max_attempts=2, backoff_s=0.1, sleep=sleep)
    await bus.start()
    seen: list[tuple[str, int]] = []
    failures = {"a": 10}  # the store is away for ten deliveries of "a"

    async def handler(msg: Message) -> None:
        name = msg.value["n"]
        if failures.get(name, 0) > 0:
            failures[name] -= 1
            raise StoreUnavailable("connection refused")
        seen.append((name, msg.attempt))

    await bus.subscribe("t", "g", handler)
    await bus.publish("t", "job", {"n": "a"})
    await bus.publish("t", "job", {"n": "b"})
    await bus.drain(timeout=5)
    assert seen == [("a", 1), ("b", 1)], "in order, and transient failures are not attempts"
    assert bus.topic_messages(TOPIC_DEAD_LETTER) == []
    assert len(pauses) == 10
    assert pauses[:4] == [0.1, 0.2, 0.4, 0.8]
    assert max(pauses) == MAX_TRANSIENT_BACKOFF_S and pauses[-1] == MAX_TRANSIENT_BACKOFF_S
    await bus.stop()


async def test_ordinary_errors_still_dead_letter_after_max_attempts() -> None:
    bus = MemoryBus(partitions=1, max_attempts=2, backoff_s=0.0)
    await bus.start()
    calls = 0

    async def handler(msg: Message) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("bad payload")

    await bus.subscribe("t", "g", handler)
    await bus.publish("t", "job", {"n": 1})
    await bus.drain(timeout=5)
    assert calls == 2
    [dead] = bus.topic_messages(TOPIC_DEAD_LETTER)
    assert dead.value["error"] == "ValueError: bad payload" and dead.value["attempts"] == 2
    await bus.stop()


async def test_stop_does_not_wait_forever_on_a_store_that_stays_away() -> None:
    bus = MemoryBus(partitions=1, backoff_s=0.01)
    await bus.start()
    started = asyncio.Event()

    async def handler(msg: Message) -> None:
        started.set()
        raise StoreUnavailable("down")

    await bus.subscribe("t", "g", handler)
    await bus.publish("t", "job", {})
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.wait_for(bus.stop(), 8)


def test_the_kafka_consumer_treats_store_unavailable_as_transient() -> None:
    assert transient(StoreUnavailable("down")) and transient(TransientError("x"))
    assert not transient(ValueError("poison"))
