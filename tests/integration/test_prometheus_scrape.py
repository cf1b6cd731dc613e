"""A real Prometheus scraping a real `highpipe serve`, and a real Alertmanager posting back to it.

Everything runs on 127.0.0.1 with free ports and temporary folders, and is stopped by the test:

- `highpipe serve` (demo shop, SQLite file store), as its own process;
- Prometheus (Debian `prometheus`) scraping it every second as job `highpipe-api`, evaluating the
  production rules (deploy/prometheus/rules) every second, with `HighPipeCrawlerBlockRateHigh`'s `for:`
  shortened to 1 s;
- Alertmanager (Debian `prometheus-alertmanager`, gossip off) built from deploy/prometheus/alertmanager.yml
  with short waits and the webhook pointed at that server.

The test runs one normal analysis and crawls of the demo shop's hidden `blocked` product, then asserts the
key series in Prometheus, that the block-rate alert fires, and that it arrives at GET /api/alerts. Bounded
to about a minute. `make prometheus-tools` installs the binaries; without them the test skips locally and
fails under CI=true.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import free_port
from tests.integration.helpers import demo_url, submit, wait_final

ROOT = Path(__file__).resolve().parents[2]
PROM = ROOT / "deploy" / "prometheus"
ALERT = "HighPipeCrawlerBlockRateHigh"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    message = (
        f"{name} is not installed: run `make prometheus-tools` (Debian prometheus, prometheus-alertmanager)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Processes:
    """Child processes with their output in log files; all stopped (TERM, then KILL) at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.folder)
        log.close()  # the child has its own descriptor
        self.running.append((name, proc))
        return proc

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} ---\n" + (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]
            for name, _ in self.running
        )

    def stop(self) -> None:
        for _, proc in reversed(self.running):
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for _, proc in self.running:
            try:
                proc.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    try:
        yield procs
    finally:
        procs.stop()


def alertmanager_config(webhook: str) -> dict[str, Any]:
    """deploy/prometheus/alertmanager.yml with the webhook on this server and second-long waits."""
    config: dict[str, Any] = yaml.safe_load((PROM / "alertmanager.yml").read_text())
    config["route"].update(group_wait="1s", group_interval="1s", repeat_interval="1m")
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            hook["url"] = webhook
    return config


def fast_rules(alert: str = ALERT) -> dict[str, Any]:
    """The production rules, evaluated every second, with `alert` firing as soon as its condition holds."""
    rules: dict[str, Any] = yaml.safe_load((PROM / "rules" / "highpipe.rules.yml").read_text())
    found = False
    for group in rules["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            if rule.get("alert") == alert:
                rule["for"] = "1s"
                found = True
    assert found, f"{alert} is not in the rules"
    return rules


def prometheus_config(target: str, alertmanager: str) -> dict[str, Any]:
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["rules.yml"],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
        "scrape_configs": [{"job_name": "highpipe-api", "static_configs": [{"targets": [target]}]}],
    }


