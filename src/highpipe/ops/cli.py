"""`highpipe ops forecast`: plan the api HPA's minReplicas from Prometheus history (the CronJob's command).

    highpipe ops forecast --prometheus http://prometheus:9090 --dry-run
    highpipe ops forecast --prometheus URL --hpa highpipe-api [--namespace app]   # in the cluster: patches

It reads `--history-days` of `--query` (requests/s) with `query_range`, forecasts the next `--lookahead`
seconds (highpipe.ops.forecast) and prints the plan as one JSON line. Without --dry-run it reads the HPA
(its maxReplicas, and the chart's own minReplicas from the highpipe.io/base-min-replicas annotation) and
patches spec.minReplicas when the plan differs. Exit status 1 with a message when a peer fails.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from highpipe.ops import SERVICE_ACCOUNT_DIR

if TYPE_CHECKING:  # numpy and httpx load only when the command runs (`highpipe --help` stays quick)
    import httpx

    from highpipe.ops.kube import Cluster

DEFAULT_QUERY = "highpipe:http_requests:rate5m"

app = typer.Typer(no_args_is_help=True, help="Operations tools (predictive scaling).")


# Seams for tests: how the Prometheus client and the cluster are made.
def make_prometheus_client() -> httpx.Client:
    import httpx

    return httpx.Client(timeout=30.0)


def make_cluster(sa_dir: Path) -> Cluster:
    from highpipe.ops.kube import Cluster

    return Cluster.in_cluster(sa_dir)


@app.callback()
def ops() -> None:
    """Operations tools (kept a command group so that `highpipe ops forecast` names its command)."""


@app.command("forecast")
def forecast_command(
    prometheus: Annotated[str, typer.Option(help="Prometheus base URL, e.g. http://prometheus:9090")],
    query: Annotated[str, typer.Option(help="PromQL giving the api's requests/s")] = DEFAULT_QUERY,
    replica_rps: Annotated[
        float, typer.Option(help="requests/s one api replica serves at the HPA's CPU target")
    ] = 20.0,
    history_days: Annotated[int, typer.Option(min=1, max=56, help="days of history to read")] = 21,
    step: Annotated[int, typer.Option(min=60, help="seconds between samples (must divide a day)")] = 300,
    lookahead: Annotated[
        int, typer.Option(help="seconds ahead to provision for: CronJob interval + pod start-up + margin")
    ] = 1800,
    headroom: Annotated[float, typer.Option(min=0.0, help="extra capacity over the forecast")] = 0.2,
    floor: Annotated[int, typer.Option(min=1, help="lowest minReplicas (dry run; else the HPA's)")] = 3,
    ceiling: Annotated[int, typer.Option(min=1, help="highest minReplicas (dry run; else maxReplicas)")] = 20,
    hpa: Annotated[str, typer.Option(help="HorizontalPodAutoscaler to patch")] = "highpipe-api",
    namespace: Annotated[str | None, typer.Option(help="its namespace (default: the pod's own)")] = None,
    sa_dir: Annotated[
        Path, typer.Option(help="service-account folder (token, ca.crt)")
    ] = SERVICE_ACCOUNT_DIR,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the plan, change nothing")] = False,
) -> None:
    """Forecast the api's traffic and raise (or lower) the HPA's minReplicas ahead of it."""
    from highpipe.ops.forecast import Capacity, plan
    from highpipe.ops.kube import OpsError, history, patch_min_replicas, read_hpa

    try:
        now = time.time()
        end = now - now % step  # whole steps only: the current one is incomplete
        with make_prometheus_client() as client:
            series = history(client, prometheus, query, end - history_days * 86_400, end, step)
        if dry_run:
            chosen = plan(
                series, Capacity(replica_rps, floor, max(ceiling, floor), headroom), lookahead_s=lookahead
            )
            typer.echo(json.dumps({"hpa": hpa, "dry_run": True, **chosen.as_dict()}))
            return
        cluster = make_cluster(sa_dir)
        ns = namespace or cluster.namespace
        with cluster.client() as kube:
            bounds = read_hpa(kube, ns, hpa)
            capacity = Capacity(
                replica_rps, bounds.base_min, max(bounds.max_replicas, bounds.base_min), headroom
            )
            chosen = plan(series, capacity, lookahead_s=lookahead)
            changed = chosen.min_replicas != bounds.min_replicas
            if changed:
                note = {**chosen.as_dict(), "at": round(now), "base_min": bounds.base_min}
                patch_min_replicas(kube, ns, hpa, chosen.min_replicas, note)
        typer.echo(
            json.dumps(
                {"hpa": f"{ns}/{hpa}", "dry_run": False, "previous": bounds.min_replicas, "patched": changed}
                | chosen.as_dict()
            )
        )
    except (OpsError, ValueError) as exc:
        typer.echo(f"forecast: {exc}", err=True)
        raise typer.Exit(1) from exc
