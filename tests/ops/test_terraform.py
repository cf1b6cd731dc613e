"""Offline checks of deploy/terraform: every file parses (python-hcl2), module calls match the modules'
variables and outputs, and the resources say what the original architecture says (two AZs, four
node groups, Multi-AZ RDS, lake lifecycle, the security-group rules), with no secret in code.

Not checked here: `terraform validate` and `plan`, which need the AWS provider plugin from the
Terraform registry (not reachable from this machine). `terraform fmt -check` runs when a terraform
binary happens to be installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ops.conftest import DEPLOY

TF = DEPLOY / "terraform"
META_ARGS = {"source", "depends_on", "count", "for_each", "providers", "version"}
MODULES = {"network", "security", "eks", "rds", "s3", "redshift", "ecr", "secrets", "cloudwatch", "irsa"}


@pytest.fixture(scope="module")
def docs(ops_python: str) -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        [ops_python, str(Path(__file__).with_name("hcl_dump.py")), str(TF)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    parsed: dict[str, dict[str, Any]] = json.loads(out.stdout)
    return parsed


def _blocks(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    """`variable`, `output`, `module` blocks of a document, by name."""
    return {name: body for block in doc.get(kind, []) for name, body in block.items()}


def _resources(docs: dict[str, dict[str, Any]], folder: str) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path, doc in docs.items():
        if str(Path(path).parent) == folder:
            for block in doc.get("resource", []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        found[(rtype, name)] = body
    return found


def _module_api(docs: dict[str, dict[str, Any]], folder: str) -> tuple[dict[str, Any], set[str]]:
    variables: dict[str, Any] = {}
    outputs: set[str] = set()
    for path, doc in docs.items():
        if str(Path(path).parent) == folder:
            variables |= _blocks(doc, "variable")
            outputs |= set(_blocks(doc, "output"))
    return variables, outputs


def test_every_file_parses_and_modules_exist(docs: dict[str, dict[str, Any]]) -> None:
    files = {str(x.relative_to(TF)) for pattern in ("*.tf", "*.tfvars", "*.hcl") for x in TF.rglob(pattern)}
    assert files and files == set(docs)
    assert {p.name for p in (TF / "modules").iterdir()} == MODULES
    for name in MODULES:
        for part in ("main.tf", "variables.tf", "outputs.tf"):
            assert f"modules/{name}/{part}" in docs, f"{name}/{part}"


def test_module_calls_match_module_interfaces(docs: dict[str, dict[str, Any]]) -> None:
    calls = _blocks(docs["main.tf"], "module")
    assert set(calls) == MODULES
    root_text = "".join((TF / f).read_text() for f in ("main.tf", "outputs.tf"))
    for name, call in calls.items():
        folder = call["source"].removeprefix("./")
        assert (TF / folder).is_dir(), call["source"]
        variables, outputs = _module_api(docs, folder)
        passed = set(call) - META_ARGS
        assert passed <= set(variables), f"{name}: unknown inputs {passed - set(variables)}"
        required = {v for v, body in variables.items() if "default" not in body}
        assert required <= passed, f"{name}: missing inputs {required - passed}"
        for used in re.findall(rf"module\.{name}\.(\w+)", root_text):
            assert used in outputs, f"module.{name}.{used} is not an output"


def test_references_resolve_inside_each_module(docs: dict[str, dict[str, Any]]) -> None:
    folders = {"."} | {f"modules/{m}" for m in MODULES}
    for folder in folders:
        variables, _ = _module_api(docs, folder)
        text = "".join(p.read_text() for p in (TF / folder).glob("*.tf"))
        for used in set(re.findall(r"\bvar\.(\w+)", text)):
            assert used in variables, f"{folder}: var.{used} is not declared"
        for block in ("variable", "output"):
            for path, doc in docs.items():
                if str(Path(path).parent) == folder:
                    for name, body in _blocks(doc, block).items():
                        assert body.get("description"), f"{folder}: {block} {name} has no description"
                        if block == "variable":
                            assert "type" in body, f"{folder}: variable {name} has no type"


def test_network_two_azs_three_subnet_tiers(docs: dict[str, dict[str, Any]]) -> None:
    azs = _blocks(docs["variables.tf"], "variable")["azs"]
    assert len(azs["default"]) == 2
    assert "length(var.azs) == 2" in azs["validation"][0]["condition"]
    res = _resources(docs, "modules/network")
    for tier in ("public", "private", "database"):
        assert res[("aws_subnet", tier)]["count"] == "${length(var.azs)}"
    assert res[("aws_nat_gateway", "this")]["count"] == "${length(var.azs)}"
    # Database subnets have no route out.
    assert not [k for k in res if k[0] == "aws_route" and "database" in k[1]]


def test_four_node_groups(docs: dict[str, dict[str, Any]]) -> None:
    default = _blocks(docs["variables.tf"], "variable")["node_groups"]["default"]
    dev = docs["envs/dev.tfvars"]["node_groups"]
    for groups in (default, dev):
        assert set(groups) == {"general", "gpu", "memory", "spot"}
        assert all(t.startswith("m5") for t in groups["general"]["instance_types"])
        assert all(t.startswith("g4dn") for t in groups["gpu"]["instance_types"]) and groups["gpu"]["gpu"]
        assert all(t.startswith("r5") for t in groups["memory"]["instance_types"])
        assert groups["spot"]["capacity_type"] == "SPOT"
        assert {t.split(".")[0] for t in groups["spot"]["instance_types"]} >= {"m5", "c5"}
        for g in groups.values():
            assert g["min_size"] <= g["desired_size"] <= g["max_size"]
    eks = _resources(docs, "modules/eks")
    group = eks[("aws_eks_node_group", "this")]
    assert group["labels"] == {"highpipe.io/node-group": "${each.key}"}
    taint = group["dynamic"][0]["taint"]["content"][0]
    assert (taint["key"], taint["effect"]) == ("nvidia.com/gpu", "NO_SCHEDULE")
    cni = eks[("aws_eks_addon", "vpc_cni")]
    assert "enableNetworkPolicy" in cni["configuration_values"]


def test_rds_multi_az_private_no_password(docs: dict[str, dict[str, Any]]) -> None:
    db = _resources(docs, "modules/rds")[("aws_db_instance", "this")]
    assert db["multi_az"] is True
    assert db["publicly_accessible"] is False
    assert db["storage_encrypted"] is True
    assert db["manage_master_user_password"] is True and "password" not in db
    redshift = _resources(docs, "modules/redshift")[("aws_redshift_cluster", "this")]
    assert redshift["manage_master_password"] is True and redshift["publicly_accessible"] is False


def test_lake_lifecycle_and_privacy(docs: dict[str, dict[str, Any]]) -> None:
    s3 = _resources(docs, "modules/s3")
    rules = {r["id"]: r for r in s3[("aws_s3_bucket_lifecycle_configuration", "lake")]["rule"]}
    raw = rules["raw-to-cold"]
    assert [t["storage_class"] for t in raw["transition"]] == ["STANDARD_IA", "GLACIER_IR"]
    assert "expiration" in raw and "expiration" in rules["tmp-expire"]
    block = s3[("aws_s3_bucket_public_access_block", "lake")]
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )


def test_security_groups_of_the_original(docs: dict[str, dict[str, Any]]) -> None:
    res = _resources(docs, "modules/security")
    ingress = [
        (name, body) for (rtype, name), body in res.items() if rtype == "aws_vpc_security_group_ingress_rule"
    ]
    open_to_world = {body.get("from_port") for _, body in ingress if body.get("cidr_ipv4") == "0.0.0.0/0"}
    assert open_to_world == {80, 443}  # only the ALB faces the internet
    for _, body in ingress:
        if body.get("cidr_ipv4") == "0.0.0.0/0":
            assert body["security_group_id"] == "${aws_security_group.alb.id}"

    def ports(name: str) -> set[str]:
        body = dict(ingress)[name]
        return set(
            body["for_each"]
            .removeprefix("${toset(")
            .removesuffix(")}")
            .replace('"', "")
            .strip("[]")
            .split(", ")
        )

    assert ports("nodes_from_alb") == {"3000", "8000"}
    assert dict(ingress)["nodes_from_alb"]["referenced_security_group_id"] == "${aws_security_group.alb.id}"
    assert ports("nodes_kafka_redis") == {"9092", "6379"}
    assert (
        dict(ingress)["nodes_kafka_redis"]["referenced_security_group_id"]
        == "${aws_security_group.eks_nodes.id}"
    )
    rds = [body for name, body in ingress if body["security_group_id"] == "${aws_security_group.rds.id}"]
    assert len(rds) == 1 and (rds[0]["from_port"], rds[0]["to_port"]) == (5432, 5432)
    assert rds[0]["referenced_security_group_id"] == "${aws_security_group.eks_nodes.id}"


def test_no_secret_literals_in_code() -> None:
    pattern = re.compile(
        r'^\s*((?:\w+_)?(?:password|secret|secret_key|access_key|api_key|token))\s*=\s*"[^"$]+"', re.I | re.M
    )
    for path in [*TF.rglob("*.tf"), *TF.rglob("*.tfvars"), *TF.rglob("*.hcl")]:
        hits = pattern.findall(path.read_text())
        assert not hits, f"{path}: {hits}"
    # And the check itself works.
    assert pattern.search('  master_password = "hunter2"')


def test_terraform_fmt() -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed (not available from the package registries); fmt not checked")
    out = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", str(TF)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
