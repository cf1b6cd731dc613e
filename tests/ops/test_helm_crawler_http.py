"""The crawler HTTP service in the chart (highpipe-crawler-http, pipeline tier): it runs `highpipe crawler
--jobs` like the crawl worker runs (same settings, secrets, identity), serves 8010 through a ClusterIP
Service, scales on CPU with an HPA (no KEDA: it consumes nothing), and its network policies admit only
Airflow's pods, the app tier and Prometheus, and let it reach only DNS, the data tier and the internet on
80/443. Airflow gets the Service's URL (and the api's) from the ConfigMap highpipe-airflow.

The network checks evaluate the rendered_env NetworkPolicies with Kubernetes' rules (a pod selected by a
policy of a direction admits only what one of those policies allows; peers by namespace, by pod, by both,
or by address block) for model pods and addresses: nothing is sent anywhere."""

from __future__ import annotations

import ast
import inspect
import ipaddress
from dataclasses import dataclass, field
from typing import Any

import yaml

from highpipe.config import Settings
from highpipe.entrypoints import cli_servers
from highpipe.entrypoints.crawler_service import create_crawler_app
from tests.ops.conftest import DEPLOY
from tests.ops.helm_render import CHART, by_name, helm_template, load, of_kind, pod_spec

NAME = "highpipe-crawler-http"
PORT = 8010
# What the Airflow chart labels its pods with; the chart's values name the same labels (checked below).
AIRFLOW_LABELS = {"tier": "airflow", "component": "worker", "release": "airflow"}


def _values(env: str) -> dict[str, Any]:
    """values.yaml with values-<env>.yaml over it (maps merged, everything else replaced), as Helm does."""

    def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
        out = dict(base)
        for key, value in over.items():
            both = isinstance(value, dict) and isinstance(out.get(key), dict)
            out[key] = merge(out[key], value) if both else value
        return out

    base = yaml.safe_load((CHART / "values.yaml").read_text())
    return merge(base, yaml.safe_load((CHART / f"values-{env}.yaml").read_text()))


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def _container(objects: list[dict[str, Any]], name: str = NAME) -> dict[str, Any]:
    (c,) = pod_spec(by_name(objects, "Deployment")[name])["containers"]
    container: dict[str, Any] = c
    return container


# --- the workload ---------------------------------------------------------------------------------------


