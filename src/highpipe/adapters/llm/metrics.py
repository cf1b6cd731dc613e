"""Prometheus metrics of the LLM client, registered lazily once per `Metrics.registry`.

Kept out of `highpipe.observability` so that processes without an LLM export nothing about it:
  highpipe_llm_tokens_total{kind="prompt"|"completion"}  tokens used (estimated when a server
                                                          streams without a usage block)
  highpipe_llm_request_seconds                            latency of whole calls, retries included
  highpipe_llm_errors_total{code}                         failed calls by error code
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Histogram

_LOCK = threading.Lock()
# CollectorRegistry -> LLMMetrics; weak so tests that build many registries do not leak them.
_BY_REGISTRY: weakref.WeakKeyDictionary[Any, LLMMetrics] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class LLMMetrics:
    tokens: Any
    seconds: Any
    errors: Any


def llm_metrics(registry: Any) -> LLMMetrics:
    """The LLM metrics of `registry`, created on first use (a registry refuses duplicate names)."""
    with _LOCK:
        found = _BY_REGISTRY.get(registry)
        if found is None:
            found = LLMMetrics(
                tokens=Counter("highpipe_llm_tokens_total", "LLM tokens used", ["kind"], registry=registry),
                seconds=Histogram(
                    "highpipe_llm_request_seconds",
                    "LLM call latency (retries included)",
                    registry=registry,
                    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120),
                ),
                errors=Counter(
                    "highpipe_llm_errors_total", "Failed LLM calls by code", ["code"], registry=registry
                ),
            )
            _BY_REGISTRY[registry] = found
        return found
