"""Offline JSON schemas for kubeconform, built from registry packages and third_party/ data.

- Kubernetes kinds: the strict schemas that PyPI's `kubernetes-validate` ships for each Kubernetes
  version. They carry `$id`s under https://kubernetes.io/ and reference a shared
  `/api/_definitions.json` by absolute path, which only that package's own resolver understands; the
  copy made here drops the `$id`s and points the references at the file beside them, so that nothing
  is ever fetched. Nothing else changes.
- Custom resources: each served version's `openAPIV3Schema` of the CRDs in third_party/crds/, made
  strict the way kubeconform's strict mode expects (`additionalProperties: false` on every object that
  lists its properties and does not preserve unknown fields).

Both land in one flat folder named as kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json`
template expects (e.g. `deployment-apps-v1.json`, `scaledobject-keda-v1alpha1.json`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

CRDS = Path(__file__).resolve().parents[2] / "third_party" / "crds"
SCHEMA_TEMPLATE = "{{ .ResourceKind }}{{ .KindSuffix }}.json"


def kind_suffix(api_version: str) -> str:
    """kubeconform's KindSuffix: '-' + the group's first label + '-' + the version."""
    group, _, version = api_version.rpartition("/")
    if not group:
        return f"-{version.lower()}"
    return f"-{group.split('.')[0].lower()}-{version.lower()}"


def copy_kubernetes_schemas(package_dir: Path, kubernetes_version: str, out: Path) -> int:
    """Copy `v<version>-local-strict` of kubernetes-validate into `out` with file-relative $refs."""
    source = package_dir / "kubernetes-json-schema" / f"v{kubernetes_version}-local-strict"
    if not source.is_dir():
        raise FileNotFoundError(f"kubernetes-validate has no schemas for {kubernetes_version}: {source}")
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in source.glob("*.json"):
        text = re.sub(r'"\$ref": "/api/_definitions\.json', '"$ref": "_definitions.json', path.read_text())
        schema = json.loads(text)
        schema.pop("$id", None)
        (out / path.name).write_text(json.dumps(schema))
        count += 1
    return count


def strict(schema: Any) -> Any:
    """A copy of an OpenAPI v3 schema with unknown properties refused wherever properties are listed."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


class _CrdLoader(yaml.SafeLoader):
    """PyYAML resolves a bare `=` to the YAML 1.1 `value` tag, which it cannot construct; the
    prometheus-operator CRDs list `=` as an enum value (matchType), meaning the string."""


_CrdLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def crd_schemas(crd_dir: Path = CRDS) -> dict[str, dict[str, Any]]:
    """File name → JSON schema for every served version of every CRD under `crd_dir`."""
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(crd_dir.rglob("*.yaml")):
        for doc in yaml.load_all(path.read_text(), Loader=_CrdLoader):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                if not version.get("served", True):
                    continue
                schema = strict(version["schema"]["openAPIV3Schema"])
                schema.setdefault("properties", {})
                # apiVersion/kind are implicit in CRDs; pin them so a wrong pairing fails.
                schema["properties"]["apiVersion"] = {
                    "type": "string",
                    "enum": [f"{spec['group']}/{version['name']}"],
                }
                schema["properties"]["kind"] = {"type": "string", "enum": [spec["names"]["kind"]]}
                schema["properties"]["metadata"] = {"type": "object"}
                api_version = f"{spec['group']}/{version['name']}"
                name = f"{spec['names']['kind'].lower()}{kind_suffix(api_version)}.json"
                schemas[name] = schema
    return schemas


def write_crd_schemas(out: Path, crd_dir: Path = CRDS) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for name, schema in crd_schemas(crd_dir).items():
        (out / name).write_text(json.dumps(schema))
        names.append(name)
    return names
