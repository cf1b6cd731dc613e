"""Policy checks on the rendered_env chart (dev and prod): what schemas cannot say.

Every container has resources, probes and a non-root security context; HighPipe's own containers
probe /healthz and /readyz; autoscaling follows the original numbers and never puts an HPA and a KEDA
ScaledObject on one Deployment; the network policies implement the tier rules; every Service,
ServiceMonitor, PDB and secret reference points at something that exists. The Strimzi objects' shape
is kubeconform's job (test_helm_schema.py, Strimzi's own CRDs); here their numbers and cross-references."""

from __future__ import annotations

import ipaddress
from typing import Any

import yaml

from tests.ops.conftest import DEPLOY
from tests.ops.helm_render import (
    WORKLOAD_KINDS,
    by_name,
    containers,
    helm_template,
    load,
    of_kind,
    pod_labels,
    pod_spec,
)

APP_COMPONENTS = ("api", "ws", "crawler", "analysis", "sink", "web", "crawler-http")
# Readiness on /healthz: the static web server (no dependencies) and the crawler service, which has no
# /readyz and listens only once its dependencies have started (test_helm_crawler_http.py).
HEALTHZ_READY = {"web"}
TIERS = {"web", "app", "pipeline", "data", "monitoring"}


def _workloads(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] in WORKLOAD_KINDS]


def _labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def test_containers_have_resources_probes_and_run_as_non_root(
    rendered_env: tuple[str, list[dict[str, Any]]],
) -> None:
    env, objects = rendered_env
    workloads = _workloads(objects)
    assert len(workloads) >= 8
    for workload in workloads:
        pod = pod_spec(workload)
        pod_ctx = pod.get("securityContext", {})
        assert pod_ctx.get("seccompProfile", {}).get("type") == "RuntimeDefault", workload["metadata"]["name"]
        for c in containers(workload):
            where = f"{env}: {workload['metadata']['name']}/{c['name']}"
            resources = c.get("resources", {})
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{where}: {kind}"
            if workload["kind"] not in ("Job", "CronJob"):  # run-to-completion pods serve nothing to probe
                assert "livenessProbe" in c and "readinessProbe" in c, f"{where}: probes"
            ctx = c.get("securityContext", {})
            assert ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")) is True, f"{where}: runAsNonRoot"
            assert int(ctx.get("runAsUser", pod_ctx.get("runAsUser", 0))) > 0, f"{where}: uid 0"
            assert ctx.get("allowPrivilegeEscalation") is False, where
            assert ctx.get("capabilities", {}).get("drop") == ["ALL"], where
            image = c["image"]
            assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), (
                f"{where}: unpinned image"
            )


