"""The predictive-scaling CronJob of the chart: it runs `highpipe ops forecast` against the api HPA with
the least privilege that allows it (get and patch on that one HPA), and the HPA carries the floor the
forecaster must respect."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import yaml

from highpipe.ops import cli
from tests.ops.conftest import DEPLOY
from tests.ops.helm_render import ENVIRONMENTS, by_name, helm_template, load, of_kind, pod_spec


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def rendered(request: pytest.FixtureRequest, helm: str, kubernetes_version: str) -> list[dict[str, Any]]:
    return load(helm_template(helm, request.param, kubernetes_version))


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_cronjob_runs_the_forecaster_on_the_api_hpa(rendered: list[dict[str, Any]]) -> None:
    job = by_name(rendered, "CronJob")["highpipe-forecast"]
    hpa = by_name(rendered, "HorizontalPodAutoscaler")["highpipe-api"]
    assert job["metadata"]["namespace"] == hpa["metadata"]["namespace"]
    assert job["spec"]["concurrencyPolicy"] == "Forbid"  # two runs would patch in a race
    (container,) = pod_spec(job)["containers"]
    args = container["args"]
    assert args[:2] == ["ops", "forecast"] and "--dry-run" not in args
    assert _option(args, "--hpa") == hpa["metadata"]["name"]
    assert _option(args, "--namespace") == hpa["metadata"]["namespace"]
    # Every option the chart passes exists on the command (a renamed option would fail at 3 a.m.).
    options = {o[2:].replace("-", "_") for o in args if o.startswith("--")}
    assert options <= set(inspect.signature(cli.forecast_command).parameters)
    assert _option(args, "--query") == "highpipe:http_requests:rate5m"
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules" / "highpipe.rules.yml").read_text())
    recorded = {r.get("record") for g in rules["groups"] for r in g["rules"]}
    assert _option(args, "--query") in recorded
    # The lookahead covers the schedule's interval plus a pod's start-up.
    minutes = int(job["spec"]["schedule"].split()[0].removeprefix("*/"))
    assert int(_option(args, "--lookahead")) >= minutes * 60 + 300


def test_the_hpa_records_its_own_floor(rendered: list[dict[str, Any]]) -> None:
    for hpa in of_kind(rendered, "HorizontalPodAutoscaler"):
        annotation = hpa["metadata"]["annotations"]["highpipe.io/base-min-replicas"]
        assert int(annotation) == hpa["spec"]["minReplicas"]


def test_forecaster_rbac_is_one_hpa_get_and_patch(rendered: list[dict[str, Any]]) -> None:
    job = by_name(rendered, "CronJob")["highpipe-forecast"]
    spec = pod_spec(job)
    account = spec["serviceAccountName"]
    ns = job["metadata"]["namespace"]
    (sa,) = [o for o in of_kind(rendered, "ServiceAccount") if o["metadata"]["name"] == account]
    assert sa["metadata"]["namespace"] == ns and sa["automountServiceAccountToken"] is True
    bindings = [
        b
        for b in of_kind(rendered, "RoleBinding") + of_kind(rendered, "ClusterRoleBinding")
        if any(s["name"] == account and s.get("namespace") == ns for s in b["subjects"])
    ]
    (binding,) = bindings
    assert binding["kind"] == "RoleBinding" and binding["roleRef"]["kind"] == "Role"
    assert not of_kind(rendered, "ClusterRole")
    role = by_name(rendered, "Role")[binding["roleRef"]["name"]]
    assert role["metadata"]["namespace"] == ns
    assert role["rules"] == [
        {
            "apiGroups": ["autoscaling"],
            "resources": ["horizontalpodautoscalers"],
            "resourceNames": ["highpipe-api"],
            "verbs": ["get", "patch"],
        }
    ]
    # Every other pod keeps the Kubernetes API token out of reach.
    for workload in rendered:
        if workload["kind"] in ("Deployment", "StatefulSet") and workload["metadata"]["name"].startswith(
            "highpipe-"
        ):
            assert pod_spec(workload).get("automountServiceAccountToken") is False, workload["metadata"][
                "name"
            ]
