"""The forecaster's two HTTP peers, with httpx only (no Prometheus or Kubernetes client library).

- Prometheus: `GET <url>/api/v1/query_range?query=&start=&end=&step=` (one matrix series expected; the
  sum of several if the query returns more). Prometheus refuses more than 11,000 points per series, so
  `history()` asks in chunks of at most 10,000 steps.
- Kubernetes: the in-cluster API at https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, with the
  pod's service-account token and CA (/var/run/secrets/kubernetes.io/serviceaccount). It reads one
  HorizontalPodAutoscaler (autoscaling/v2) and merge-patches its `spec.minReplicas` and one annotation;
  the chart's Role allows exactly get and patch on that one object.
"""

from __future__ import annotations

import json
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from highpipe.ops import SERVICE_ACCOUNT_DIR
from highpipe.ops.forecast import Series

MAX_POINTS: Final = 10_000
# Set by the chart on the HPA: its own minReplicas, which the forecaster never goes below.
BASE_MIN_ANNOTATION: Final = "highpipe.io/base-min-replicas"
PLAN_ANNOTATION: Final = "highpipe.io/forecast"


class OpsError(RuntimeError):
    """A peer answered something unusable; the message says which and why."""


def history(
    client: httpx.Client, prometheus: str, query: str, start: float, end: float, step_s: int
) -> Series:
    """The query's values on a regular grid over [start, end) (NaN where Prometheus has none)."""
    points: list[tuple[float, float]] = []
    chunk = MAX_POINTS * step_s
    at = start
    while at < end:
        upto = min(at + chunk, end) - step_s  # query_range includes its end
        points += _query_range(client, prometheus, query, at, max(upto, at), step_s)
        at += chunk
    return Series.from_points(points, start, end, step_s)


def _query_range(
    client: httpx.Client, prometheus: str, query: str, start: float, end: float, step_s: int
) -> list[tuple[float, float]]:
    url = prometheus.rstrip("/") + "/api/v1/query_range"
    params = {"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": str(step_s)}
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise OpsError(f"Prometheus at {prometheus} is not reachable: {exc}") from exc
    try:
        body: dict[str, Any] = response.json()
    except ValueError as exc:
        raise OpsError(f"Prometheus answered HTTP {response.status_code} without JSON") from exc
    if response.status_code != 200 or body.get("status") != "success":
        raise OpsError(f"Prometheus refused the query ({response.status_code}): {body.get('error', body)}")
    data = body.get("data", {})
    if data.get("resultType") != "matrix":
        raise OpsError(f"expected a range vector (matrix), got {data.get('resultType')!r}")
    summed: dict[float, float] = {}
    for series in data.get("result", []):
        for t, v in series.get("values", []):
            summed[float(t)] = summed.get(float(t), 0.0) + float(v)
    return sorted(summed.items())


@dataclass(frozen=True)
class Cluster:
    """Where and how to reach the Kubernetes API from inside a pod."""

    api: str
    token: str
    ca_file: Path | None
    namespace: str

    @classmethod
    def in_cluster(cls, sa_dir: Path = SERVICE_ACCOUNT_DIR, env: dict[str, str] | None = None) -> Cluster:
        env = dict(os.environ) if env is None else env
        host, port = env.get("KUBERNETES_SERVICE_HOST"), env.get("KUBERNETES_SERVICE_PORT", "443")
        token_file = sa_dir / "token"
        if not host or not token_file.is_file():
            raise OpsError(
                "not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST or the service-account token "
                f"in {sa_dir} is missing); use --dry-run outside the cluster"
            )
        ca = sa_dir / "ca.crt"
        namespace_file = sa_dir / "namespace"
        return cls(
            api=f"https://{host}:{port}" if ":" not in host else f"https://[{host}]:{port}",
            token=token_file.read_text().strip(),
            ca_file=ca if ca.is_file() else None,
            namespace=namespace_file.read_text().strip() if namespace_file.is_file() else "default",
        )

    def client(self, timeout_s: float = 10.0) -> httpx.Client:
        verify: ssl.SSLContext | bool = True
        if self.ca_file is not None:
            verify = ssl.create_default_context(cafile=str(self.ca_file))
        return httpx.Client(
            base_url=self.api,
            verify=verify,
            timeout=timeout_s,
            headers={"authorization": f"Bearer {self.token}", "accept": "application/json"},
        )


def hpa_path(namespace: str, name: str) -> str:
    return f"/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers/{name}"


@dataclass(frozen=True)
class HpaBounds:
    min_replicas: int  # what the HPA has now (possibly set by an earlier run)
    max_replicas: int
    base_min: int  # the chart's own minReplicas (annotation), else the current one


def read_hpa(client: httpx.Client, namespace: str, name: str) -> HpaBounds:
    response = client.get(hpa_path(namespace, name))
    if response.status_code != 200:
        raise OpsError(f"GET HPA {namespace}/{name}: HTTP {response.status_code}: {response.text[:300]}")
    hpa: dict[str, Any] = response.json()
    spec = hpa.get("spec", {})
    current = int(spec.get("minReplicas", 1))
    base = hpa.get("metadata", {}).get("annotations", {}).get(BASE_MIN_ANNOTATION)
    return HpaBounds(
        min_replicas=current,
        max_replicas=int(spec["maxReplicas"]),
        base_min=int(base) if base and str(base).isdigit() else current,
    )


def patch_min_replicas(
    client: httpx.Client, namespace: str, name: str, min_replicas: int, note: dict[str, Any]
) -> None:
    """Merge-patch spec.minReplicas (nothing else of the spec), recording the plan in an annotation."""
    body = {
        "metadata": {"annotations": {PLAN_ANNOTATION: json.dumps(note, separators=(",", ":"))}},
        "spec": {"minReplicas": min_replicas},
    }
    response = client.patch(
        hpa_path(namespace, name),
        content=json.dumps(body).encode(),
        headers={"content-type": "application/merge-patch+json"},
    )
    if response.status_code != 200:
        raise OpsError(f"PATCH HPA {namespace}/{name}: HTTP {response.status_code}: {response.text[:300]}")
