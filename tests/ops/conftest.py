"""Fixtures for the ops-artefact tests: the validator binaries, found where `make ops-tools` puts them.

A missing tool fails the test under CI=true (CI must have run `make ops-tools`) and skips it on a
developer's machine, with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
ENVIRONMENTS = ("dev", "prod")  # the chart's values-<env>.yaml


def missing(what: str) -> None:
    """Fail under CI, skip elsewhere: the ops tools are optional on a laptop, never in CI."""
    message = f"{what} not found: run `make ops-tools`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _make_var(name: str) -> str | None:
    """The value mk/ops.mk gives `name` (the tests may run outside make, without its exports)."""
    found = os.environ.get(name)
    if found:
        return found
    try:
        out = subprocess.run(
            ["make", "-s", "--no-print-directory", "-C", str(REPO), f"ops-print-{name}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = out.stdout.strip()
    return value if out.returncode == 0 and value else None


def _binary(env: str, fallback: str, what: str) -> str:
    path = _make_var(env) or shutil.which(fallback)
    if not path or not Path(path).is_file() or not os.access(path, os.X_OK):
        missing(what)
    return str(path)


@pytest.fixture(scope="session")
def promtool() -> str:
    path = os.environ.get("HIGHPIPE_PROMTOOL") or shutil.which("promtool")
    if not path:
        missing("promtool (Debian package prometheus)")
    return str(path)


@pytest.fixture(scope="session")
def amtool() -> str:
    path = os.environ.get("HIGHPIPE_AMTOOL") or shutil.which("amtool")
    if not path:
        missing("amtool (Debian package prometheus-alertmanager)")
    return str(path)


@pytest.fixture(scope="session")
def helm() -> str:
    return _binary("HIGHPIPE_HELM", "helm", "helm")


@pytest.fixture(scope="session")
def kubeconform() -> str:
    return _binary("HIGHPIPE_KUBECONFORM", "kubeconform", "kubeconform")


@pytest.fixture(scope="session")
def ops_python() -> str:
    """The tool venv's interpreter (kubernetes-validate, python-hcl2), kept apart from the project's."""
    return _binary("HIGHPIPE_OPS_PYTHON", "highpipe-ops-python", "the ops tool venv")


@pytest.fixture(scope="session")
def kubernetes_version() -> str:
    return _make_var("OPS_KUBERNETES_VERSION") or "1.33.0"


@pytest.fixture(scope="session", params=ENVIRONMENTS)
def rendered_env(
    request: pytest.FixtureRequest, helm: str, kubernetes_version: str
) -> tuple[str, list[dict[str, Any]]]:
    """(environment, the chart's rendered documents) for each environment, rendered once per session."""
    from tests.ops.helm_render import helm_template, load  # it imports this module's paths

    env: str = request.param
    return env, load(helm_template(helm, env, kubernetes_version))
