"""In-process message bus (`memory://`), with Kafka's semantics so the services cannot tell the difference.

Each topic has `partitions` append-only logs; a message goes to partition hash(key) % partitions, so one
job's messages stay in order. Every consumer group keeps its own offset per partition and has one
consumer task per partition. An offset is committed only after the handler returned; a failing message is
retried with backoff and, after `max_attempts`, published to `dead-letter` with the error.
`dead_letters` counts those per (topic, group) for the `highpipe_bus_dead_letters_total` metric.

URL: `memory://` or `memory://?partitions=4&max_attempts=3`. Limits: one process only; nothing survives
a restart; the log of a topic is trimmed once every group has consumed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from highpipe.domain.events import TOPIC_DEAD_LETTER
from highpipe.ports.bus import Bus, Handler, Message, TransientError

log = logging.getLogger(__name__)
MAX_TRANSIENT_BACKOFF_S = 2.0


@dataclass
class _Partition:
    log: list[Message] = field(default_factory=list)
    base: int = 0  # absolute offset of log[0]

    @property
    def end(self) -> int:
        return self.base + len(self.log)


@dataclass
class _Group:
    name: str
    handler: Handler
    offsets: list[int]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    busy: int = 0


def partition_for(key: str, partitions: int) -> int:
    return zlib.crc32(key.encode()) % partitions


class MemoryBus(Bus):
    def __init__(
        self,
        url: str = "memory://",
        *,
        partitions: int | None = None,
        max_attempts: int | None = None,
        backoff_s: float = 0.05,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        query = parse_qs(urlsplit(url).query)
        self.partitions = partitions or int(query.get("partitions", ["4"])[0])
        self.max_attempts = max_attempts or int(query.get("max_attempts", ["3"])[0])
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._topics: dict[str, list[_Partition]] = {}
        self._groups: dict[tuple[str, str], _Group] = {}
        self._changed: asyncio.Condition | None = None
        self._running = False
        self.dead_letters: Counter[tuple[str, str]] = Counter()  # (topic, group) -> messages parked

    def _cond(self) -> asyncio.Condition:
        if self._changed is None:
            raise RuntimeError("MemoryBus used before start()")
        return self._changed

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        self._running = True

    async def stop(self) -> None:
        self._running = False
        tasks = [t for g in self._groups.values() for t in g.tasks]
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), timeout=5)
            task.cancel()
        self._groups.clear()

    def _partitions(self, topic: str) -> list[_Partition]:
        return self._topics.setdefault(topic, [_Partition() for _ in range(self.partitions)])

    async def publish(self, topic: str, key: str, value: dict[str, Any]) -> None:
        cond = self._cond()
        part = self._partitions(topic)[partition_for(key, self.partitions)]
        part.log.append(Message(topic=topic, key=key, value=value))
        async with cond:
            cond.notify_all()

    async def subscribe(self, topic: str, group: str, handler: Handler) -> None:
        self._cond()
        if (topic, group) in self._groups:
            raise ValueError(f"group {group!r} already consumes {topic!r} in this process")
        parts = self._partitions(topic)
        grp = _Group(name=group, handler=handler, offsets=[p.base for p in parts])
        self._groups[(topic, group)] = grp
        for i in range(self.partitions):
            grp.tasks.append(
                asyncio.create_task(self._consume(topic, grp, i), name=f"bus:{topic}:{group}:{i}")
            )

    async def _consume(self, topic: str, grp: _Group, index: int) -> None:
        cond = self._cond()
        part = self._partitions(topic)[index]
        while self._running:
            async with cond:
                await cond.wait_for(lambda: not self._running or grp.offsets[index] < part.end)
            if not self._running:
                return
            msg = part.log[grp.offsets[index] - part.base]
            grp.busy += 1
            try:
                await self._deliver(topic, grp.handler, msg, grp.name)
            finally:
                grp.busy -= 1
                grp.offsets[index] += 1  # commit: the handler's effects are durable (or dead-lettered)
                self._trim(topic, index)
                async with cond:
                    cond.notify_all()

    async def _deliver(self, topic: str, handler: Handler, msg: Message, group: str = "") -> None:
        attempt = 1
        pause = self.backoff_s
        while True:
            try:
                await handler(Message(msg.topic, msg.key, msg.value, msg.headers, attempt))
                return
            except asyncio.CancelledError:
                raise
            except TransientError as exc:  # a dependency is away: wait for it, the message is fine
                if not self._running:  # stopping: the in-process log dies with the bus anyway
                    log.warning("bus stopping while a message on %s waits for a dependency: %s", topic, exc)
                    return
                log.warning("handler on %s hit a transient error, retrying in %.2fs: %s", topic, pause, exc)
                await self._sleep(pause)
                pause = min(pause * 2, MAX_TRANSIENT_BACKOFF_S)
                continue
            except Exception as exc:
                if attempt >= self.max_attempts:
                    log.error("message on %s failed %d times, dead-lettered: %s", topic, attempt, exc)
                    if topic != TOPIC_DEAD_LETTER:
                        await self.publish(TOPIC_DEAD_LETTER, msg.key, dead_letter_value(msg, exc, attempt))
                        self.dead_letters[(topic, group)] += 1
                    return
                log.warning("message on %s failed (attempt %d): %s", topic, attempt, exc)
                await self._sleep(self.backoff_s * 2 ** (attempt - 1))
                attempt += 1

    def _trim(self, topic: str, index: int) -> None:
        groups = [g for (t, _), g in self._groups.items() if t == topic]
        part = self._partitions(topic)[index]
        low = min(g.offsets[index] for g in groups)
        if low - part.base > 1024:
            del part.log[: low - part.base]
            part.base = low

    async def drain(self, timeout: float = 10.0) -> None:
        cond = self._cond()

        def idle() -> bool:
            for (topic, _), grp in self._groups.items():
                if grp.busy:
                    return False
                parts = self._partitions(topic)
                if any(grp.offsets[i] < parts[i].end for i in range(self.partitions)):
                    return False
            return True

        async with asyncio.timeout(timeout), cond:
            await cond.wait_for(idle)

    def topic_messages(self, topic: str) -> list[Message]:
        """Every retained message of a topic (tests and the dead-letter view)."""
        return [m for p in self._partitions(topic) for m in p.log]


def dead_letter_value(msg: Message, exc: BaseException, attempts: int) -> dict[str, Any]:
    return {
        "version": 1,
        "topic": msg.topic,
        "key": msg.key,
        "error": f"{type(exc).__name__}: {exc}",
        "attempts": attempts,
        "value": msg.value,
    }
