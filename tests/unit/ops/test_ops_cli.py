"""`highpipe ops forecast` against stand-ins for Prometheus's HTTP API and the Kubernetes API (httpx
MockTransport: no socket at all), and the in-cluster service-account configuration."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from typer.testing import CliRunner

from highpipe.ops import cli
from highpipe.ops.kube import BASE_MIN_ANNOTATION, MAX_POINTS, PLAN_ANNOTATION, Cluster, OpsError

HPA_PATH = "/apis/autoscaling/v2/namespaces/app/horizontalpodautoscalers/highpipe-api"


class FakePrometheus:
    """query_range answering `rate` at every step, in two series that sum to it (as `sum by` would not)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "prometheus.test" and request.url.path == "/api/v1/query_range"
        q = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        self.calls.append(q)
        start, end, step = float(q["start"]), float(q["end"]), int(q["step"])
        points = int((end - start) // step) + 1
        assert points <= 11_000, "Prometheus would refuse this query"
        values = [[start + i * step, str(self.rate / 2)] for i in range(points)]
        result = [
            {"metric": {"instance": "a"}, "values": values},
            {"metric": {"instance": "b"}, "values": values},
        ]
        return httpx.Response(
            200, json={"status": "success", "data": {"resultType": "matrix", "result": result}}
        )


class FakeKubernetes:
    def __init__(self, min_replicas: int, max_replicas: int = 20, base: str | None = "3") -> None:
        annotations = {BASE_MIN_ANNOTATION: base} if base is not None else {}
        self.hpa: dict[str, Any] = {
            "metadata": {"name": "highpipe-api", "namespace": "app", "annotations": annotations},
            "spec": {"minReplicas": min_replicas, "maxReplicas": max_replicas},
        }
        self.patches: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer sa-token"
        if request.url.path != HPA_PATH:
            return httpx.Response(404, json={"kind": "Status", "message": "not found"})
        if request.method == "GET":
            return httpx.Response(200, json=self.hpa)
        if request.method == "PATCH":
            self.patches.append(request)
            body = json.loads(request.content)
            self.hpa["spec"].update(body["spec"])
            self.hpa["metadata"]["annotations"].update(body["metadata"]["annotations"])
            return httpx.Response(200, json=self.hpa)
        return httpx.Response(405, json={"kind": "Status", "message": "method not allowed"})


def _run(
    monkeypatch: pytest.MonkeyPatch,
    prometheus: Callable[[httpx.Request], httpx.Response],
    *args: str,
    kube: FakeKubernetes | None = None,
) -> tuple[int, str, str]:
    monkeypatch.setattr(
        cli, "make_prometheus_client", lambda: httpx.Client(transport=httpx.MockTransport(prometheus))
    )

    def cluster(_: Path) -> Cluster:
        if kube is None:
            return Cluster.in_cluster(Path("/nonexistent"), env={})  # the real refusal
        fake = Cluster(api="https://kubernetes.test", token="sa-token", ca_file=None, namespace="app")
        monkeypatch.setattr(
            fake.__class__,
            "client",
            lambda self, timeout_s=10.0: httpx.Client(
                base_url=self.api,
                transport=httpx.MockTransport(kube),
                headers={"authorization": f"Bearer {self.token}"},
            ),
        )
        return fake

    monkeypatch.setattr(cli, "make_cluster", cluster)
    result = CliRunner().invoke(cli.app, ["forecast", "--prometheus", "http://prometheus.test", *args])
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_prints_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    prometheus = FakePrometheus(rate=100.0)
    code, out, _ = _run(monkeypatch, prometheus, "--dry-run", "--replica-rps", "20")
    assert code == 0
    planned = json.loads(out)
    # 100 req/s * 1.2 headroom / 20 per replica
    assert planned["min_replicas"] == 6 and planned["dry_run"] is True
    assert planned["peak_rate"] == pytest.approx(100.0)
    assert prometheus.calls[0]["query"] == cli.DEFAULT_QUERY and prometheus.calls[0]["step"] == "300"


def test_long_histories_are_read_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    prometheus = FakePrometheus(rate=10.0)
    code, _, _ = _run(monkeypatch, prometheus, "--dry-run", "--history-days", "56", "--step", "60")
    assert code == 0
    assert len(prometheus.calls) == -(-56 * 1440 // MAX_POINTS)
    bounds = [(float(c["start"]), float(c["end"])) for c in prometheus.calls]
    assert all(b[0] - a[1] == 60 for a, b in itertools.pairwise(bounds))  # no gap, no overlap


def test_patches_min_replicas_then_leaves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    kube = FakeKubernetes(min_replicas=3)
    code, out, err = _run(monkeypatch, FakePrometheus(rate=100.0), kube=kube)
    assert code == 0, err
    assert json.loads(out)["patched"] is True and kube.hpa["spec"]["minReplicas"] == 6
    (request,) = kube.patches
    assert request.headers["content-type"] == "application/merge-patch+json"
    body = json.loads(request.content)
    assert set(body["spec"]) == {"minReplicas"}  # never touches maxReplicas, metrics or behaviour
    assert json.loads(body["metadata"]["annotations"][PLAN_ANNOTATION])["min_replicas"] == 6
    code, out, _ = _run(monkeypatch, FakePrometheus(rate=100.0), kube=kube)
    assert code == 0 and json.loads(out)["patched"] is False and len(kube.patches) == 1
    # Traffic gone: back down to the chart's own minimum (the annotation), not below.
    code, out, _ = _run(monkeypatch, FakePrometheus(rate=0.0), kube=kube)
    assert json.loads(out)["min_replicas"] == 3 and kube.hpa["spec"]["minReplicas"] == 3


def test_never_above_max_replicas(monkeypatch: pytest.MonkeyPatch) -> None:
    kube = FakeKubernetes(min_replicas=3, max_replicas=12)
    code, out, _ = _run(monkeypatch, FakePrometheus(rate=5_000.0), kube=kube)
    assert code == 0 and json.loads(out)["min_replicas"] == 12


def test_failures_exit_1_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"status": "error", "error": "parse error at char 3"})

    code, _, err = _run(monkeypatch, broken, "--dry-run")
    assert code == 1 and "parse error at char 3" in err
    code, _, err = _run(monkeypatch, FakePrometheus(rate=1.0))  # not in a pod, no --dry-run
    assert code == 1 and "--dry-run" in err
    code, _, err = _run(monkeypatch, FakePrometheus(rate=1.0), "--hpa", "other", kube=FakeKubernetes(3))
    assert code == 1 and "HTTP 404" in err


def test_in_cluster_configuration(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("sa-token\n")
    (tmp_path / "namespace").write_text("app")
    cluster = Cluster.in_cluster(
        tmp_path, env={"KUBERNETES_SERVICE_HOST": "10.100.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    )
    assert cluster == Cluster(api="https://10.100.0.1:443", token="sa-token", ca_file=None, namespace="app")
    v6 = Cluster.in_cluster(tmp_path, env={"KUBERNETES_SERVICE_HOST": "fd00::1"})
    assert v6.api == "https://[fd00::1]:443"
    with pytest.raises(OpsError, match="--dry-run"):
        Cluster.in_cluster(tmp_path, env={})
