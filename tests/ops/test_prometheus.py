"""The Prometheus artefacts: rule syntax and unit tests (promtool), the local scrape config, and that
the unit tests really exercise every alert (a copy of the rules whose alerts can never fire must make
them fail)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.ops.conftest import DEPLOY, REPO

PROM = DEPLOY / "prometheus"
RULES = PROM / "rules" / "highpipe.rules.yml"


def _run(cmd: list[str], cwd: Path = PROM) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def _alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_rules_pass_promtool_check(promtool: str) -> None:
    out = _run([promtool, "check", "rules", str(RULES)])
    assert out.returncode == 0, out.stdout + out.stderr
    count = len([r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]])
    assert f"SUCCESS: {count} rules found" in out.stdout


def test_rule_unit_tests_pass(promtool: str) -> None:
    tests = sorted(str(p.relative_to(PROM)) for p in (PROM / "tests").glob("*.yml"))
    assert len(tests) >= 3
    out = _run([promtool, "test", "rules", *tests])
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("SUCCESS") == len(tests)


def test_every_alert_is_proven_to_fire(promtool: str, tmp_path: Path) -> None:
    """With every alert expression replaced by one that never returns anything, each alert must make
    at least one unit test fail: otherwise no test expects it to fire."""
    doc = yaml.safe_load(RULES.read_text())
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                rule["expr"] = "vector(1) < 0"
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / RULES.name).write_text(yaml.safe_dump(doc, allow_unicode=True))
    shutil.copytree(PROM / "tests", tmp_path / "tests")
    out = _run([promtool, "test", "rules", *sorted(str(p) for p in (tmp_path / "tests").glob("*.yml"))])
    assert out.returncode != 0
    failed = set(re.findall(r"alertname: (\w+), time:", out.stdout + out.stderr))
    assert failed == {rule["alert"] for rule in _alerts()}


def test_alerts_are_labelled_and_documented() -> None:
    doc = (REPO / "docs" / "observability.md").read_text()
    anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", doc, flags=re.M)}
    for rule in _alerts():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        annotations = rule["annotations"]
        assert " / " in annotations["summary"], f"{rule['alert']}: summary is Korean / English"
        assert annotations["description"].strip()
        page, _, anchor = annotations["runbook"].partition("#")
        assert page == "docs/observability.md" and anchor in anchors, rule["alert"]


def _anchor(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_local_prometheus_config_is_valid(promtool: str) -> None:
    out = _run([promtool, "check", "config", "prometheus.yml"])
    assert out.returncode == 0, out.stdout + out.stderr
    config = yaml.safe_load((PROM / "prometheus.yml").read_text())
    jobs = {c["job_name"] for c in config["scrape_configs"]}
    # The alert rules select targets by these job names (up{job=~"highpipe-.*"}); the chart's
    # Services carry the same names, so the ServiceMonitors produce them too.
    assert {"highpipe-api", "highpipe-ws", "highpipe-crawler", "highpipe-analysis", "highpipe-sink"} <= jobs
    for scrape in config["scrape_configs"]:
        for sd in scrape.get("file_sd_configs", []):
            for pattern in sd["files"]:
                targets = list(PROM.glob(pattern))
                assert targets, f"{scrape['job_name']}: no file matches {pattern}"
                for path in targets:
                    for entry in yaml.safe_load(path.read_text()):
                        assert all(t.startswith("127.0.0.1:") for t in entry["targets"]), path
