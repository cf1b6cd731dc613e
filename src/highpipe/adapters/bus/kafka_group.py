"""One Kafka consumer group member of the `kafka://` bus: fetching, per-partition workers, commits.

A fetch loop polls the broker and hands each record to the worker of its partition; a worker runs the
handler on its partition's records one at a time (per-key order), so a slow partition never holds up the
others and the loop keeps polling (no `max.poll.interval` eviction during a long crawl). A worker far
behind gets its partition paused. The offset after a record is committed only once its handler returned
(or it was dead-lettered): at once when the worker runs out of records, else every `COMMIT_EVERY` records
or `COMMIT_INTERVAL_S`. On a rebalance or a stop the workers of the lost partitions finish the record in
hand (for at most `stop_grace_s`, then it is handed back uncommitted), drop what they had queued and
commit; the new owner resumes exactly there. Delivery is at least once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from aiokafka.abc import ConsumerRebalanceListener  # type: ignore[import-untyped,unused-ignore]
from aiokafka.errors import (  # type: ignore[import-untyped,unused-ignore]
    CommitFailedError,
    IllegalStateError,
    KafkaError,
    KafkaTimeoutError,
)

from highpipe.ports.bus import Handler, Message, TransientError

log = logging.getLogger(__name__)

COMMIT_EVERY: Final = 100
COMMIT_INTERVAL_S: Final = 1.0
PAUSE_AT: Final = 1_000  # queued records of one partition before its fetching pauses
RESUME_AT: Final = 100
MAX_BACKOFF_S: Final = 5.0

DeadLetter = Callable[[Message, BaseException, int], Awaitable[None]]


class Stopping(Exception):
    """Raised inside a worker that must give its record back (the bus is stopping)."""


def transient(exc: BaseException) -> bool:
    """A broker-side hiccup (unreachable, timeout, leader moving) or a dependency that is away (the
    store down: `TransientError`): not the message's fault."""
    return isinstance(exc, TransientError | KafkaTimeoutError) or (
        isinstance(exc, KafkaError) and bool(exc.retriable)
    )


def decode_value(raw: bytes | None) -> dict[str, Any]:
    value = json.loads(raw or b"")
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value


@dataclass
class _Worker:
    tp: Any  # TopicPartition
    queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)  # records; None wakes it to stop
    task: asyncio.Task[None] | None = None
    stopping: bool = False
    paused: bool = False
    pending: int | None = None  # next offset to commit: every record before it was handled
    committed: int | None = None
    since_commit: int = 0
    last_commit: float = field(default_factory=time.monotonic)