def test_highpipe_containers_probe_healthz_and_readyz(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    deployments = by_name(objects, "Deployment")
    for name in APP_COMPONENTS:
        (c,) = pod_spec(deployments[f"highpipe-{name}"])["containers"]
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        # The static web server has no dependencies and serves only /healthz (web/nginx.conf).
        assert c["readinessProbe"]["httpGet"]["path"] == ("/healthz" if name in HEALTHZ_READY else "/readyz")
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        if name == "web":
            # The probed paths must exist in the web app's nginx config.
            nginx = (DEPLOY.parent / "web" / "nginx.conf").read_text()
            for probe in ("livenessProbe", "readinessProbe"):
                assert f"location = {c[probe]['httpGet']['path']} " in nginx
        port_names = {p["name"] for p in c["ports"]}
        assert c["readinessProbe"]["httpGet"]["port"] in port_names


def test_service_commands(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    deployments = by_name(objects, "Deployment")
    args = {n: pod_spec(deployments[f"highpipe-{n}"])["containers"][0]["args"] for n in APP_COMPONENTS[:5]}
    assert args["api"][:1] == ["api"] and "--port" in args["api"]
    assert args["ws"][:1] == ["ws"]
    assert args["crawler"][:2] == ["worker", "crawl"]
    assert args["analysis"][:2] == ["worker", "analyze"]
    assert args["sink"][:2] == ["worker", "sink"]
    for role in ("crawler", "analysis", "sink"):
        assert args[role][args[role].index("--metrics-port") + 1] == "9100"
        # The worker's ops server binds 127.0.0.1 unless told otherwise: probes and scrapes come from
        # outside the pod.
        assert args[role][args[role].index("--metrics-host") + 1] == "0.0.0.0"


def test_namespaces_are_the_five_tiers(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    namespaces = {o["metadata"]["name"]: o for o in of_kind(objects, "Namespace")}
    assert set(namespaces) == TIERS
    assert {n["metadata"]["labels"]["highpipe.io/tier"] for n in namespaces.values()} == TIERS
    for o in objects:
        if o["kind"] not in {"Namespace", "ClusterSecretStore"}:
            assert o["metadata"]["namespace"] in TIERS, o["metadata"]["name"]
    where = {o["metadata"]["name"]: o["metadata"]["namespace"] for o in of_kind(objects, "Deployment")}
    assert where["highpipe-web"] == "web"
    assert where["highpipe-api"] == where["highpipe-ws"] == "app"
    assert where["highpipe-crawler"] == where["highpipe-analysis"] == where["highpipe-sink"] == "pipeline"
    assert where["highpipe-crawler-http"] == "pipeline"


def test_autoscaling_never_doubles_up(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    hpa_targets = {
        (o["metadata"]["namespace"], o["spec"]["scaleTargetRef"]["name"])
        for o in of_kind(objects, "HorizontalPodAutoscaler")
    }
    keda_targets = {
        (o["metadata"]["namespace"], o["spec"]["scaleTargetRef"]["name"])
        for o in of_kind(objects, "ScaledObject")
    }
    assert not hpa_targets & keda_targets
    assert {t for _, t in hpa_targets} == {"highpipe-api", "highpipe-ws", "highpipe-crawler-http"}
    assert {t for _, t in keda_targets} == {"highpipe-crawler", "highpipe-analysis", "highpipe-sink"}
    deployments = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o for o in of_kind(objects, "Deployment")
    }
    for target in hpa_targets | keda_targets:
        assert target in deployments, target
        # A fixed replica count would be reset by every `helm upgrade`, fighting the autoscaler.
        assert "replicas" not in deployments[target]["spec"], target


def test_original_scaling_numbers_in_prod(helm: str, kubernetes_version: str) -> None:
    objects = load(helm_template(helm, "prod", kubernetes_version))
    hpas = by_name(objects, "HorizontalPodAutoscaler")
    api = hpas["highpipe-api"]["spec"]
    assert (api["minReplicas"], api["maxReplicas"]) == (3, 20)
    targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in api["metrics"]}
    assert targets == {"cpu": 70, "memory": 80}
    ws = hpas["highpipe-ws"]["spec"]
    assert (ws["minReplicas"], ws["maxReplicas"]) == (2, 10)
    crawler_http = hpas["highpipe-crawler-http"]["spec"]
    assert (crawler_http["minReplicas"], crawler_http["maxReplicas"]) == (2, 6)
    scaled = by_name(objects, "ScaledObject")
    assert (
        scaled["highpipe-crawler"]["spec"]["minReplicaCount"],
        scaled["highpipe-crawler"]["spec"]["maxReplicaCount"],
    ) == (2, 8)
    assert (
        scaled["highpipe-analysis"]["spec"]["minReplicaCount"],
        scaled["highpipe-analysis"]["spec"]["maxReplicaCount"],
    ) == (1, 5)
    assert "highpipe-sink" in scaled


def test_keda_triggers(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    groups = {}
    for so in of_kind(objects, "ScaledObject"):
        triggers = so["spec"]["triggers"]
        types = [t["type"] for t in triggers]
        assert types.count("cpu") == 1 and types.count("cron") == 1 and "kafka" in types, so["metadata"][
            "name"
        ]
        for t in triggers:
            if t["type"] == "kafka":
                assert t["metadata"]["lagThreshold"] == "1000"
                assert t["metadata"]["bootstrapServers"].endswith(":9092")
                groups[t["metadata"]["consumerGroup"]] = t["metadata"]["topic"]
            if t["type"] == "cron":
                meta = t["metadata"]
                assert meta["timezone"] == "Asia/Seoul"
                assert (meta["start"], meta["end"]) == ("0 8 * * *", "0 22 * * *")
                assert int(meta["desiredReplicas"]) >= so["spec"]["minReplicaCount"]
                assert int(meta["desiredReplicas"]) <= so["spec"]["maxReplicaCount"]
    # One lag trigger per consumer group of DESIGN.md's topics.
    assert groups == {
        "crawl": "analysis.requested",
        "analyze": "reviews.collected",
        "sink": "reviews.analyzed",
        "sink-events": "job.events",
        "sink-lake": "reviews.collected",
    }


def test_vpas(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    vpas = {o["spec"]["targetRef"]["name"]: o["spec"] for o in of_kind(objects, "VerticalPodAutoscaler")}
    assert vpas["highpipe-api"]["updatePolicy"]["updateMode"] == "Off"
    assert vpas["broker"]["targetRef"]["kind"] == "KafkaNodePool"
    assert vpas["broker"]["updatePolicy"]["updateMode"] == "Off"
    for redis in ("highpipe-redis-primary", "highpipe-redis-replica"):
        assert vpas[redis]["updatePolicy"]["updateMode"] in {"Off", "Initial"}
    # No VPA that evicts pods may share a Deployment with an HPA scaling on CPU or memory.
    hpa_targets = {o["spec"]["scaleTargetRef"]["name"] for o in of_kind(objects, "HorizontalPodAutoscaler")}
    assert all(vpas[t]["updatePolicy"]["updateMode"] == "Off" for t in hpa_targets if t in vpas)


def test_gpu_server_in_prod(helm: str, kubernetes_version: str) -> None:
    objects = load(helm_template(helm, "prod", kubernetes_version))
    vllm = by_name(objects, "Deployment")["highpipe-vllm"]
    spec = pod_spec(vllm)
    (c,) = spec["containers"]
    assert c["resources"]["requests"]["nvidia.com/gpu"] == 1 == c["resources"]["limits"]["nvidia.com/gpu"]
    assert spec["nodeSelector"] == {"highpipe.io/node-group": "gpu"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in spec["tolerations"]
    config = {
        o["metadata"]["namespace"]: o["data"]
        for o in of_kind(objects, "ConfigMap")
        if o["metadata"]["name"] == "highpipe-config"
    }
    assert config["pipeline"]["HIGHPIPE_LLM_URL"].startswith(
        "openai+http://highpipe-vllm.pipeline.svc:8000/v1?"
    )
    dev = load(helm_template(helm, "dev", kubernetes_version))
    assert "highpipe-vllm" not in by_name(dev, "Deployment")


def test_services_select_pods_and_monitors_select_services(
    rendered_env: tuple[str, list[dict[str, Any]]],
) -> None:
    _, objects = rendered_env
    pods = [(w["metadata"]["namespace"], pod_labels(w)) for w in _workloads(objects)]
    services = of_kind(objects, "Service")
    for svc in services:
        ns = svc["metadata"]["namespace"]
        assert any(n == ns and _labels_match(svc["spec"]["selector"], labels) for n, labels in pods), svc[
            "metadata"
        ]["name"]
    monitors = of_kind(objects, "ServiceMonitor")
    assert {m["metadata"]["name"] for m in monitors} == {
        f"highpipe-{n}" for n in ("api", "ws", "crawler", "crawler-http", "analysis", "sink")
    }
    for mon in monitors:
        (ns,) = mon["spec"]["namespaceSelector"]["matchNames"]
        matched = [
            s
            for s in services
            if s["metadata"]["namespace"] == ns
            and _labels_match(mon["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
        ]
        # The Service's name becomes the `job` label that the alert rules select on (highpipe-*).
        assert [s["metadata"]["name"] for s in matched] == [mon["metadata"]["name"]]
        assert {e["port"] for e in mon["spec"]["endpoints"]} <= {
            p["name"] for p in matched[0]["spec"]["ports"]
        }


def test_pdbs_cover_deployments_and_allow_evictions(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    env, objects = rendered_env
    pdbs = of_kind(objects, "PodDisruptionBudget")
    hpa_min = {
        o["spec"]["scaleTargetRef"]["name"]: o["spec"]["minReplicas"]
        for o in of_kind(objects, "HorizontalPodAutoscaler")
    }
    keda_min = {
        o["spec"]["scaleTargetRef"]["name"]: o["spec"]["minReplicaCount"]
        for o in of_kind(objects, "ScaledObject")
    }
    for pdb in pdbs:
        assert ("minAvailable" in pdb["spec"]) != ("maxUnavailable" in pdb["spec"]), pdb["metadata"]["name"]
    for w in _workloads(objects):
        name, ns = w["metadata"]["name"], w["metadata"]["namespace"]
        if name == "highpipe-vllm" or w["kind"] in ("Job", "CronJob"):
            # One GPU pod: a PDB would block node drains for good. A Job pod ends by itself; the next run
            # replaces an evicted one.
            continue
        labels = w["spec"]["template"]["metadata"]["labels"]
        covering = [
            p
            for p in pdbs
            if p["metadata"]["namespace"] == ns
            and _labels_match(p["spec"]["selector"]["matchLabels"], labels)
        ]
        if name == "highpipe-redis-primary":
            assert not covering  # a single primary: a PDB with minAvailable 1 would block every drain
            continue
        assert len(covering) == 1, f"{env}: {name}"
        spec = covering[0]["spec"]
        replicas = w["spec"].get("replicas") or hpa_min.get(name) or keda_min.get(name)
        if "minAvailable" in spec:
            assert spec["minAvailable"] < replicas, f"{env}: {name} could never be evicted"


def _peers(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [peer for rule in policy["spec"].get("ingress", []) for peer in rule.get("from", [])]


def test_network_policies_implement_the_tier_rules(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    env, objects = rendered_env
    policies = of_kind(objects, "NetworkPolicy")
    by_ns: dict[str, list[dict[str, Any]]] = {}
    for p in policies:
        by_ns.setdefault(p["metadata"]["namespace"], []).append(p)
    values = yaml.safe_load((DEPLOY / "helm" / "highpipe" / f"values-{env}.yaml").read_text())
    alb = {ipaddress.ip_network(c) for c in values["networkPolicies"]["albSourceCidrs"]}
    for tier in ("web", "app", "pipeline", "data"):
        deny = [p for p in by_ns[tier] if p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")]
        assert deny and deny[0]["spec"]["policyTypes"] == ["Ingress"], f"{tier}: no default deny"

    def sources(tier: str, *, exclude: str = "") -> tuple[set[str], set[Any], bool]:
        """Whole namespaces, CIDRs and same-namespace pods admitted into `tier` by its policies, leaving
        out those that select only the component `exclude` (checked on their own below). A peer that
        narrows a namespace to some of its pods (namespaceSelector + podSelector) is not a whole one."""
        namespaces, blocks, same_ns = set(), set(), False
        for policy in by_ns[tier]:
            selected = policy["spec"]["podSelector"].get("matchLabels", {})
            if exclude and selected.get("app.kubernetes.io/component") == exclude:
                continue
            for peer in _peers(policy):
                if "ipBlock" in peer:
                    blocks.add(ipaddress.ip_network(peer["ipBlock"]["cidr"]))
                elif "namespaceSelector" in peer and "podSelector" not in peer:
                    namespaces.add(peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
                elif "namespaceSelector" not in peer:
                    same_ns = True
        return namespaces, blocks, same_ns

    def narrowed(tier: str) -> dict[str, set[str]]:
        """The components of `tier` that admit only some pods of another namespace: {component: {ns}}."""
        found: dict[str, set[str]] = {}
        for policy in by_ns[tier]:
            component = (
                policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/component", "")
            )
            for peer in _peers(policy):
                if "namespaceSelector" in peer and "podSelector" in peer:
                    ns = peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                    found.setdefault(component, set()).add(ns)
        return found

    web_ns, web_blocks, _ = sources("web")
    assert web_ns == set() and web_blocks == alb  # web <- ALB only
    app_ns, app_blocks, _ = sources("app")
    assert app_ns == {"web", "monitoring"} and app_blocks == alb  # app <- web (+ the ALB's /api, /ws)
    # ... and the api <- Airflow's pods only, never the whole pipeline tier (its DAGs call the api).
    assert narrowed("app") == {"api": {"pipeline"}}
    data_ns, data_blocks, _ = sources("data")
    assert not data_blocks  # nothing from outside the cluster reaches data
    assert {"app", "pipeline"} <= data_ns and "web" not in data_ns
    assert data_ns <= {
        "app",
        "pipeline",
        "monitoring",
        *values["networkPolicies"].get("dataOperatorNamespaces", ["strimzi"]),
    }
    pipeline_ns, pipeline_blocks, _ = sources("pipeline", exclude="crawler-http")
    assert pipeline_ns <= {"monitoring"} and "app" not in pipeline_ns
    # The crawler service alone also admits the app tier (and Airflow's pods: test_helm_crawler_http.py).
    crawler_ns, crawler_blocks, _ = sources("pipeline")
    assert crawler_ns == pipeline_ns | {"app"} and crawler_blocks == pipeline_blocks
    if not values.get("airflow", {}).get("ingress"):
        assert not pipeline_blocks
    for cidr in alb:
        assert cidr.is_private  # the ALB's subnets, never the internet at large


def test_ingress_routes(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    env, objects = rendered_env
    ingresses = of_kind(objects, "Ingress")
    routes = {}
    for ing in ingresses:
        assert ing["spec"]["ingressClassName"] == "alb"
        assert ing["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.name"] == "highpipe"
        for rule in ing["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                routes[path["path"]] = (
                    ing["metadata"]["namespace"],
                    path["backend"]["service"]["name"],
                    int(ing["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.order"]),
                )
    assert routes["/"][:2] == ("web", "highpipe-web")
    assert routes["/api"][:2] == ("app", "highpipe-api")
    assert routes["/ws"][:2] == ("app", "highpipe-ws")
    # The catch-all must be evaluated last.
    assert routes["/"][2] > max(order for p, (_, _, order) in routes.items() if p != "/")
    if env == "prod":
        assert "/airflow" in routes
        assert all(
            "alb.ingress.kubernetes.io/certificate-arn" in i["metadata"]["annotations"] for i in ingresses
        )


def test_secrets_come_from_external_secrets(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    assert not of_kind(objects, "Secret")  # nothing secret is rendered_env from values
    produced = {
        (o["metadata"]["namespace"], o["spec"]["target"]["name"]) for o in of_kind(objects, "ExternalSecret")
    }
    stores = {o["metadata"]["name"] for o in of_kind(objects, "ClusterSecretStore")}
    for es in of_kind(objects, "ExternalSecret"):
        assert es["spec"]["secretStoreRef"]["name"] in stores
    for w in _workloads(objects):
        ns = w["metadata"]["namespace"]
        refs = {
            e["secretRef"]["name"] for c in containers(w) for e in c.get("envFrom", []) if "secretRef" in e
        }
        refs |= {
            e["valueFrom"]["secretKeyRef"]["name"]
            for c in containers(w)
            for e in c.get("env", [])
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        refs |= {v["secret"]["secretName"] for v in pod_spec(w).get("volumes", []) if "secret" in v}
        for ref in refs:
            assert (ns, ref) in produced, f"{w['metadata']['name']}: secret {ref} has no ExternalSecret"


def test_prometheus_rule_is_the_tested_rules_file(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered_env
    (rule,) = of_kind(objects, "PrometheusRule")
    source = yaml.safe_load((DEPLOY / "prometheus" / "rules" / "highpipe.rules.yml").read_text())
    assert rule["spec"]["groups"] == source["groups"]
    dashboards = [
        o
        for o in of_kind(objects, "ConfigMap")
        if o["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
    ]
    assert {next(iter(d["data"])) for d in dashboards} == {
        f"{n}.json" for n in ("overview", "pipeline", "crawler", "analysis", "kafka")
    }


# Kafka versions Strimzi 1.2.0 (third_party/crds/strimzi) runs, from its release notes; bump with Strimzi.
STRIMZI_KAFKA_VERSIONS = {"4.2.0", "4.2.1", "4.3.0", "4.3.1"}


def test_strimzi_kafka_kraft(rendered_env: tuple[str, list[dict[str, Any]]]) -> None:
    env, objects = rendered_env
    (kafka,) = of_kind(objects, "Kafka")
    (pool,) = of_kind(objects, "KafkaNodePool")
    # Strimzi 1.x serves only v1; the same for every Strimzi object, and for the VPA that points at the pool.
    strimzi = [o for o in objects if o["apiVersion"].startswith("kafka.strimzi.io/")]
    assert {o["apiVersion"] for o in strimzi} == {"kafka.strimzi.io/v1"}
    (vpa,) = [
        v
        for v in of_kind(objects, "VerticalPodAutoscaler")
        if v["spec"]["targetRef"]["kind"] == "KafkaNodePool"
    ]
    assert vpa["spec"]["targetRef"] == {
        "apiVersion": pool["apiVersion"],
        "kind": "KafkaNodePool",
        "name": pool["metadata"]["name"],
    }
    assert vpa["metadata"]["namespace"] == pool["metadata"]["namespace"]
    # Every pool and topic belongs to this cluster (the operator ignores those labelled for another).
    assert {o["metadata"]["labels"]["strimzi.io/cluster"] for o in strimzi if o is not kafka} == {
        kafka["metadata"]["name"]
    }
    assert sorted(pool["spec"]["roles"]) == ["broker", "controller"]
    brokers = pool["spec"]["replicas"]
    config = kafka["spec"]["kafka"]["config"]
    if env == "prod":
        assert brokers == 3
        assert config["default.replication.factor"] == 3 and config["min.insync.replicas"] == 2
    assert config["min.insync.replicas"] <= config["default.replication.factor"] <= brokers
    assert kafka["spec"]["kafka"]["listeners"][0]["port"] == 9092
    # The CRD takes any version string; the operator runs only the Kafka versions its release ships.
    assert kafka["spec"]["kafka"]["version"] in STRIMZI_KAFKA_VERSIONS
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind(objects, "KafkaTopic")}
    assert set(topics) == {
        "analysis.requested",
        "reviews.collected",
        "reviews.analyzed",
        "job.events",
        "dead-letter",
    }
    assert all(t["replicas"] <= brokers for t in topics.values())
    bus = {
        o["metadata"]["namespace"]: o["data"]["HIGHPIPE_BUS_URL"]
        for o in of_kind(objects, "ConfigMap")
        if o["metadata"]["name"] == "highpipe-config"
    }
    assert (
        bus["app"] == bus["pipeline"] == f"kafka://{kafka['metadata']['name']}-kafka-bootstrap.data.svc:9092"
    )


def test_redis_primary_and_replicas(helm: str, kubernetes_version: str) -> None:
    objects = load(helm_template(helm, "prod", kubernetes_version))
    sets = by_name(objects, "StatefulSet")
    assert sets["highpipe-redis-primary"]["spec"]["replicas"] == 1
    assert sets["highpipe-redis-replica"]["spec"]["replicas"] == 2
    args = pod_spec(sets["highpipe-redis-replica"])["containers"][0]["args"]
    assert args[args.index("--replicaof") + 1].startswith(
        "highpipe-redis-primary-0.highpipe-redis-primary.data.svc"
    )
