"""Kafka message bus (`kafka://`, aiokafka), with the same semantics as the memory bus.

URL: `kafka://host:port[,host:port...]?partitions=6&replication=1&max_attempts=3&client_id=highpipe`
plus optional `compression=gzip|lz4|zstd|snappy|none` (default lz4 when its codec is installed, else gzip),
`linger_ms=1`, `session_timeout_ms=10000`, `stop_grace_s=10` and `topic_prefix=` (default none).

- `topic_prefix` puts every topic and consumer group of this bus in its own namespace (`<prefix>job.events`,
  group `<prefix>sink-events`), so several HighPipe deployments or test runs can share one broker. The
  services never see it: handlers get messages with the plain topic names, and `group_lag()` and
  dead-letter records use them too.
- `dead_letters` counts the messages parked on `dead-letter` per (topic, group), plain names, for the
  `highpipe_bus_dead_letters_total` metric.

- Topics: those of DESIGN.md are created at start, any other on first use (admin client, `partitions`
  each, `replication` copies); existing topics are left as they are.
- Publishing: JSON values keyed by job id (murmur2 partitioner: one job's messages stay in order);
  acks=all with the idempotent producer, compression, and batching of concurrent sends (a 1 ms linger:
  5 ms cost a sequential publisher 7 ms per message instead of 2). `publish` returns once the broker
  acknowledged the message, so a handler's downstream messages are durable before its offset is committed.
- Consuming: one consumer group member per `subscribe(topic, group)`, earliest offset for a new group,
  manual commits after the handler returned, retries with backoff and then `dead-letter` (see
  kafka_group.py). Broker errors inside a handler are waited out rather than counted as attempts.
- `drain()` waits until every subscribed group has committed up to the end of its topic (whichever
  member did the work) and no handler here is busy; `group_lag()` reports those distances.

Limits: no transactions (a crash between a handler's effects and its commit redelivers: effects must be
idempotent); message size up to 8 MiB; lz4/zstd/snappy need the `cramjam` codec package.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from aiokafka import (  # type: ignore[import-untyped,unused-ignore]
    AIOKafkaConsumer,
    AIOKafkaProducer,
    TopicPartition,
)
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # type: ignore[import-untyped,unused-ignore]
from aiokafka.codec import has_lz4  # type: ignore[import-untyped,unused-ignore]
from aiokafka.errors import (  # type: ignore[import-untyped,unused-ignore]
    KafkaError,
    TopicAlreadyExistsError,
    for_code,
)

from highpipe.adapters.bus.kafka_group import GroupConsumer
from highpipe.adapters.bus.memory import dead_letter_value
from highpipe.domain.events import TOPIC_DEAD_LETTER, TOPICS
from highpipe.ports.bus import Bus, Handler, Message

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES: Final = 8 * 1024 * 1024
METADATA_RETRY_S: Final = 0.25


def encode_value(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class KafkaBus(Bus):
    def __init__(
        self,
        url: str = "kafka://127.0.0.1:9092",
        *,
        partitions: int | None = None,
        replication: int | None = None,
        max_attempts: int | None = None,
        client_id: str | None = None,
        compression: str | None = None,
        backoff_s: float = 0.2,
        stop_grace_s: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "kafka" or not parts.netloc:
            raise ValueError(f"not a Kafka URL (kafka://host:port[,host:port]): {url!r}")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.bootstrap = [h.strip() for h in parts.netloc.split(",") if h.strip()]
        self.partitions = partitions or int(query.get("partitions", "6"))
        self.replication = replication or int(query.get("replication", "1"))
        self.max_attempts = max_attempts or int(query.get("max_attempts", "3"))
        self.client_id = client_id or query.get("client_id", "highpipe")
        codec = compression or query.get("compression") or ("lz4" if has_lz4() else "gzip")
        self.compression: str | None = None if codec == "none" else codec
        self.linger_ms = int(query.get("linger_ms", "1"))
        self.session_timeout_ms = int(query.get("session_timeout_ms", "10000"))
        self.stop_grace_s = stop_grace_s or float(query.get("stop_grace_s", "10"))
        self.topic_prefix = query.get("topic_prefix", "")
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._producer: Any = None
        self._admin: Any = None
        self._probe: Any = None  # a group-less consumer for offset look-ups (see group_lag)
        self._topics: set[str] = set()
        self._topic_lock = asyncio.Lock()
        self._groups: dict[tuple[str, str], GroupConsumer] = {}
        self.dead_letters: Counter[tuple[str, str]] = Counter()  # (topic, group) -> messages parked

    def _require(self) -> Any:
        if self._producer is None:
            raise RuntimeError("KafkaBus used before start()")
        return self._producer

    async def start(self) -> None:
        servers = ",".join(self.bootstrap)
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=True,  # a retried send is never stored twice
            linger_ms=self.linger_ms,
            max_batch_size=256 * 1024,
            max_request_size=MAX_MESSAGE_BYTES,
            compression_type=self.compression,
            request_timeout_ms=30_000,
        )
        _pace_metadata_retries(producer.client, METADATA_RETRY_S)
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, client_id=f"{self.client_id}-admin")
        try:
            await producer.start()
            await admin.start()
        except KafkaError as exc:
            await producer.stop()
            await admin.close()
            raise ConnectionError(f"Kafka at {servers} is not reachable: {exc}") from exc
        self._producer, self._admin = producer, admin
        await self._ensure_topics([self._real(t) for t in TOPICS])

    async def stop(self) -> None:
        groups = list(self._groups.values())
        self._groups.clear()
        for result in await asyncio.gather(*(g.stop() for g in groups), return_exceptions=True):
            if isinstance(result, BaseException):
                log.warning("kafka consumer did not stop cleanly: %r", result)
        producer, admin, probe = self._producer, self._admin, self._probe
        self._producer = self._admin = self._probe = None
        if producer is not None:
            await producer.stop()  # flushes what is still batched
        if admin is not None:
            await admin.close()
        if probe is not None:
            await probe.stop()

    def _real(self, name: str) -> str:
        """The broker-side name of a topic or group (with the prefix)."""
        return f"{self.topic_prefix}{name}"

    def _logical(self, name: str) -> str:
        p = self.topic_prefix
        return name[len(p) :] if p and name.startswith(p) else name

    async def _ensure_topics(self, topics: list[str]) -> None:
        missing = [t for t in topics if t not in self._topics]
        if not missing:
            return
        async with self._topic_lock:
            missing = [t for t in missing if t not in self._topics]
            if not missing:
                return
            response = await self._admin.create_topics(
                [NewTopic(t, self.partitions, self.replication) for t in missing], timeout_ms=15_000
            )
            for item in response.topic_errors:
                name, code = item[0], item[1]
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise for_code(code)(f"could not create Kafka topic {name!r}: {item[2:]}")
            for topic in missing:
                await self._producer.partitions_for(topic)  # waits until the metadata knows it
            self._topics.update(missing)

    async def publish(self, topic: str, key: str, value: dict[str, Any]) -> None:
        producer = self._require()
        real = self._real(topic)
        await self._ensure_topics([real])
        await producer.send_and_wait(real, value=encode_value(value), key=key.encode())

    async def _dead_letter(self, msg: Message, exc: BaseException, attempts: int) -> None:
        topic = self._logical(msg.topic)  # the group consumer reports the broker-side name
        if topic != TOPIC_DEAD_LETTER:
            msg = dataclasses.replace(msg, topic=topic)
            await self.publish(TOPIC_DEAD_LETTER, msg.key, dead_letter_value(msg, exc, attempts))

    def _counted_dead_letter(
        self, topic: str, group: str
    ) -> Callable[[Message, BaseException, int], Awaitable[None]]:
        """The group member's dead-letter callback, counting what it parks (once it is published)."""

        async def park(msg: Message, exc: BaseException, attempts: int) -> None:
            await self._dead_letter(msg, exc, attempts)
            if topic != TOPIC_DEAD_LETTER:
                self.dead_letters[(topic, group)] += 1

        return park

    async def subscribe(self, topic: str, group: str, handler: Handler) -> None:
        self._require()
        if (topic, group) in self._groups:
            raise ValueError(f"group {group!r} already consumes {topic!r} in this process")
        real_topic, real_group = self._real(topic), self._real(group)
        await self._ensure_topics([real_topic])
        if self.topic_prefix:  # handlers see the plain topic name, whatever the namespace
            handler = _renamed(handler, topic)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            client_id=f"{self.client_id}-{group}",
            group_id=real_group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=self.session_timeout_ms,
            # Frequent heartbeats: a member learns of a rebalance (a replica joining) within a second.
            heartbeat_interval_ms=max(min(self.session_timeout_ms // 3, 1000), 100),
            max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
            fetch_max_bytes=4 * MAX_MESSAGE_BYTES,
        )
        member = GroupConsumer(
            consumer,
            real_topic,
            real_group,
            handler,
            self._counted_dead_letter(topic, group),
            max_attempts=self.max_attempts,
            backoff_s=self.backoff_s,
            stop_grace_s=self.stop_grace_s,
            sleep=self._sleep,
        )
        if (topic, group) in self._groups:  # another subscribe won the race during the await
            raise ValueError(f"group {group!r} already consumes {topic!r} in this process")
        self._groups[(topic, group)] = member
        try:
            await member.start()
        except BaseException:
            del self._groups[(topic, group)]
            await consumer.stop()
            raise

    async def group_lag(self) -> dict[tuple[str, str], int]:
        """Messages not yet committed, per subscribed (topic, group), over all members of the group."""
        producer = self._require()
        if self._probe is None:
            # Not the members' own consumers: their offset look-ups queue behind a fetch that may wait
            # fetch_max_wait_ms (0.5 s) for data.
            probe = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, client_id=f"{self.client_id}-probe")
            await probe.start()
            self._probe = probe
        lags: dict[tuple[str, str], int] = {}
        for (topic, group), member in list(self._groups.items()):
            partitions = sorted(await producer.partitions_for(member.topic))
            tps = [TopicPartition(member.topic, p) for p in partitions]
            ends = await self._probe.end_offsets(tps)
            committed = await self._admin.list_consumer_group_offsets(member.group, partitions=tps)
            starts: dict[Any, int] = {}
            if any(committed.get(tp) is None or committed[tp].offset < 0 for tp in tps):
                starts = await self._probe.beginning_offsets(tps)
            lag = 0
            for tp in tps:
                done = committed.get(tp)
                position = done.offset if done is not None and done.offset >= 0 else starts.get(tp, 0)
                lag += max(0, ends[tp] - position)
            lags[(topic, group)] = lag
        return lags

    async def drain(self, timeout: float = 10.0) -> None:
        self._require()
        async with asyncio.timeout(timeout):
            while True:
                before = sum(m.handled for m in self._groups.values())
                if all(m.idle() for m in self._groups.values()):
                    lag = await self.group_lag()
                    after = sum(m.handled for m in self._groups.values())
                    if (
                        not any(lag.values())
                        and before == after
                        and all(m.idle() for m in self._groups.values())
                    ):
                        return
                await asyncio.sleep(0.05)

    async def healthy(self) -> bool:
        if self._admin is None:
            return False
        try:
            async with asyncio.timeout(5):
                await self._admin.describe_cluster()
            return True
        except (KafkaError, OSError, TimeoutError) as exc:
            log.warning("kafka health check failed: %s", exc)
            return False