class GroupConsumer:
    def __init__(
        self,
        consumer: Any,  # an AIOKafkaConsumer, not started
        topic: str,
        group: str,
        handler: Handler,
        dead_letter: DeadLetter,
        *,
        max_attempts: int,
        backoff_s: float,
        stop_grace_s: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.consumer = consumer
        self.topic = topic
        self.group = group
        self.handler = handler
        self._dead_letter = dead_letter
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.stop_grace_s = stop_grace_s
        self._sleep = sleep
        self.workers: dict[Any, _Worker] = {}
        self.assigned: set[Any] = set()
        self.busy = 0
        self.handled = 0  # records taken by workers, ever: drain's "nothing moved meanwhile" check
        self.stopping = False
        self._fetch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        self.consumer.subscribe(topics=[self.topic], listener=_Listener(self))
        self._fetch = asyncio.create_task(self._fetch_loop(), name=f"kafka:{self.topic}:{self.group}")

    async def stop(self) -> None:
        self.stopping = True
        if self._fetch is not None:
            self._fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._fetch
        await self._stop_workers(list(self.workers.values()))
        self.workers.clear()
        await self.consumer.stop()  # leaves the group: the others take the partitions over at once

    def idle(self) -> bool:
        return self.busy == 0 and all(w.queue.empty() for w in self.workers.values())

    async def _fetch_loop(self) -> None:
        while not self.stopping:
            try:
                batches = await self.consumer.getmany(timeout_ms=500, max_records=500)
            except KafkaError as exc:  # the broker went away: keep polling until it is back
                log.warning("kafka fetch for %s/%s failed: %s", self.topic, self.group, exc)
                await asyncio.sleep(1.0)
                continue
            except Exception:  # never let the loop die silently: nothing would be consumed any more
                log.exception("kafka fetch loop for %s/%s", self.topic, self.group)
                await asyncio.sleep(1.0)
                continue
            for tp, records in batches.items():
                if tp not in self.assigned:  # fetched just before a rebalance took it away
                    continue
                worker = self.workers.get(tp) or self._start_worker(tp)
                for record in records:
                    worker.queue.put_nowait(record)
                if worker.queue.qsize() >= PAUSE_AT and not worker.paused:
                    self.consumer.pause(tp)
                    worker.paused = True

    def _start_worker(self, tp: Any) -> _Worker:
        worker = _Worker(tp)
        worker.task = asyncio.create_task(
            self._work(worker), name=f"kafka:{self.topic}:{self.group}:{tp.partition}"
        )
        self.workers[tp] = worker
        return worker

    async def _work(self, w: _Worker) -> None:
        try:
            while not w.stopping:
                record = await w.queue.get()
                if record is None or w.stopping:
                    break
                self.busy += 1
                self.handled += 1
                try:
                    await self._deliver(record)
                    w.pending = record.offset + 1
                    w.since_commit += 1
                    if (
                        w.queue.empty()
                        or w.since_commit >= COMMIT_EVERY
                        or time.monotonic() - w.last_commit >= COMMIT_INTERVAL_S
                    ):
                        await self._commit(w)
                finally:
                    self.busy -= 1
                if w.paused and w.queue.qsize() <= RESUME_AT and w.tp in self.assigned:
                    with contextlib.suppress(IllegalStateError):
                        self.consumer.resume(w.tp)
                    w.paused = False
        except Stopping:
            pass
        finally:
            await self._commit(w)  # what was handled so far, also when cancelled after the grace period

    async def _commit(self, w: _Worker) -> None:
        if w.pending is None or w.pending == w.committed:
            return
        offset = w.pending
        for attempt in range(3):
            try:
                await self.consumer.commit({w.tp: offset})
                w.committed, w.since_commit, w.last_commit = offset, 0, time.monotonic()
                return
            except (CommitFailedError, IllegalStateError) as exc:
                # The group moved on without us: the partition's new owner redelivers from the last commit.
                log.warning("kafka commit of %s at %d dropped (%s)", w.tp, offset, exc)
                return
            except KafkaError as exc:
                log.warning(
                    "kafka commit of %s at %d failed (attempt %d): %s", w.tp, offset, attempt + 1, exc
                )
                await asyncio.sleep(0.2 * 2**attempt)
        log.error("kafka commit of %s at %d kept failing; retried with the next record", w.tp, offset)

    async def _deliver(self, record: Any) -> None:
        key = record.key.decode("utf-8", "replace") if record.key is not None else ""
        headers = {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}
        try:
            value = decode_value(record.value)
        except ValueError as exc:  # poison: no handler can read it, so it goes straight to dead-letter
            raw = (record.value or b"").decode("utf-8", "replace")[:65_536]
            log.error("undecodable message on %s at %s/%d: %s", record.topic, key, record.offset, exc)
            await self._park(Message(record.topic, key, {"raw": raw}, headers), exc, 1)
            return
        attempt = 1
        while True:
            try:
                await self.handler(Message(record.topic, key, value, headers, attempt))
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if transient(exc):  # the broker or the store is away: wait rather than burn the attempts
                    log.warning("handler on %s hit a transient error, retrying: %s", record.topic, exc)
                    await self._pause(MAX_BACKOFF_S)
                    continue
                if attempt >= self.max_attempts:
                    log.error("message on %s failed %d times, dead-lettered: %s", record.topic, attempt, exc)
                    await self._park(Message(record.topic, key, value, headers, attempt), exc, attempt)
                    return
                log.warning("message on %s failed (attempt %d): %s", record.topic, attempt, exc)
                await self._pause(self.backoff_s * 2 ** (attempt - 1))
                attempt += 1

    async def _park(self, msg: Message, exc: BaseException, attempts: int) -> None:
        """Publish to dead-letter; while the broker is away keep trying (the record stays uncommitted).

        If the broker refuses it for good (e.g. too large with the error added), the message is logged and
        skipped: one bad record must not stop its partition.
        """
        delay = self.backoff_s
        while True:
            try:
                await self._dead_letter(msg, exc, attempts)
                return
            except Exception as err:
                if not transient(err):
                    log.exception(
                        "dead-letter refused the message from %s key %s: dropped", msg.topic, msg.key
                    )
                    return
                log.warning("dead-letter publish failed, retrying: %s", err)
                await self._pause(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)

    async def _pause(self, seconds: float) -> None:
        if self.stopping:
            raise Stopping
        await self._sleep(seconds)
        if self.stopping:
            raise Stopping

    async def revoke(self, tps: Iterable[Any]) -> None:
        lost = set(tps)
        self.assigned -= lost
        await self._stop_workers([self.workers.pop(tp) for tp in lost if tp in self.workers])

    async def _stop_workers(self, workers: list[_Worker]) -> None:
        for w in workers:
            w.stopping = True
            while not w.queue.empty():  # queued records are handed back: not committed, refetched later
                w.queue.get_nowait()
            w.queue.put_nowait(None)
        tasks = [w.task for w in workers if w.task is not None]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.stop_grace_s)
        for task in late:
            log.warning(
                "kafka handler %s still busy after %.0fs: handed back", task.get_name(), self.stop_grace_s
            )
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc,unused-ignore]
    """Keeps our worker set in step with the group's assignment (called by aiokafka's coordinator)."""

    def __init__(self, owner: GroupConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: set[Any]) -> None:
        # The fetcher has stopped returning records for these and the old generation can still commit.
        await self.owner.revoke(revoked)

    async def on_partitions_assigned(self, assigned: set[Any]) -> None:
        self.owner.assigned = set(assigned)
