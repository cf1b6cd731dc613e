"""Contract suite for the bus port, parametrised over backends (memory now; Kafka joins later)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from highpipe.adapters.bus.memory import MemoryBus
from highpipe.domain.events import TOPIC_DEAD_LETTER
from highpipe.ports.bus import Bus, Message


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture(params=["memory"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    backend = MemoryBus("memory://?partitions=3", max_attempts=3, sleep=_no_sleep)
    await backend.start()
    yield backend
    await backend.stop()


async def test_used_before_start_raises() -> None:
    with pytest.raises(RuntimeError):
        await MemoryBus().publish("t", "k", {})


async def test_every_message_reaches_each_group_once_in_key_order(bus: Bus) -> None:
    seen: dict[str, list[tuple[str, int]]] = {"a": [], "b": []}

    def handler(group: str):  # type: ignore[no-untyped-def]
        async def handle(msg: Message) -> None:
            seen[group].append((msg.key, int(msg.value["n"])))

        return handle

    await bus.subscribe("topic.x", "a", handler("a"))
    await bus.subscribe("topic.x", "b", handler("b"))
    for n in range(60):
        await bus.publish("topic.x", f"job-{n % 4}", {"n": n})
    await bus.drain(5)
    for group in ("a", "b"):
        assert sorted(n for _, n in seen[group]) == list(range(60))
        for key in {k for k, _ in seen[group]}:
            ordered = [n for k, n in seen[group] if k == key]
            assert ordered == sorted(ordered), "per-key order must be kept"


async def test_messages_published_before_subscribe_are_delivered(bus: Bus) -> None:
    await bus.publish("early", "k", {"n": 1})
    got: list[int] = []

    async def handle(msg: Message) -> None:
        got.append(msg.value["n"])

    await bus.subscribe("early", "g", handle)
    await bus.drain(5)
    assert got == [1]


async def test_failing_message_is_retried_then_dead_lettered_and_stream_flows(bus: Bus) -> None:
    attempts: dict[int, int] = {}
    done: list[int] = []
    dead: list[Message] = []

    async def handle(msg: Message) -> None:
        n = int(msg.value["n"])
        attempts[n] = attempts.get(n, 0) + 1
        if n == 1:
            raise ValueError("poison")
        if n == 2 and attempts[n] < 2:
            raise ConnectionError("transient")
        done.append(n)

    async def on_dead(msg: Message) -> None:
        dead.append(msg)

    await bus.subscribe("work", "g", handle)
    await bus.subscribe(TOPIC_DEAD_LETTER, "dlq", on_dead)
    for n in range(4):
        await bus.publish("work", "same-key", {"n": n})
    await bus.drain(5)
    assert done == [0, 2, 3]
    assert attempts[1] == 3 and attempts[2] == 2
    assert len(dead) == 1
    assert dead[0].value["value"] == {"n": 1}
    assert "poison" in dead[0].value["error"]


async def test_drain_waits_for_slow_handlers(bus: Bus) -> None:
    finished: list[int] = []

    async def slow(msg: Message) -> None:
        await asyncio.sleep(0.05)
        finished.append(1)

    await bus.subscribe("slow", "g", slow)
    for _ in range(3):
        await bus.publish("slow", "k", {})
    await bus.drain(5)
    assert finished == [1, 1, 1]


async def test_same_group_twice_is_refused(bus: Bus) -> None:
    async def handle(msg: Message) -> None:
        return None

    await bus.subscribe("t", "g", handle)
    with pytest.raises(ValueError):
        await bus.subscribe("t", "g", handle)