def _renamed(handler: Handler, topic: str) -> Handler:
    async def handle(msg: Message) -> None:
        await handler(dataclasses.replace(msg, topic=topic))

    return handle


def _pace_metadata_retries(client: Any, backoff_s: float) -> None:
    """Make a failed metadata update answer only after `backoff_s`.

    While a partition has no known leader (its broker is shutting down or away), aiokafka's producer
    sender waits on `force_metadata_update()` and loops at once when it fails, without the backoff its
    comment promises: thousands of connection attempts a second, a busy core and a flooded log for as long
    as the broker is away, and on loopback (the broker's port inside the ephemeral range) sooner or later
    a client socket that connects to itself on the broker's port, so the broker cannot bind it again when
    it restarts. A successful update still answers at once.
    """
    original = client.force_metadata_update

    def force_metadata_update() -> asyncio.Future[bool]:
        inner = original()
        loop = asyncio.get_running_loop()
        paced: asyncio.Future[bool] = loop.create_future()

        def failed() -> None:
            if not paced.done():
                paced.set_result(False)

        def settle(done: asyncio.Future[bool]) -> None:
            if paced.done():
                return
            if done.cancelled():
                paced.cancel()
            elif (exc := done.exception()) is not None:
                paced.set_exception(exc)
            elif done.result():
                paced.set_result(True)
            else:
                loop.call_later(backoff_s, failed)

        inner.add_done_callback(settle)
        return paced

    client.force_metadata_update = force_metadata_update
