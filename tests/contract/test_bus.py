"""Contract suite for the bus port, run against the memory bus and a real Kafka broker.

Kafka comes from HIGHPIPE_TEST_KAFKA_URL (`make services-up` starts one on kafka://127.0.0.1:19092);
without it the Kafka cases are skipped locally and fail under CI=true. Every test uses its own topic
and group names, so runs never see each other's messages (`dead-letter` is shared: tests filter it).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from highpipe.adapters.bus.kafka import KafkaBus
from highpipe.adapters.bus.memory import MemoryBus
from highpipe.domain.events import TOPIC_DEAD_LETTER
from highpipe.ports.bus import Bus, Message

DRAIN_S = 20.0  # a Kafka group's first join takes a second or two; a hang still fails fast


def _real_url(env: str) -> str:
    """The URL of a real server for the contract; skipped locally without it, a failure under CI."""
    url = os.environ.get(env)
    if url:
        return url
    message = f"{env} is not set: run `make services-up` first (`make test` does)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


async def _no_sleep(_: float) -> None:
    return None


def _kafka(**kwargs: object) -> KafkaBus:
    url = _with_query(_real_url("HIGHPIPE_TEST_KAFKA_URL"), "partitions=3")
    return KafkaBus(url, max_attempts=3, backoff_s=0.01, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "kafka"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    backend: Bus
    if request.param == "memory":
        backend = MemoryBus("memory://?partitions=3", max_attempts=3, sleep=_no_sleep)
    else:
        backend = _kafka()
    await backend.start()
    yield backend
    await backend.stop()


@pytest.fixture
def name() -> Callable[[str], str]:
    """Topic and group names unique to this test."""
    suffix = uuid.uuid4().hex[:12]
    return lambda base: f"{base}.{suffix}"


@pytest.mark.parametrize(
    "make", [MemoryBus, lambda: KafkaBus("kafka://127.0.0.1:9")], ids=["memory", "kafka"]
)
async def test_used_before_start_raises(make: Callable[[], Bus]) -> None:
    with pytest.raises(RuntimeError):
        await make().publish("t", "k", {})


async def test_kafka_unreachable_broker_fails_start_with_the_address() -> None:
    with pytest.raises(ConnectionError, match=r"Kafka at 127\.0\.0\.1:9 is not reachable"):
        await KafkaBus("kafka://127.0.0.1:9").start()


async def test_every_message_reaches_each_group_once_in_key_order(
    bus: Bus, name: Callable[[str], str]
) -> None:
    seen: dict[str, list[tuple[str, int]]] = {"a": [], "b": []}

    def handler(group: str):  # type: ignore[no-untyped-def]
        async def handle(msg: Message) -> None:
            seen[group].append((msg.key, int(msg.value["n"])))

        return handle

    topic = name("topic.x")
    await bus.subscribe(topic, name("a"), handler("a"))
    await bus.subscribe(topic, name("b"), handler("b"))
    for n in range(60):
        await bus.publish(topic, f"job-{n % 4}", {"n": n})
    await bus.drain(DRAIN_S)
    for group in ("a", "b"):
        assert sorted(n for _, n in seen[group]) == list(range(60))
        for key in {k for k, _ in seen[group]}:
            ordered = [n for k, n in seen[group] if k == key]
            assert ordered == sorted(ordered), "per-key order must be kept"


async def test_messages_published_before_subscribe_are_delivered(
    bus: Bus, name: Callable[[str], str]
) -> None:
    topic = name("early")
    await bus.publish(topic, "k", {"n": 1, "text": "한국어 리뷰"})
    got: list[dict[str, object]] = []

    async def handle(msg: Message) -> None:
        got.append(msg.value)

    await bus.subscribe(topic, name("g"), handle)
    await bus.drain(DRAIN_S)
    assert got == [{"n": 1, "text": "한국어 리뷰"}]


async def test_failing_message_is_retried_then_dead_lettered_and_stream_flows(
    bus: Bus, name: Callable[[str], str]
) -> None:
    attempts: dict[int, list[int]] = {}
    done: list[int] = []
    dead: list[Message] = []
    topic = name("work")

    async def handle(msg: Message) -> None:
        n = int(msg.value["n"])
        attempts.setdefault(n, []).append(msg.attempt)
        if n == 1:
            raise ValueError("poison")
        if n == 2 and len(attempts[n]) < 2:
            raise ConnectionError("transient")
        done.append(n)

    async def on_dead(msg: Message) -> None:
        if msg.value["topic"] == topic:  # the dead-letter topic is shared by everything on the bus
            dead.append(msg)

    await bus.subscribe(topic, name("g"), handle)
    await bus.subscribe(TOPIC_DEAD_LETTER, name("dlq"), on_dead)
    for n in range(4):
        await bus.publish(topic, "same-key", {"n": n})
    await bus.drain(DRAIN_S)
    assert done == [0, 2, 3]
    assert attempts[1] == [1, 2, 3] and attempts[2] == [1, 2]
    assert len(dead) == 1
    assert dead[0].key == "same-key"
    assert dead[0].value["value"] == {"n": 1}
    assert dead[0].value["attempts"] == 3
    assert dead[0].value["error"] == "ValueError: poison"


async def test_drain_waits_for_slow_handlers(bus: Bus, name: Callable[[str], str]) -> None:
    finished: list[int] = []

    async def slow(msg: Message) -> None:
        await asyncio.sleep(0.05)
        finished.append(1)

    topic = name("slow")
    await bus.subscribe(topic, name("g"), slow)
    for _ in range(3):
        await bus.publish(topic, "k", {})
    await bus.drain(DRAIN_S)
    assert finished == [1, 1, 1]


async def test_same_group_twice_is_refused(bus: Bus, name: Callable[[str], str]) -> None:
    async def handle(msg: Message) -> None:
        return None

    await bus.subscribe(name("t"), name("g"), handle)
    with pytest.raises(ValueError):
        await bus.subscribe(name("t"), name("g"), handle)


async def test_large_messages_pass_whole(bus: Bus, name: Callable[[str], str]) -> None:
    got: list[dict[str, object]] = []

    async def handle(msg: Message) -> None:
        got.append(msg.value)

    topic = name("large")
    value = {"reviews": ["배송이 빨라요 " * 40 + str(i) for i in range(3_000)]}  # ~2.6 MB of JSON
    await bus.subscribe(topic, name("g"), handle)
    await bus.publish(topic, "job-1", value)
    await bus.drain(DRAIN_S)
    assert got == [value]


async def test_healthy_while_running(bus: Bus) -> None:
    assert await bus.healthy() is True


# Kafka only: what a broker adds to the memory bus's contract (bytes from outside, restarts, replicas).


async def test_kafka_undecodable_message_is_dead_lettered_and_the_stream_flows(
    name: Callable[[str], str],
) -> None:
    from aiokafka import AIOKafkaProducer  # type: ignore[import-untyped,unused-ignore]

    bus = _kafka()
    await bus.start()
    topic = name("poison")
    got: list[int] = []
    dead: list[Message] = []

    async def handle(msg: Message) -> None:
        got.append(int(msg.value["n"]))

    async def on_dead(msg: Message) -> None:
        if msg.value["topic"] == topic:
            dead.append(msg)

    try:
        await bus.publish(topic, "job-1", {"n": 1})
        raw = AIOKafkaProducer(bootstrap_servers=bus.bootstrap)
        await raw.start()
        try:
            await raw.send_and_wait(topic, b"{not json", key=b"job-1")
            await raw.send_and_wait(topic, b"[1, 2]", key=b"job-1")
        finally:
            await raw.stop()
        await bus.publish(topic, "job-1", {"n": 2})
        await bus.subscribe(topic, name("g"), handle)
        await bus.subscribe(TOPIC_DEAD_LETTER, name("dlq"), on_dead)
        await bus.drain(DRAIN_S)
    finally:
        await bus.stop()
    assert got == [1, 2]
    assert [d.value["value"] for d in dead] == [{"raw": "{not json"}, {"raw": "[1, 2]"}]
    assert all(d.value["error"].startswith(("JSONDecodeError", "ValueError")) for d in dead)


async def test_kafka_restart_resumes_after_the_last_commit(name: Callable[[str], str]) -> None:
    topic, group = name("resume"), name("g")
    got: list[int] = []

    async def handle(msg: Message) -> None:
        got.append(int(msg.value["n"]))

    first = _kafka()
    await first.start()
    try:
        await first.subscribe(topic, group, handle)
        for n in range(5):
            await first.publish(topic, f"job-{n}", {"n": n})
        await first.drain(DRAIN_S)
    finally:
        await first.stop()
    second = _kafka()
    await second.start()
    try:
        for n in range(5, 10):
            await second.publish(topic, f"job-{n}", {"n": n})
        await second.subscribe(topic, group, handle)
        await second.drain(DRAIN_S)
        assert await second.group_lag() == {(topic, group): 0}
    finally:
        await second.stop()
    assert sorted(got) == list(range(10)), "handled messages must not come back after a clean restart"


async def test_kafka_group_members_share_the_partitions(name: Callable[[str], str]) -> None:
    topic, group = name("shared"), name("g")
    by_member: dict[str, list[int]] = {"one": [], "two": []}

    def handler(member: str):  # type: ignore[no-untyped-def]
        async def handle(msg: Message) -> None:
            await asyncio.sleep(0.005)
            by_member[member].append(int(msg.value["n"]))

        return handle

    one, two = _kafka(), _kafka()
    await one.start()
    await two.start()
    try:
        await one.subscribe(topic, group, handler("one"))
        for n in range(30):  # the first member alone has every partition, and is busy when the second joins
            await one.publish(topic, f"job-{n}", {"n": n})
        await two.subscribe(topic, group, handler("two"))
        members = [one._groups[(topic, group)], two._groups[(topic, group)]]
        async with asyncio.timeout(DRAIN_S):  # the rebalance hands partitions to the second member
            while not all(m.assigned for m in members):
                await asyncio.sleep(0.05)
        assert members[0].assigned.isdisjoint(members[1].assigned)
        for n in range(30, 60):  # 30 keys: every partition gets some
            await one.publish(topic, f"job-{n}", {"n": n})
        await one.drain(DRAIN_S)
        await two.drain(DRAIN_S)
    finally:
        await asyncio.gather(one.stop(), two.stop())
    everything = by_member["one"] + by_member["two"]
    assert sorted(everything) == list(range(60)), "each message handled once by the group"
    assert by_member["two"], "the second member took its share"


async def test_kafka_stop_hands_back_a_handler_that_does_not_finish(name: Callable[[str], str]) -> None:
    topic, group = name("handback"), name("g")
    started = asyncio.Event()
    got: list[int] = []

    async def stuck(msg: Message) -> None:
        started.set()
        await asyncio.Event().wait()  # never returns: the process is being stopped under it

    async def handle(msg: Message) -> None:
        got.append(int(msg.value["n"]))

    first = _kafka(stop_grace_s=0.3)
    await first.start()
    try:
        await first.subscribe(topic, group, stuck)
        await first.publish(topic, "job-1", {"n": 1})
        await first.publish(topic, "job-1", {"n": 2})
        await asyncio.wait_for(started.wait(), DRAIN_S)
    finally:
        await asyncio.wait_for(first.stop(), 10)
    second = _kafka()
    await second.start()
    try:
        await second.subscribe(topic, group, handle)
        await second.drain(DRAIN_S)
    finally:
        await second.stop()
    assert got == [1, 2], "the unfinished message and the one behind it are handled by the next member"


async def test_delete_topics_drops_only_the_prefixed_ones() -> None:
    from urllib.parse import urlsplit

    from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # type: ignore[import-untyped,unused-ignore]

    from highpipe.adapters.bus.kafka_admin import delete_topics

    bootstrap = urlsplit(_real_url("HIGHPIPE_TEST_KAFKA_URL")).netloc
    run = uuid.uuid4().hex[:12]
    ours, other = [f"run-{run}.a", f"run-{run}.b"], f"keep-{run}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(t, 1, 1) for t in [*ours, other]])
        assert sorted(await delete_topics(bootstrap, f"run-{run}.")) == ours
        async with asyncio.timeout(DRAIN_S):
            while set(ours) & set(await admin.list_topics()):
                await asyncio.sleep(0.2)
        assert other in await admin.list_topics()
        assert await delete_topics(bootstrap, f"run-{run}.") == []
    finally:
        await admin.delete_topics([other], timeout_ms=15_000)
        await admin.close()
