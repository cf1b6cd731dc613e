"""helm lint, and `helm template` for dev and prod through kubeconform --strict with offline schemas:
Kubernetes kinds from PyPI's kubernetes-validate, custom resources (KEDA, VPA, Prometheus Operator incl.
AlertmanagerConfig, External Secrets, Strimzi) from the CRDs in third_party/. No kind is skipped.
Also shows that the validation bites (an unknown field, a wrong type or value in a custom resource, a
Strimzi apiVersion the operator no longer serves)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.ops.helm_render import CHART, ENVIRONMENTS, helm_template, load, of_kind
from tests.ops.schemas import SCHEMA_TEMPLATE, copy_kubernetes_schemas, write_crd_schemas


@pytest.fixture(scope="session")
def schema_dir(ops_python: str, kubernetes_version: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = subprocess.run(
        [
            ops_python,
            "-c",
            "import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    folder = tmp_path_factory.mktemp("schemas")
    assert copy_kubernetes_schemas(Path(out.stdout.strip()), kubernetes_version, folder) > 500
    crds = write_crd_schemas(folder)
    assert {
        "scaledobject-keda-v1alpha1.json",
        "verticalpodautoscaler-autoscaling-v1.json",
        "servicemonitor-monitoring-v1.json",
        "prometheusrule-monitoring-v1.json",
        "externalsecret-external-secrets-v1.json",
        "clustersecretstore-external-secrets-v1.json",
        "alertmanagerconfig-monitoring-v1alpha1.json",
        "kafka-kafka-v1.json",
        "kafkanodepool-kafka-v1.json",
        "kafkatopic-kafka-v1.json",
    } <= set(crds)
    return folder


def kubeconform_run(
    kubeconform: str, schema_dir: Path, kubernetes_version: str, manifest: Path
) -> tuple[int, dict[str, int], str]:
    out = subprocess.run(
        [
            kubeconform,
            "-strict",
            "-summary",
            "-output",
            "json",
            "-kubernetes-version",
            kubernetes_version,
            "-schema-location",
            str(schema_dir / SCHEMA_TEMPLATE),
            str(manifest),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(out.stdout)
    return out.returncode, report["summary"], out.stdout


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_helm_lint(helm: str, kubernetes_version: str, env: str) -> None:
    out = subprocess.run(
        [
            helm,
            "lint",
            str(CHART),
            "--strict",
            "-f",
            str(CHART / f"values-{env}.yaml"),
            "--kube-version",
            kubernetes_version,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 chart(s) failed" in out.stdout


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_rendered_chart_passes_kubeconform_strict(
    helm: str, kubeconform: str, schema_dir: Path, kubernetes_version: str, env: str, tmp_path: Path
) -> None:
    manifest = helm_template(helm, env, kubernetes_version)
    objects = load(manifest)
    (tmp_path / "manifest.yaml").write_text(manifest)
    rc, summary, report = kubeconform_run(
        kubeconform, schema_dir, kubernetes_version, tmp_path / "manifest.yaml"
    )
    assert rc == 0, report
    assert summary["invalid"] == 0 and summary["errors"] == 0, report
    # Every object was validated against a schema: nothing skipped, custom resources included.
    assert summary["skipped"] == 0
    assert summary["valid"] == len(objects)
    kinds = {o["kind"] for o in objects}
    assert {
        "ScaledObject",
        "VerticalPodAutoscaler",
        "ServiceMonitor",
        "PrometheusRule",
        "ExternalSecret",
        "AlertmanagerConfig",
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
    } <= kinds


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # An unknown field in a core kind (strict schemas refuse additional properties).
        ("  revisionHistoryLimit: 5\n", "  revisionHistoryLimit: 5\n  replicaz: 3\n", "replicaz"),
        # A wrong type in a custom resource (KEDA's CRD says minReplicaCount is an integer).
        (re.compile(r"minReplicaCount: \d+"), 'minReplicaCount: "two"', "minReplicaCount"),
        # A misspelt field in a VPA (autoscaling.k8s.io CRD, strict).
        ("  updatePolicy:\n", "  updatePolicy:\n    updateMod: Auto\n", "updateMod"),
        # A v1beta2-era ZooKeeper section in the Kafka (Strimzi's v1 API has no ZooKeeper mode).
        ("spec:\n  kafka:\n", "spec:\n  zookeeper:\n    replicas: 3\n  kafka:\n", "zookeeper"),
        # A node pool role Strimzi does not know (enum controller|broker).
        ("roles: [controller, broker]", "roles: [controller, brokers]", "/spec/roles/1"),
        # A topic with no partitions (Strimzi's CRD: minimum 1).
        (re.compile(r"partitions: \d+"), "partitions: 0", "/spec/partitions"),
        # An Alertmanager matcher operator that does not exist (prometheus-operator's CRD: =, !=, =~, !~).
        ('matchType: "="}', 'matchType: "=="}', "matchType"),
        # A misspelt webhook field in the AlertmanagerConfig.
        ("sendResolved: true", "sendResolvd: true", "sendResolvd"),
    ],
)
def test_kubeconform_rejects_broken_manifests(
    helm: str,
    kubeconform: str,
    schema_dir: Path,
    kubernetes_version: str,
    tmp_path: Path,
    old: str | re.Pattern[str],
    new: str,
    message: str,
) -> None:
    manifest = helm_template(helm, "dev", kubernetes_version)
    broken = old.sub(new, manifest, count=1) if isinstance(old, re.Pattern) else manifest.replace(old, new, 1)
    assert broken != manifest
    (tmp_path / "broken.yaml").write_text(broken)
    rc, summary, report = kubeconform_run(
        kubeconform, schema_dir, kubernetes_version, tmp_path / "broken.yaml"
    )
    assert rc != 0
    assert summary["invalid"] == 1, report
    assert message in report


def test_strimzi_v1beta2_is_refused(
    helm: str, kubeconform: str, schema_dir: Path, kubernetes_version: str, tmp_path: Path
) -> None:
    """Strimzi 1.x serves only kafka.strimzi.io/v1: a KafkaNodePool written for v1beta2 finds no schema
    (an error, not a skip), so the chart cannot drift back to an API the operator no longer serves."""
    manifest = helm_template(helm, "dev", kubernetes_version)
    broken = manifest.replace(
        "apiVersion: kafka.strimzi.io/v1\nkind: KafkaNodePool",
        "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaNodePool",
        1,
    )
    assert broken != manifest
    (tmp_path / "old.yaml").write_text(broken)
    rc, summary, report = kubeconform_run(kubeconform, schema_dir, kubernetes_version, tmp_path / "old.yaml")
    assert rc != 0
    assert summary["errors"] == 1 and summary["invalid"] == 0 and summary["skipped"] == 0, report
    (error,) = [r for r in json.loads(report)["resources"] if r["status"] == "statusError"]
    assert (error["kind"], error["version"]) == ("KafkaNodePool", "kafka.strimzi.io/v1beta2")
    assert "could not find schema" in error["msg"]


def test_optional_parts_render_valid(
    helm: str, kubeconform: str, schema_dir: Path, kubernetes_version: str, tmp_path: Path
) -> None:
    """dev with vLLM and the Airflow route on, and the in-cluster data tier off (managed services)."""
    manifest = helm_template(
        helm,
        "dev",
        kubernetes_version,
        "--set",
        "vllm.enabled=true,airflow.ingress=true,kafka.enabled=false,redis.enabled=false,pgbouncer.enabled=false",
    )
    objects = load(manifest)
    assert of_kind(objects, "Deployment") and not of_kind(objects, "StatefulSet")
    (tmp_path / "m.yaml").write_text(manifest)
    rc, summary, report = kubeconform_run(kubeconform, schema_dir, kubernetes_version, tmp_path / "m.yaml")
    assert rc == 0 and summary["invalid"] == 0 and summary["errors"] == 0, report
