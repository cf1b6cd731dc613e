"""The image definitions: hadolint on every Dockerfile (the Python services, Airflow and the web app),
house rules hadolint does not have (pinned bases, multi-stage, a numeric non-root final USER), and the
bake file's targets pointing at Dockerfiles that exist. Images are not built here (no Docker engine)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ops.conftest import DEPLOY, REPO

DOCKERFILES = [
    DEPLOY / "docker" / "python.Dockerfile",
    DEPLOY / "docker" / "airflow.Dockerfile",
    REPO / "web" / "Dockerfile",
]
HADOLINT_CONFIG = DEPLOY / "docker" / ".hadolint.yaml"


@pytest.fixture(scope="module")
def hadolint(ops_python: str) -> str:
    path = Path(ops_python).parent / "hadolint"
    assert path.is_file(), "the ops tool venv has no hadolint (make ops-tools)"
    return str(path)


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _resolve(image: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), image)


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_hadolint_clean(hadolint: str, path: Path) -> None:
    out = subprocess.run(
        [hadolint, "--config", str(HADOLINT_CONFIG), "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    findings: list[dict[str, Any]] = json.loads(out.stdout or "[]")
    assert out.returncode == 0 and not findings, findings


def test_hadolint_catches_a_bad_dockerfile(hadolint: str, tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n")
    out = subprocess.run(
        [hadolint, "--config", str(HADOLINT_CONFIG), "--format", "json", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    codes = {f["code"] for f in json.loads(out.stdout)}
    assert out.returncode != 0 and {"DL3007", "DL3008"} <= codes


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_house_rules(path: Path) -> None:
    steps = _instructions(path)
    args = {}
    for word, rest in steps:
        if word == "ARG" and "=" in rest:
            name, _, value = rest.partition("=")
            args[name] = value
    stages = [rest for word, rest in steps if word == "FROM"]
    assert len(stages) >= 2, "multi-stage: build tools stay out of the runtime image"
    for stage in stages:
        image = _resolve(stage.split()[0], args)
        if image in {s.split()[-1] for s in stages if " AS " in s.upper()}:
            continue  # FROM an earlier stage
        name, _, tag = image.rpartition(":")
        assert name and re.match(r"\d", tag), f"{path.name}: base {image} is not pinned to a version"
    users = [rest for word, rest in steps if word == "USER"]
    assert users, f"{path.name}: no USER"
    final_user = users[-1].split(":")[0]
    assert final_user.isdigit() and int(final_user) > 0, (
        f"{path.name}: final USER {users[-1]} is not a numeric non-root uid"
    )
    assert not any(word == "ADD" for word, _ in steps), "COPY, not ADD (no remote fetches at build time)"


def test_bake_targets(ops_python: str) -> None:
    out = subprocess.run(
        [
            ops_python,
            "-c",
            "import hcl2, json, sys; json.dump(hcl2.load(open(sys.argv[1])), sys.stdout)",
            str(REPO / "docker-bake.hcl"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    doc = json.loads(out.stdout)
    targets = {k.strip('"'): v for block in doc["target"] for k, v in block.items()}
    group = {k.strip('"'): v for block in doc["group"] for k, v in block.items()}["default"]
    assert [t.strip('"') for t in group["targets"]] == ["python", "web", "airflow"]
    for name in ("python", "web", "airflow"):
        target = targets[name]
        context = REPO / target["context"].strip('"')
        dockerfile = context / target["dockerfile"].strip('"')
        assert dockerfile in DOCKERFILES, name
        assert any("highpipe" in t for t in target["tags"]), name
