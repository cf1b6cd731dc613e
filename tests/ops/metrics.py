"""Metric names for the ops tests: what HighPipe exposes, what the catalogue allows, and which names a
PromQL expression uses.

`promql_metric_names` is a small lexer, not a full PromQL parser: it removes string literals, label
matchers, ranges and grouping clauses, then keeps identifiers that are not keywords or function calls.
That is enough for the expressions of the rules and dashboards, and it is tested on its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.ops.conftest import DEPLOY

_KEYWORDS = {
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "inf",
    "nan",
    "atan2",
}
_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENT = re.compile(r"(?<![\w:.$])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:])(?!\s*\()")
_NUMBER_WITH_UNIT = re.compile(r"\b\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y|e[+-]?\d+)\b")


def promql_metric_names(expr: str) -> set[str]:
    """The metric (or recording-rule) names that `expr` selects."""
    text = _STRING.sub('""', expr)
    text = _MATCHERS.sub("", text)
    text = _RANGE.sub("", text)
    text = _GROUPING.sub("", text)
    text = _NUMBER_WITH_UNIT.sub("0", text)
    return {m for m in _IDENT.findall(text) if m not in _KEYWORDS}


def app_metric_names() -> set[str]:
    """Sample names HighPipe registers today: observability.Metrics, the LLM client's metrics and the
    workers' own (consumer lag, role)."""
    from prometheus_client.metrics_core import Metric

    from highpipe.adapters.llm.metrics import llm_metrics
    from highpipe.entrypoints.workers import WorkerState
    from highpipe.observability import Metrics

    metrics = Metrics()
    llm_metrics(metrics.registry)
    WorkerState(role="analyze", metrics=metrics)
    names: set[str] = set()
    family: Metric
    for family in metrics.registry.collect():
        names |= sample_names(family.name, family.type)
    return names


def sample_names(name: str, kind: str) -> set[str]:
    """The series names a metric family of `kind` produces in the exposition format."""
    if kind == "counter":
        return {name if name.endswith("_total") else f"{name}_total"}
    if kind == "histogram":
        return {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    if kind == "summary":
        return {name, f"{name}_count", f"{name}_sum"}
    return {name}


def catalog() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "prometheus" / "metrics-catalog.yml").read_text())
    return data


def planned_metric_names() -> set[str]:
    names: set[str] = set()
    for name, spec in catalog()["planned"].items():
        names |= sample_names(name, spec["type"])
    return names


def recording_rule_names(rules_dir: Path | None = None) -> set[str]:
    folder = rules_dir or DEPLOY / "prometheus" / "rules"
    names: set[str] = set()
    for path in sorted(folder.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            names |= {rule["record"] for rule in group["rules"] if "record" in rule}
    return names


def known_metric_names() -> set[str]:
    return app_metric_names() | planned_metric_names() | set(catalog()["external"]) | recording_rule_names()