def test_runs_the_crawler_service_attached_to_jobs(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    deployments = by_name(objects, "Deployment")
    service, worker = deployments[NAME], deployments["highpipe-crawler"]
    c = _container(objects)
    args = c["args"]
    assert args[0] == "crawler" and "--jobs" in args and "--no-jobs" not in args
    # Bound to every interface (the CLI's default is 127.0.0.1, unreachable from the Service).
    assert _option(args, "--host") == "0.0.0.0"
    assert int(_option(args, "--port")) == PORT == c["ports"][0]["containerPort"]
    # Every option the chart passes exists on the command.
    options = {o[2:].replace("-", "_") for o in args if o.startswith("--")}
    assert options <= set(inspect.signature(cli_servers.crawler).parameters)
    # The crawl worker's settings, secrets, identity and placement: it runs the worker's use case.
    (worker_c,) = pod_spec(worker)["containers"]
    assert service["metadata"]["namespace"] == worker["metadata"]["namespace"] == "pipeline"
    assert c["envFrom"] == worker_c["envFrom"]
    assert c["env"] == worker_c["env"]
    for key in ("serviceAccountName", "nodeSelector", "securityContext", "automountServiceAccountToken"):
        assert pod_spec(service)[key] == pod_spec(worker)[key], key
    assert c["securityContext"] == worker_c["securityContext"]
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod_spec(service)["securityContext"]["runAsUser"] > 0
    assert {"cpu", "memory"} <= set(c["resources"]["limits"]) & set(c["resources"]["requests"])
    # --jobs with a memory bus would publish into a bus no worker reads: the namespace's bus is Kafka.
    (config,) = [
        o
        for o in of_kind(objects, "ConfigMap")
        if o["metadata"]["name"] == "highpipe-config" and o["metadata"]["namespace"] == "pipeline"
    ]
    assert config["data"]["HIGHPIPE_BUS_URL"].startswith("kafka://")
    assert {"configMapRef": {"name": "highpipe-config"}} in c["envFrom"]


def test_probes_and_scrape_hit_routes_the_service_serves(
    rendered_env: tuple[str, list[dict[str, Any]]],
) -> None:
    _, objects = rendered_env
    c = _container(objects)

    def no_fetcher() -> Any:
        raise AssertionError("no crawl runs in this test")

    app = create_crawler_app(Settings(), fetcher_factory=no_fetcher)
    routes = {getattr(r, "path", "") for r in app.routes}
    assert c["livenessProbe"]["httpGet"]["path"] == c["startupProbe"]["httpGet"]["path"] == "/healthz"
    # Readiness reflects the dependencies: /readyz answers 503 while the store or the bus is away.
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert c[probe]["httpGet"]["path"] in routes
        assert c[probe]["httpGet"]["port"] == "http" == c["ports"][0]["name"]
    monitor = by_name(objects, "ServiceMonitor")[NAME]
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics" and endpoint["path"] in routes and endpoint["port"] == "http"
    assert monitor["spec"]["namespaceSelector"]["matchNames"] == ["pipeline"]


def test_service_is_cluster_ip_on_8010(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    svc = by_name(objects, "Service")[NAME]
    assert svc["metadata"]["namespace"] == "pipeline"
    assert svc["spec"]["type"] == "ClusterIP"
    (port,) = svc["spec"]["ports"]
    assert (port["port"], port["targetPort"], port["protocol"]) == (PORT, "http", "TCP")
    labels = by_name(objects, "Deployment")[NAME]["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= labels.items()
    # Only the crawler service's pods: never the crawl worker's (which serve metrics on 9100).
    worker = by_name(objects, "Deployment")["highpipe-crawler"]["spec"]["template"]["metadata"]["labels"]
    assert not svc["spec"]["selector"].items() <= worker.items()


def test_hpa_on_cpu_within_the_values_bounds(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    env, objects = rendered_env
    hpa = by_name(objects, "HorizontalPodAutoscaler")[NAME]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME}
    expected = {"dev": (1, 2), "prod": (2, 6)}[env]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == expected
    wanted = _values(env)["components"]["crawler-http"]["hpa"]
    assert (wanted["minReplicas"], wanted["maxReplicas"]) == expected
    (metric,) = hpa["metrics"]  # CPU only
    assert metric["resource"] == {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}
    # Scale-in abandons the removed pod's crawls: it waits longer than the api's 5 minutes.
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 600
    assert NAME not in {o["spec"]["scaleTargetRef"]["name"] for o in of_kind(objects, "ScaledObject")}
    assert "replicas" not in by_name(objects, "Deployment")[NAME]["spec"]
    pdb = by_name(objects, "PodDisruptionBudget")[NAME]["spec"]
    assert pdb == {"maxUnavailable": 1, "selector": pdb["selector"]}


# --- the network ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: dict[str, str] = field(hash=False)


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert not selector.get("matchExpressions"), "the evaluator reads matchLabels only"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def _peer_matches(peer: dict[str, Any], policy_ns: str, other: Pod | str) -> bool:
    if isinstance(other, str):  # an address outside the cluster's pods
        if "ipBlock" not in peer:
            return False
        ip = ipaddress.ip_address(other)
        block = peer["ipBlock"]
        return ip in ipaddress.ip_network(block["cidr"]) and not any(
            ip in ipaddress.ip_network(e) for e in block.get("except", [])
        )
    if "ipBlock" in peer:
        return False  # pods are matched by selectors here, never by address
    if "namespaceSelector" in peer:
        ns_labels = {"kubernetes.io/metadata.name": other.namespace}
        if not _selects(peer["namespaceSelector"], ns_labels):
            return False
    elif other.namespace != policy_ns:
        return False
    return "podSelector" not in peer or _selects(peer["podSelector"], other.labels)


def _allowed(
    policies: list[dict[str, Any]],
    direction: str,
    pod: Pod,
    other: Pod | str,
    port: int,
    protocol: str = "TCP",
) -> bool:
    """Whether `pod` accepts from (Ingress) or may send to (Egress) `other` on `port`."""
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    applying = [
        p
        for p in policies
        if p["metadata"]["namespace"] == pod.namespace
        and direction in p["spec"]["policyTypes"]
        and _selects(p["spec"]["podSelector"], pod.labels)
    ]
    if not applying:
        return True  # not isolated in this direction
    for policy in applying:
        for rule in policy["spec"].get(key, []):
            ports = rule.get("ports")
            if ports and not any(p["port"] == port and p.get("protocol", "TCP") == protocol for p in ports):
                continue
            peers = rule.get(peers_key)
            if not peers or any(_peer_matches(peer, pod.namespace, other) for peer in peers):
                return True
    return False


def _pod(objects: list[dict[str, Any]], name: str) -> Pod:
    workload = by_name(objects, "Deployment").get(name) or by_name(objects, "StatefulSet")[name]
    return Pod(workload["metadata"]["namespace"], workload["spec"]["template"]["metadata"]["labels"])


def test_only_airflow_the_app_tier_and_prometheus_reach_it(
    rendered_env: tuple[str, list[dict[str, Any]]],
) -> None:
    env, objects = rendered_env
    policies = of_kind(objects, "NetworkPolicy")
    crawler = _pod(objects, NAME)
    assert _selects({"matchLabels": _values(env)["airflow"]["podLabels"]}, AIRFLOW_LABELS)
    airflow = Pod("pipeline", AIRFLOW_LABELS)
    prometheus = Pod("monitoring", {"app.kubernetes.io/name": "prometheus"})

    def admits(source: Pod | str, port: int = PORT) -> bool:
        return _allowed(policies, "Ingress", crawler, source, port)

    assert admits(airflow)
    assert admits(_pod(objects, "highpipe-api")) and admits(_pod(objects, "highpipe-ws"))
    assert admits(prometheus)  # the ServiceMonitor's scrape of /metrics
    denied = [
        _pod(objects, "highpipe-crawler"),
        _pod(objects, "highpipe-analysis"),
        _pod(objects, "highpipe-web"),
        _pod(objects, "highpipe-redis-primary"),
        Pod("pipeline", {"app": "something-else"}),
        Pod("web", AIRFLOW_LABELS),  # Airflow's labels count only in the pipeline namespace
        Pod("data", AIRFLOW_LABELS),
    ]
    for source in denied:
        assert not admits(source), source
    values = _values(env)
    for cidr in values["networkPolicies"]["albSourceCidrs"]:
        assert not admits(str(next(ipaddress.ip_network(cidr).hosts())))
    assert not admits("203.0.113.7")
    assert not admits(airflow, port=9100)
    # Port 8010 is the only one any of its ingress rules opens.
    own = [
        p
        for p in policies
        if p["metadata"]["namespace"] == crawler.namespace
        and "Ingress" in p["spec"]["policyTypes"]
        and _selects(p["spec"]["podSelector"], crawler.labels)
    ]
    rules = [r for p in own for r in p["spec"].get("ingress", [])]
    assert rules and {port["port"] for r in rules for port in r.get("ports", [{"port": "all"}])} == {PORT}


def test_it_reaches_dns_the_data_tier_and_shops_only(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    env, objects = rendered_env
    policies = of_kind(objects, "NetworkPolicy")
    crawler = _pod(objects, NAME)

    def reaches(dest: Pod | str, port: int, protocol: str = "TCP") -> bool:
        return _allowed(policies, "Egress", crawler, dest, port, protocol)

    kafka = Pod("data", {"strimzi.io/cluster": "highpipe", "strimzi.io/kind": "Kafka"})
    assert reaches(kafka, 9092)
    assert reaches(_pod(objects, "highpipe-pgbouncer"), 6432)
    assert reaches(_pod(objects, "highpipe-redis-primary"), 6379)
    dns = Pod("kube-system", {"k8s-app": "kube-dns"})
    assert reaches(dns, 53, "UDP") and reaches(dns, 53)
    for shop in ("203.0.113.7", "198.51.100.20"):  # documentation addresses: a model, nothing is sent
        assert reaches(shop, 443) and reaches(shop, 80)
    assert not reaches("203.0.113.7", 22)
    # Never the VPC (RDS, nodes, the ALB), the node's metadata service, or in-cluster pods it has no use for.
    vpc = _values(env)["networkPolicies"]["albSourceCidrs"][0]
    for private in (str(next(ipaddress.ip_network(vpc).hosts())), "169.254.169.254", "192.168.1.1"):
        assert not reaches(private, 443) and not reaches(private, 80), private
    assert not reaches(_pod(objects, "highpipe-api"), 8000)
    assert not reaches(_pod(objects, "highpipe-pgbouncer"), 5432)
    assert not reaches(Pod("kube-system", {"k8s-app": "other"}), 53, "UDP")
    # The other pipeline pods keep open egress: the policy selects the crawler service alone.
    assert _allowed(policies, "Egress", _pod(objects, "highpipe-crawler"), "10.0.0.1", 5432)


def test_airflow_gets_the_in_cluster_urls_and_may_use_them(
    rendered_env: tuple[str, list[dict[str, Any]]],
) -> None:
    _, objects = rendered_env
    (env_map,) = [o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"] == "highpipe-airflow"]
    assert env_map["metadata"]["namespace"] == "pipeline"  # where Airflow runs
    services = by_name(objects, "Service")
    for key, svc_name in (("HIGHPIPE_CRAWLER_URL", NAME), ("HIGHPIPE_API_URL", "highpipe-api")):
        svc = services[svc_name]
        (port,) = svc["spec"]["ports"]
        assert env_map["data"][key] == f"http://{svc_name}.{svc['metadata']['namespace']}.svc:{port['port']}"
    assert env_map["data"]["HIGHPIPE_CRAWLER_URL"] == f"http://{NAME}.pipeline.svc:{PORT}"
    # The names the DAGs read (dags/highpipe_common/client.py `_setting(variable, env, default)`).
    client = ast.parse((DEPLOY.parent / "dags" / "highpipe_common" / "client.py").read_text())
    read = {
        call.args[1].value
        for call in ast.walk(client)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", "") == "_setting"
        and isinstance(call.args[1], ast.Constant)
    }
    assert set(env_map["data"]) <= read
    # Nothing secret in it: the token comes from the ExternalSecret highpipe-secrets.
    assert not any("TOKEN" in k or "PASSWORD" in k for k in env_map["data"])
    policies = of_kind(objects, "NetworkPolicy")
    api = _pod(objects, "highpipe-api")
    airflow = Pod("pipeline", AIRFLOW_LABELS)
    assert _allowed(policies, "Ingress", api, airflow, 8000)
    assert not _allowed(policies, "Ingress", api, _pod(objects, "highpipe-crawler"), 8000)
    assert not _allowed(policies, "Ingress", api, Pod("data", AIRFLOW_LABELS), 8000)


def test_airflow_urls_can_be_overridden(helm: str, kubernetes_version: str) -> None:
    objects = load(
        helm_template(
            helm,
            "prod",
            kubernetes_version,
            "--set",
            "airflow.crawlerUrl=http://crawler.example.internal:8010",
            "--set",
            "airflow.apiUrl=https://highpipe.example.com",
        )
    )
    (env_map,) = [o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"] == "highpipe-airflow"]
    assert env_map["data"] == {
        "HIGHPIPE_CRAWLER_URL": "http://crawler.example.internal:8010",
        "HIGHPIPE_API_URL": "https://highpipe.example.com",
    }
