"""Prometheus metrics and logging setup. One Metrics object per process, built by bootstrap.

Besides the instruments the services update directly, `Metrics` has two hooks:

- `observe_event(envelope)`: called by the sink for every stored job event; a `stage` event with
  state `finished` observes `highpipe_job_stage_duration_seconds{stage}` (finished ts - started ts of
  the same job and stage, as the emitting workers stamped them). One job's events all reach one sink
  consumer (they are keyed by job id), so the start times it keeps are complete; it keeps at most
  `StageTimer.MAX_OPEN` open stages and forgets a job's when the job ends.
- `watch(bus=..., store=...)`: read at scrape time, so nothing polls: the bus's dead-letter counts
  (`highpipe_bus_dead_letters_total{topic,group}`) and the SQL store's connection pool
  (`highpipe_db_pool_*`). The families are always described, with no samples until something is watched.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from highpipe.domain.events import Envelope

if TYPE_CHECKING:
    from highpipe.adapters.store.engine import PoolStatus

log = logging.getLogger(__name__)

# Stages last from well under a second (a small upload's report) to an hour (a 5,000-review crawl).
STAGE_BUCKETS: Final = (0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)
_FINAL_TYPES: Final = frozenset({"completed", "failed", "cancelled"})


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_latency = Histogram(
            "highpipe_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.jobs = Gauge("highpipe_jobs", "Jobs by state (this process's view)", ["state"], registry=r)
        self.oldest_running_age = Gauge(
            "highpipe_job_oldest_running_age_seconds",
            "Age of the oldest job still queued or running (0 when none)",
            registry=r,
        )
        self.job_transitions = Counter(
            "highpipe_job_transitions_total", "Job state transitions", ["state"], registry=r
        )
        self.reviews_crawled = Counter(
            "highpipe_reviews_crawled_total", "Reviews collected", ["site"], registry=r
        )
        self.pages_crawled = Counter("highpipe_pages_crawled_total", "Pages fetched", ["site"], registry=r)
        self.crawl_errors = Counter(
            "highpipe_crawl_errors_total", "Crawl failures by code", ["site", "code"], registry=r
        )
        self.reviews_analyzed = Counter("highpipe_reviews_analyzed_total", "Reviews analysed", registry=r)
        self.analysis_seconds = Histogram(
            "highpipe_analysis_batch_seconds", "Analysis time per batch", registry=r
        )
        self.ws_connections = Gauge("highpipe_ws_connections", "Open WebSocket connections", registry=r)
        self.events_recorded = Counter(
            "highpipe_events_recorded_total", "Job events stored", ["type"], registry=r
        )
        self.stage_duration = Histogram(
            "highpipe_job_stage_duration_seconds",
            "Wall time of a job stage (collect, analyze, report), from its started to its finished event",
            ["stage"],
            registry=r,
            buckets=STAGE_BUCKETS,
        )
        self.stages = StageTimer(self.stage_duration)
        self.runtime = RuntimeCollector()
        r.register(self.runtime)

    def observe_event(self, envelope: Envelope) -> None:
        """Feed one stored job event to the stage timer (the sink calls this after storing it)."""
        self.stages.observe(envelope)

    def watch(self, *, bus: object | None = None, store: object | None = None) -> None:
        """Report this bus's dead letters and this store's connection pool at every scrape."""
        if bus is not None:
            self.runtime.bus = bus
        if store is not None:
            self.runtime.store = store

    def render(self) -> bytes:
        data: bytes = generate_latest(self.registry)
        return data


class StageTimer:
    """Start times of open stages, per (job, stage); a finished event observes the elapsed time."""

    MAX_OPEN: Final = 10_000

    def __init__(self, histogram: Histogram) -> None:
        self._histogram = histogram
        self._open: OrderedDict[tuple[str, str], datetime] = OrderedDict()

    def __len__(self) -> int:
        return len(self._open)

    def observe(self, envelope: Envelope) -> float | None:
        """The duration observed, if this event finished a stage whose start was seen."""
        if envelope.type in _FINAL_TYPES:
            for key in [k for k in self._open if k[0] == envelope.job_id]:
                del self._open[key]
            return None
        if envelope.type != "stage":
            return None
        stage, state = envelope.data.get("stage"), envelope.data.get("state")
        if not isinstance(stage, str) or state not in ("started", "finished"):
            return None
        key = (envelope.job_id, stage)
        if state == "started":
            self._open[key] = envelope.ts
            self._open.move_to_end(key)
            while len(self._open) > self.MAX_OPEN:  # jobs whose end this process never saw
                self._open.popitem(last=False)
            return None
        started = self._open.pop(key, None)
        if started is None:
            return None  # started before this process took the job's partition over
        seconds = max((envelope.ts - started).total_seconds(), 0.0)
        self._histogram.labels(stage).observe(seconds)
        return seconds


class RuntimeCollector(Collector):
    """Families read from live objects at scrape time: the bus's dead letters and the DB pool."""

    def __init__(self) -> None:
        self.bus: object | None = None
        self.store: object | None = None

    def collect(self) -> Iterator[Metric]:
        dead = CounterMetricFamily(
            "highpipe_bus_dead_letters",
            "Messages sent to dead-letter after their last attempt, by source topic and consumer group",
            labels=["topic", "group"],
        )
        counts: object = getattr(self.bus, "dead_letters", None)
        if isinstance(counts, Mapping):
            for (topic, group), count in sorted(counts.items()):
                dead.add_metric([str(topic), str(group)], float(count))
        yield dead
        yield from _pool_families(self.store)


def _pool_families(store: object | None) -> Iterator[Metric]:
    connections = GaugeMetricFamily(
        "highpipe_db_pool_connections",
        "Connections of this process's SQL pool by state (in_use: checked out, idle: open in the pool)",
        labels=["state"],
    )
    size = GaugeMetricFamily("highpipe_db_pool_size", "Permanent connections of the SQL pool (pool_size)")
    overflow = GaugeMetricFamily(
        "highpipe_db_pool_overflow", "Connections open beyond pool_size right now (0..max_overflow)"
    )
    capacity = GaugeMetricFamily(
        "highpipe_db_pool_max",
        "The most connections the SQL pool opens (pool_size + max_overflow); beyond it requests wait",
    )
    status = _pool_status(store)
    if status is not None:
        connections.add_metric(["in_use"], status.in_use)
        connections.add_metric(["idle"], status.idle)
        size.add_metric([], status.size)
        overflow.add_metric([], status.overflow)
        capacity.add_metric([], status.capacity)
    yield from (connections, size, overflow, capacity)


def _pool_status(store: object | None) -> PoolStatus | None:
    if store is None:
        return None
    try:
        engine = store.engine  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # not a SQL store, or not started (or stopped)
        return None
    from highpipe.adapters.store.engine import pool_status

    try:
        return pool_status(engine)
    except Exception as exc:  # a scrape must never fail because of one family
        log.warning("db pool status unavailable: %s", exc)
        return None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("job_id", "request_id"):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def setup_logging(fmt: str = "pretty", level: str = "INFO") -> None:
    root = logging.getLogger()
    root.setLevel(level.upper())
    handler: logging.Handler
    if fmt == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
    else:
        from rich.logging import RichHandler

        handler = RichHandler(show_path=False, rich_tracebacks=False)
    root.handlers[:] = [handler]
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