async def _until(what: str, check: Any, timeout: float, procs: Processes) -> Any:
    """Poll `check()` (async) until it returns something truthy; fail with the processes' logs."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await check()
        except httpx.TransportError as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return last
        await asyncio.sleep(0.25)
    pytest.fail(f"timed out waiting for {what} (last: {last!r})\n{procs.logs()}")


async def _query(client: httpx.AsyncClient, expr: str) -> list[dict[str, Any]]:
    resp = await client.get("/api/v1/query", params={"query": expr})
    resp.raise_for_status()
    result: list[dict[str, Any]] = resp.json()["data"]["result"]
    return result


def _value(result: list[dict[str, Any]]) -> float:
    return sum(float(r["value"][1]) for r in result)


@pytest.mark.timeout(120)
async def test_prometheus_scrapes_highpipe_and_alerts_reach_it(tmp_path: Path, processes: Processes) -> None:
    prometheus, alertmanager = _binary("prometheus"), _binary("prometheus-alertmanager")
    hp_port, prom_port, am_port = free_port(), free_port(), free_port()
    began = time.monotonic()

    env = {k: v for k, v in os.environ.items() if not k.startswith("HIGHPIPE_")}
    env.update(
        HIGHPIPE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/highpipe.db",
        HIGHPIPE_LAKE_URL="",
        HIGHPIPE_UPLOAD_DIR=str(tmp_path / "uploads"),
        HIGHPIPE_RATE_LIMIT_PER_MINUTE="1000",
        HIGHPIPE_LOG_FORMAT="json",
        HIGHPIPE_WEB_DIST=str(tmp_path / "no-web-build"),
    )
    serve = [
        sys.executable,
        "-m",
        "highpipe.entrypoints.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(hp_port),
    ]
    processes.start("highpipe", serve, env)

    (tmp_path / "alertmanager.yml").write_text(
        yaml.safe_dump(alertmanager_config(f"http://127.0.0.1:{hp_port}/api/alerts/alertmanager"))
    )
    processes.start(
        "alertmanager",
        [
            alertmanager,
            "--config.file=alertmanager.yml",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",  # no gossip port (it would listen on 0.0.0.0:9094)
            f"--storage.path={tmp_path / 'am-data'}",
            "--log.level=warn",
        ],
    )
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(fast_rules(), allow_unicode=True))
    (tmp_path / "prometheus.yml").write_text(
        yaml.safe_dump(prometheus_config(f"127.0.0.1:{hp_port}", f"127.0.0.1:{am_port}"))
    )
    processes.start(
        "prometheus",
        [
            prometheus,
            "--config.file=prometheus.yml",
            f"--storage.tsdb.path={tmp_path / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            "--rules.alert.resend-delay=1s",
            "--log.level=warn",
        ],
    )

    hp = httpx.AsyncClient(base_url=f"http://127.0.0.1:{hp_port}", timeout=10)
    prom = httpx.AsyncClient(base_url=f"http://127.0.0.1:{prom_port}", timeout=10)
    am = httpx.AsyncClient(base_url=f"http://127.0.0.1:{am_port}", timeout=10)
    async with hp, prom, am:

        async def ready(client: httpx.AsyncClient, path: str) -> bool:
            return (await client.get(path)).status_code == 200

        await _until("highpipe /readyz", lambda: ready(hp, "/readyz"), 30, processes)
        await _until("prometheus ready", lambda: ready(prom, "/-/ready"), 20, processes)
        await _until("alertmanager ready", lambda: ready(am, "/-/ready"), 20, processes)

        # One normal analysis (every stage) and one blocked crawl.
        done = await wait_final(hp, await submit(hp, await demo_url(hp, "towel")), timeout=60)
        assert done["job"]["status"] == "completed", done
        blocked_url = await demo_url(hp, "blocked")
        failed = await wait_final(hp, await submit(hp, blocked_url, full=True), timeout=30)
        assert failed["job"]["status"] == "failed", failed

        async def seen_blocked() -> list[dict[str, Any]]:
            return await _query(prom, 'highpipe_crawl_errors_total{code="blocked_by_site"}')

        await _until("the first block in Prometheus", seen_blocked, 15, processes)
        # More blocks after Prometheus saw the first: increase()[30m] >= 3 needs them after a sample.
        for _ in range(4):
            again = await wait_final(hp, await submit(hp, blocked_url, full=True), timeout=30)
            assert again["job"]["status"] == "failed"

        async def firing() -> list[dict[str, Any]]:
            resp = await prom.get("/api/v1/alerts")
            alerts = resp.json()["data"]["alerts"]
            return [a for a in alerts if a["labels"]["alertname"] == ALERT and a["state"] == "firing"]

        (fired,) = await _until(f"{ALERT} firing in Prometheus", firing, 20, processes)
        assert fired["labels"]["team"] == "highpipe" and fired["labels"]["severity"] == "warning"

        async def shown() -> list[dict[str, Any]]:
            body = (await hp.get("/api/alerts")).json()
            return [a for a in body.get("alerts", []) if a["name"] == ALERT and a["status"] == "firing"]

        (alert,) = await _until(f"{ALERT} at GET /api/alerts", shown, 20, processes)
        assert alert["severity"] == "warning" and " / " in alert["summary"]
        assert alert["runbook"] == "docs/observability.md#highpipecrawlerblockratehigh"
        assert alert["ends_at"] is None and alert["labels"]["team"] == "highpipe"

        # The key series, as Prometheus scraped them from the running server.
        expectations = {
            'up{job="highpipe-api"}': 1,
            'sum(highpipe_http_request_duration_seconds_count{route="/api/analyses", method="POST"})': 6,
            "sum(highpipe_reviews_analyzed_total)": 1,
            'sum(highpipe_job_transitions_total{state="completed"})': 1,
            'sum(highpipe_job_transitions_total{state="failed"})': 5,
            'sum(highpipe_crawl_errors_total{code="blocked_by_site"})': 5,
            'sum(highpipe_job_stage_duration_seconds_count{stage="collect"})': 1,
            'sum(highpipe_job_stage_duration_seconds_count{stage="analyze"})': 1,
            'sum(highpipe_job_stage_duration_seconds_count{stage="report"})': 1,
            "sum(highpipe_db_pool_max)": 1,
            'sum(highpipe_db_pool_connections{state="idle"})': 1,
            "count(highpipe:http_requests:rate5m)": 1,
        }

        async def all_there() -> dict[str, float] | None:
            values = {expr: _value(await _query(prom, expr)) for expr in expectations}
            return values if all(values[e] >= low for e, low in expectations.items()) else None

        values = await _until("the key series", all_there, 10, processes)
        assert values['sum(highpipe_job_stage_duration_seconds_count{stage="collect"})'] >= 1
        # The report stage of the one completed job took a measurable, bounded time.
        report_s = _value(await _query(prom, 'sum(highpipe_job_stage_duration_seconds_sum{stage="report"})'))
        assert 0 < report_s < 60
    assert time.monotonic() - began < 90
