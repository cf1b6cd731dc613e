"""Alert routing to HighPipe's own webhook: the local Alertmanager config passes `amtool check-config` and
routes every HighPipe alert to the webhook; the chart's AlertmanagerConfig says the same thing, points at
the api Service that exists, on the path the API serves, with a token from an ExternalSecret."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from highpipe.entrypoints.api.alerts import router
from tests.ops.conftest import DEPLOY
from tests.ops.helm_render import ENVIRONMENTS, by_name, helm_template, load, of_kind

PROM = DEPLOY / "prometheus"
CONFIG = PROM / "alertmanager.yml"
WEBHOOK_PATH = f"{router.prefix}/alertmanager"


def _config() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    return data


def _alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROM / "rules" / "highpipe.rules.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_webhook_path_is_served() -> None:
    assert WEBHOOK_PATH in {getattr(r, "path", None) for r in router.routes}


def test_local_config_passes_amtool(amtool: str) -> None:
    out = subprocess.run(
        [amtool, "check-config", str(CONFIG)], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout and "1 receivers" in out.stdout


def test_every_highpipe_alert_routes_to_the_webhook(amtool: str) -> None:
    receivers = {r["name"]: r for r in _config()["receivers"]}
    for rule in _alerts():
        labels = {"alertname": rule["alert"], **rule["labels"]}
        out = subprocess.run(
            [
                amtool,
                "config",
                "routes",
                "test",
                f"--config.file={CONFIG}",
                *(f"{k}={v}" for k, v in labels.items()),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        (receiver,) = out.stdout.split()
        (hook,) = receivers[receiver]["webhook_configs"]
        assert urlsplit(hook["url"]).path == WEBHOOK_PATH, rule["alert"]
        assert hook["send_resolved"] is True


def test_the_routing_check_bites(amtool: str, tmp_path: Path) -> None:
    """A config whose HighPipe route points elsewhere must be caught by the test above's logic."""
    broken = _config()
    broken["receivers"].append({"name": "nowhere"})
    broken["route"]["routes"][0]["receiver"] = "nowhere"
    broken["route"]["receiver"] = "nowhere"
    path = tmp_path / "am.yml"
    path.write_text(yaml.safe_dump(broken))
    out = subprocess.run(
        [amtool, "config", "routes", "test", f"--config.file={path}", "team=highpipe", "alertname=X"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.stdout.split() == ["nowhere"]


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def rendered(request: pytest.FixtureRequest, helm: str, kubernetes_version: str) -> list[dict[str, Any]]:
    return load(helm_template(helm, request.param, kubernetes_version))


def _duration(text: str) -> int:
    """Seconds of an Alertmanager duration such as 30s, 5m, 1h."""
    match = re.fullmatch(r"(\d+)([smh])", text)
    assert match, text
    return int(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2]]


def test_chart_routes_like_the_local_config(rendered: list[dict[str, Any]]) -> None:
    (amc,) = of_kind(rendered, "AlertmanagerConfig")
    assert amc["apiVersion"] == "monitoring.coreos.com/v1alpha1"
    assert amc["metadata"]["namespace"] == "monitoring" and amc["metadata"]["labels"]["release"]
    route, local = amc["spec"]["route"], _config()["route"]
    assert route["matchers"] == [{"name": "team", "value": "highpipe", "matchType": "="}]
    assert local["routes"][0]["matchers"] == ['team="highpipe"']
    assert all(rule["labels"]["team"] == "highpipe" for rule in _alerts())  # so each one is routed
    assert route["groupBy"] == local["group_by"]
    for key, local_key in (
        ("groupWait", "group_wait"),
        ("groupInterval", "group_interval"),
        ("repeatInterval", "repeat_interval"),
    ):
        assert _duration(route[key]) == _duration(local[local_key]), key
    assert route["continue"] is True  # the stack's paging routes still see the alert
    local_inhibit = [
        (r["source_matchers"], r["target_matchers"], r.get("equal", [])) for r in _config()["inhibit_rules"]
    ]
    chart_inhibit = [
        (
            [f'{m["name"]}{m["matchType"]}"{m["value"]}"' for m in r["sourceMatch"]],
            [f'{m["name"]}{m["matchType"]}"{m["value"]}"' for m in r["targetMatch"]],
            r.get("equal", []),
        )
        for r in amc["spec"]["inhibitRules"]
    ]
    assert chart_inhibit == local_inhibit


def test_chart_webhook_reaches_the_api_with_a_token(rendered: list[dict[str, Any]]) -> None:
    (amc,) = of_kind(rendered, "AlertmanagerConfig")
    (receiver,) = amc["spec"]["receivers"]
    assert receiver["name"] == amc["spec"]["route"]["receiver"]
    (hook,) = receiver["webhookConfigs"]
    assert hook["sendResolved"] is True
    url = urlsplit(hook["url"])
    assert url.scheme == "http" and url.path == WEBHOOK_PATH
    service_name, namespace, *_ = url.hostname.split(".")  # type: ignore[union-attr]
    services = {(s["metadata"]["name"], s["metadata"]["namespace"]): s for s in of_kind(rendered, "Service")}
    service = services[(service_name, namespace)]
    assert service_name == "highpipe-api"
    assert url.port in {p["port"] for p in service["spec"]["ports"]}
    # The app tier admits the monitoring namespace on that port (Alertmanager runs there).
    admitted = [
        p
        for p in of_kind(rendered, "NetworkPolicy")
        if p["metadata"]["namespace"] == namespace
        and any(
            peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
            == amc["metadata"]["namespace"]
            for rule in p["spec"].get("ingress", [])
            for peer in rule.get("from", [])
        )
    ]
    assert admitted
    credentials = hook["httpConfig"]["authorization"]["credentials"]
    secrets = by_name(
        [o for o in rendered if o["metadata"].get("namespace") == "monitoring"], "ExternalSecret"
    )
    produced = secrets[credentials["name"]]["spec"]
    assert produced["target"]["name"] == credentials["name"]
    (item,) = produced["data"]
    assert item["secretKey"] == credentials["key"]
    # The api reads the same key of the same Secrets Manager secret.
    app_secret = next(
        o for o in of_kind(rendered, "ExternalSecret") if o["metadata"]["namespace"] == namespace
    )
    remote = {(d["remoteRef"]["key"], d["remoteRef"]["property"]) for d in app_secret["spec"]["data"]}
    assert (item["remoteRef"]["key"], item["remoteRef"]["property"]) in remote
    assert item["remoteRef"]["property"] == "HIGHPIPE_ALERTS_WEBHOOK_TOKEN"
