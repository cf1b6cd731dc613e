"""Prometheus metrics and logging setup. One Metrics object per process, built by bootstrap."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


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

    def render(self) -> bytes:
        data: bytes = generate_latest(self.registry)
        return data


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
