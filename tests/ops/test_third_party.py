"""third_party/ holds other projects' CRDs unchanged, each with its licence: the sums in its README
must match the files, and every folder must carry a LICENSE."""

from __future__ import annotations

import hashlib
import re

from tests.ops.conftest import REPO
from tests.ops.schemas import crd_schemas, strict

THIRD_PARTY = REPO / "third_party"


def test_crds_are_unchanged() -> None:
    readme = (THIRD_PARTY / "README.md").read_text()
    sums = dict((path, digest) for digest, path in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, flags=re.M))
    files = {str(p.relative_to(THIRD_PARTY)) for p in THIRD_PARTY.rglob("*.yaml")}
    assert files and set(sums) == files
    for path, digest in sums.items():
        assert hashlib.sha256((THIRD_PARTY / path).read_bytes()).hexdigest() == digest, path


def test_every_folder_has_its_licence() -> None:
    folders = {p.parent for p in THIRD_PARTY.rglob("*.yaml")}
    assert len(folders) == 5
    for folder in folders:
        assert "Apache License" in (folder / "LICENSE").read_text()[:200], folder


def test_crd_conversion_is_strict_where_the_crd_is_closed() -> None:
    schema = strict(
        {
            "type": "object",
            "properties": {
                "a": {"type": "object", "properties": {"b": {}}},
                "open": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True,
                    "properties": {"c": {}},
                },
            },
        }
    )
    assert schema["additionalProperties"] is False
    assert schema["properties"]["a"]["additionalProperties"] is False
    assert "additionalProperties" not in schema["properties"]["open"]
    scaled = crd_schemas()["scaledobject-keda-v1alpha1.json"]
    assert scaled["properties"]["kind"]["enum"] == ["ScaledObject"]
    assert scaled["properties"]["spec"]["additionalProperties"] is False
