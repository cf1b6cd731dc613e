"""The provisioned Grafana dashboards: well-formed JSON that Grafana can load, a sane layout, and PromQL
that Prometheus accepts (each expression, with Grafana's variables filled in, is checked by promtool
as a recording rule). Metric names are checked in test_metric_names.py."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.conftest import DEPLOY

GRAFANA = DEPLOY / "grafana"
NAMES = ("overview", "pipeline", "crawler", "analysis", "kafka")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GRAFANA / "dashboards" / f"{name}.json").read_text())
    return data


def _panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def test_the_five_dashboards_exist_and_nothing_else() -> None:
    found = {p.stem for p in (GRAFANA / "dashboards").glob("*.json")}
    assert found == set(NAMES)
    uids = [_load(n)["uid"] for n in NAMES]
    assert len(set(uids)) == len(uids)
    assert all(len(uid) <= 40 and re.fullmatch(r"[a-z0-9-]+", uid) for uid in uids)


@pytest.mark.parametrize("name", NAMES)
def test_dashboard_structure(name: str) -> None:
    dashboard = _load(name)
    assert dashboard["title"].startswith("HighPipe / ")
    assert "highpipe" in dashboard["tags"]
    assert isinstance(dashboard["schemaVersion"], int)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"

    ids: list[int] = []
    cells: set[tuple[int, int]] = set()
    graphs = 0
    for panel in _panels(dashboard):
        ids.append(panel["id"])
        pos = panel["gridPos"]
        assert 0 <= pos["x"] and pos["x"] + pos["w"] <= 24, panel["title"]
        # No two panels may cover the same grid cell (Grafana would shove them around).
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{name}: {panel['title']} overlaps another panel"
                cells.add((x, y))
        if panel["type"] == "row":
            continue
        graphs += 1
        assert panel["type"] in {"timeseries", "stat"}
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        targets = panel["targets"]
        assert targets and len({t["refId"] for t in targets}) == len(targets)
        for target in targets:
            assert target["expr"].strip()
            # Every $variable a query uses must be defined (or be one of Grafana's own).
            for var in re.findall(r"\$(\w+)", target["expr"]):
                assert var.startswith("__") or var in variables, f"{name}: undefined ${var}"
    assert len(ids) == len(set(ids))
    assert graphs >= 8


def _grafana_to_promql(expr: str) -> str:
    """Fill in Grafana's variables the way Grafana would before sending the query."""
    expr = expr.replace("$__rate_interval", "1m").replace("$__interval", "30s").replace("$__range", "1h")
    return re.sub(r"\$\w+", ".*", expr)


def test_dashboard_promql_parses(promtool: str, tmp_path: Path) -> None:
    rules = []
    for name in NAMES:
        for i, panel in enumerate(_panels(_load(name))):
            for target in panel.get("targets", []):
                record = f"dashboard:{name}_{i}_{target['refId']}".lower()
                rules.append({"record": record, "expr": _grafana_to_promql(target["expr"])})
    path = tmp_path / "dashboards.rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    out = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"SUCCESS: {len(rules)} rules found" in out.stdout


def test_promql_check_rejects_a_broken_expression(promtool: str, tmp_path: Path) -> None:
    """The parse check above would catch a typo: promtool refuses an unbalanced expression."""
    path = tmp_path / "bad.rules.yml"
    bad = {"record": "dashboard:bad", "expr": _grafana_to_promql("sum(rate(x_total[$__rate_interval])")}
    path.write_text(yaml.safe_dump({"groups": [{"name": "bad", "rules": [bad]}]}))
    out = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert out.returncode != 0


def test_provisioning_files() -> None:
    dashboards = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "highpipe.yml").read_text())
    provider = dashboards["providers"][0]
    assert dashboards["apiVersion"] == 1 and provider["type"] == "file"
    assert provider["options"]["path"].startswith("/")
    sources = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    (source,) = sources["datasources"]
    assert source["type"] == "prometheus" and source["isDefault"] is True
