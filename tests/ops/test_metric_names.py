"""Every PromQL expression of the rules and dashboards names only metrics that exist: exposed by
HighPipe today, planned in deploy/prometheus/metrics-catalog.yml, exported by the monitoring stack, or
recorded by a rule. Also tests the small PromQL lexer that this relies on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.ops.conftest import DEPLOY
from tests.ops.metrics import (
    app_metric_names,
    catalog,
    known_metric_names,
    planned_metric_names,
    promql_metric_names,
)


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        ('sum(rate(a_total{code="x{y}"}[5m])) by (site)', {"a_total"}),
        ("sum by (group, topic) (max by (group, topic, partition) (lag))", {"lag"}),
        ("histogram_quantile(0.95, sum by (le) (rate(h_bucket[$__rate_interval])))", {"h_bucket"}),
        ("x:ratio:rate5m > 0.05 and on() y_total offset 1h > 1e3", {"x:ratio:rate5m", "y_total"}),
        ("(sum(rate(e_total[15m])) or on() vector(0)) == bool 0", {"e_total"}),
        ('label_replace(m{job=~"$job"}, "dst", "$1", "src", "(.*)")', {"m"}),
        ("a / ignoring(instance) group_left(site) b", {"a", "b"}),
    ],
)
def test_promql_lexer(expr: str, names: set[str]) -> None:
    assert promql_metric_names(expr) == names


def test_app_metrics_are_read_from_the_code() -> None:
    names = app_metric_names()
    assert "highpipe_http_request_duration_seconds_bucket" in names
    assert "highpipe_crawl_errors_total" in names
    assert "highpipe_llm_tokens_total" in names
    assert "highpipe_bus_consumer_lag" in names
    assert "highpipe_made_up_total" not in names


def test_planned_metrics_are_not_already_taken_by_other_types() -> None:
    """A planned name that the app now registers must have the planned type (same sample names)."""
    app = app_metric_names()
    for name, spec in catalog()["planned"].items():
        assert spec["type"] in {"gauge", "counter", "histogram"}
        assert spec["owner"] and spec["meaning"]
        clash = {n for n in app if n == name or n.startswith(f"{name}_")}
        assert not clash or clash <= planned_metric_names(), name


def _rule_exprs() -> Iterator[tuple[str, str]]:
    for path in sorted((DEPLOY / "prometheus" / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                yield f"{path.name}:{rule.get('record') or rule.get('alert')}", rule["expr"]


def _dashboard_exprs() -> Iterator[tuple[str, str]]:
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        dashboard: dict[str, Any] = json.loads(path.read_text())
        for panel in _panels(dashboard.get("panels", [])):
            for target in panel.get("targets", []):
                yield f"{path.name}:{panel.get('title')}", target["expr"]
        for variable in dashboard.get("templating", {}).get("list", []):
            if variable.get("type") == "query":
                query = variable["query"]
                inner = query["query"] if isinstance(query, dict) else query
                # label_values(metric, label) names a metric; the label is not one.
                if inner.startswith("label_values("):
                    yield f"{path.name}:${variable['name']}", inner[len("label_values(") :].split(",")[0]


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def test_every_expression_uses_known_metrics() -> None:
    known = known_metric_names()
    exprs = list(_rule_exprs()) + list(_dashboard_exprs())
    assert len(exprs) > 40
    unknown = {
        where: sorted(promql_metric_names(expr) - known)
        for where, expr in exprs
        if promql_metric_names(expr) - known
    }
    assert not unknown, unknown
    assert all(promql_metric_names(expr) for _, expr in exprs), "an expression selects no metric"


def test_the_check_catches_an_unknown_name() -> None:
    expr = 'sum(rate(highpipe_reviews_analysed_total{job="x"}[5m]))'  # British spelling: not ours
    assert promql_metric_names(expr) - known_metric_names() == {"highpipe_reviews_analysed_total"}
