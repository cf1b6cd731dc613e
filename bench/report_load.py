"""Report reads under load: GET /api/analyses/{id}/report on `highpipe api`, Redis cache vs without.

What runs, all on loopback:

1. One analysis of the demo shop's 2,000-review product (`bench-2k`, a full crawl), completed by an
   in-process HighPipe (memory bus, all worker roles, the demo shop mounted) on the PostgreSQL store
   that the API servers below read (PgBouncer, database `highpipe` unless HIGHPIPE_BENCH_DATABASE).
2. One API server per configuration, each a separate process started as the cluster starts an API
   replica (`python -m highpipe.entrypoints.cli api`, settings from HIGHPIPE_* env, one uvicorn worker):
   - `redis`:  HIGHPIPE_CACHE_URL=redis://127.0.0.1:$HIGHPIPE_REDIS_PORT/<--redis-db> (the shared cache),
   - `memory`: HIGHPIPE_CACHE_URL=memory:// (what a replica has without Redis: a cache of its own),
   - `none`:   no cache at all, every read goes to PostgreSQL. HIGHPIPE_CACHE_URL has no such scheme
     (memory:// and redis:// only), so this server is `python bench/report_load.py --serve-nocache`:
     the same app, settings and uvicorn options as `highpipe api`, with a cache that never hits.
3. `wrk` (a second process) loads each server in turn for --duration seconds with the same threads,
   connections and timeout, `--latency`, --rounds times, the order rotating each round so that the
   shared machine's load falls on every configuration alike. Requests/s and p50/p99 come from wrk's
   own report; medians over the rounds, and the ratios to `redis`. Each server logs JSON lines into a
   temporary folder; its warnings (a "cache degraded" among them) are counted into the result.

Everything stops by itself: wrk runs are bounded by -d and a subprocess timeout, servers get SIGTERM
(then SIGKILL), and the analysis is deleted at the end. Needs `make services-up` and wrk (Debian
package `wrk`; `make bench-report-load` installs it). Writes bench/results/report_load.json.

    uv run python bench/report_load.py [--duration 10] [--threads 2] [--connections 32] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from highpipe.ports.cache import Cache, Subscription

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "report_load.json"
CONFIGS = ("redis", "memory", "none")
START_TIMEOUT_S = 90.0
ANALYSIS_TIMEOUT_S = 300.0
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def database_url() -> str:
    user, pw = _env("HIGHPIPE_PG_USER", "highpipe"), _env("HIGHPIPE_PG_PASSWORD", "highpipe")
    port = _env("HIGHPIPE_PGBOUNCER_PORT", "16432")
    return f"postgresql+asyncpg://{user}:{pw}@127.0.0.1:{port}/{_env('HIGHPIPE_BENCH_DATABASE', 'highpipe')}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- the `none` configuration's cache, and its server --------------------------------------------


class _NoMessages(Subscription):
    def __init__(self) -> None:
        self._closed = asyncio.Event()

    async def _iter(self) -> AsyncIterator[bytes]:
        await self._closed.wait()
        return
        yield b""  # an async generator that yields nothing

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iter()

    async def close(self) -> None:
        self._closed.set()


class NullCache(Cache):
    """A cache that holds nothing: every get misses, so the API reads the store on every request."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def get(self, key: str) -> bytes | None:
        return None

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        pass

    async def delete(self, key: str) -> None:
        pass

    async def incr(self, key: str, ttl_s: float) -> int:
        self._counts[key] = self._counts.get(key, 0) + 1  # only rate limits use it; never on this path
        return self._counts[key]

    async def publish(self, channel: str, message: bytes) -> None:
        pass

    async def subscribe(self, channel: str) -> Subscription:
        return _NoMessages()


def serve_nocache(port: int) -> None:
    """`highpipe api` (entrypoints/cli_servers.py) with NullCache: same app, settings and uvicorn options."""
    from highpipe.bootstrap import bootstrap
    from highpipe.config import Settings
    from highpipe.entrypoints.api.app import create_app
    from highpipe.entrypoints.cli_servers import serve_replica
    from highpipe.observability import setup_logging

    settings = Settings(host="127.0.0.1", port=port)
    setup_logging(settings.log_format, settings.log_level)
    application = create_app(bootstrap(settings, cache=NullCache()), roles=(), mount_demo=False)
    serve_replica(application, settings)


# --- the analysis whose report is read ------------------------------------------------------------


async def complete_analysis(product: str) -> str:
    """Run one analysis of the demo product to completion on the PostgreSQL store; its job id."""
    import uvicorn

    from highpipe.analysis.engine import LocalAnalyzer
    from highpipe.bootstrap import ALL_ROLES, bootstrap
    from highpipe.config import Settings
    from highpipe.entrypoints.api.app import create_app

    port = free_port()
    settings = Settings(
        database_url=database_url(),
        bus_url="memory://",
        cache_url="memory://",
        lake_url="",
        port=port,
        allow_hosts=[f"127.0.0.1:{port}"],
        max_reviews=100_000,
        max_pages=10_000,
        rate_limit_per_minute=1000,
    )
    container = bootstrap(settings, analyzer=LocalAnalyzer.load())
    app = create_app(container, roles=ALL_ROLES, mount_demo=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(ANALYSIS_TIMEOUT_S):
            while not server.started:
                await asyncio.sleep(0.05)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                url = f"http://127.0.0.1:{port}/demo/products/{product}"
                resp = await client.post("/api/analyses", json={"url": url, "full": True})
                resp.raise_for_status()
                job_id: str = resp.json()["id"]
                while True:
                    job = (await client.get(f"/api/analyses/{job_id}")).json()["job"]
                    if job["status"] in ("completed", "failed", "cancelled"):
                        break
                    await asyncio.sleep(0.2)
        if job["status"] != "completed":
            raise RuntimeError(f"the analysis ended {job['status']}: {job.get('failure_reason')}")
        return job_id
    finally:
        server.should_exit = True
        await serving


# --- servers and wrk ------------------------------------------------------------------------------


def start_server(config: str, port: int, redis_db: int, log: Path) -> subprocess.Popen[bytes]:
    """One API server; its log (JSON lines on stderr) goes to `log`, so its warnings can be counted."""
    env = {
        **os.environ,
        "HIGHPIPE_DATABASE_URL": database_url(),
        "HIGHPIPE_BUS_URL": "memory://",  # an API replica publishes only submissions: none here
        "HIGHPIPE_LAKE_URL": "",
        "HIGHPIPE_LOG_LEVEL": "WARNING",
        "HIGHPIPE_LOG_FORMAT": "json",
    }
    if config == "none":
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-nocache", "--port", str(port)]
    else:
        redis_port = _env("HIGHPIPE_REDIS_PORT", "16379")
        env["HIGHPIPE_CACHE_URL"] = (
            f"redis://127.0.0.1:{redis_port}/{redis_db}" if config == "redis" else "memory://"
        )
        cmd = [sys.executable, "-m", "highpipe.entrypoints.cli", "api", "--host", "127.0.0.1"]
        cmd += ["--port", str(port)]
    with log.open("wb") as sink:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)


def wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> int:
    """Wait until the report answers 200 (this also fills the cache); its size in bytes."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = log.read_text(errors="replace")
            raise RuntimeError(f"the API server exited ({proc.returncode}): {err[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            resp = httpx.get(url, timeout=5)
            if resp.status_code == 200:
                return len(resp.content)
        time.sleep(0.2)
    raise RuntimeError(f"the API server did not serve {url} within {START_TIMEOUT_S:.0f}s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def count_warnings(log: Path) -> dict[str, int]:
    """Warnings and errors a server logged (JSON lines), and how many said the cache degraded."""
    counts = {"warnings_or_errors": 0, "cache_degraded": 0}
    for line in log.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict) and str(record.get("level", "")).upper() in ("WARNING", "ERROR"):
                counts["warnings_or_errors"] += 1
                counts["cache_degraded"] += "cache degraded" in str(record.get("message", record.get("msg")))
    return counts


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not m:
        raise ValueError(f"unexpected wrk duration {value!r}")
    return float(m[1]) * _UNITS[m[2]]


def parse_wrk(text: str) -> dict[str, Any]:
    """Requests/s, p50/p90/p99 (ms), request and error counts from `wrk --latency` output."""
    pct = {int(p): _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", text, re.M)}
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(r"^\s+(\d+) requests in ([\d.]+\w+),", text, re.M)
    if not rps or not total or 50 not in pct or 99 not in pct:
        raise ValueError(f"cannot read wrk's output:\n{text}")
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "requests_per_s": float(rps[1]),
        "p50_ms": pct[50],
        "p90_ms": pct.get(90),
        "p99_ms": pct[99],
        "requests": int(total[1]),
        "non_2xx": int(non2xx[1]) if non2xx else 0,
        "socket_errors": sum(int(x) for x in socket_errors.groups()) if socket_errors else 0,
    }


def run_wrk(wrk: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    cmd += ["--timeout", f"{args.request_timeout}s", "--latency", url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60, check=True)
    return parse_wrk(done.stdout)


def delete_analysis(base: str, job_id: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.delete(f"{base}/api/analyses/{job_id}", timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--request-timeout", type=int, default=5, help="wrk --timeout, seconds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--configs", default=",".join(CONFIGS), help="comma-separated subset of " + ",".join(CONFIGS)
    )
    parser.add_argument("--product", default="bench-2k")
    parser.add_argument("--redis-db", type=int, default=2, help="Redis database for the report cache")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--serve-nocache", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_nocache:
        serve_nocache(args.port)
        return
    configs = [c for c in args.configs.split(",") if c]
    if unknown := set(configs) - set(CONFIGS):
        raise SystemExit(f"unknown configurations {sorted(unknown)}; known: {', '.join(CONFIGS)}")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench-report-load does it)")
    t0 = time.perf_counter()
    job_id = asyncio.run(complete_analysis(args.product))
    print(f"analysis {job_id} of {args.product} completed in {time.perf_counter() - t0:.1f}s", flush=True)
    servers: dict[str, tuple[subprocess.Popen[bytes], str, Path]] = {}
    runs: list[dict[str, Any]] = []
    report_bytes = 0
    warnings: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="highpipe-report-load-") as logs:
        try:
            for config in configs:
                port, log = free_port(), Path(logs) / f"{config}.log"
                proc = start_server(config, port, args.redis_db, log)
                servers[config] = (proc, f"http://127.0.0.1:{port}", log)
            for proc, base, log in servers.values():
                report_bytes = wait_ready(proc, f"{base}/api/analyses/{job_id}/report", log)
            for i in range(args.rounds):
                order = configs[i % len(configs) :] + configs[: i % len(configs)]
                for config in order:
                    url = f"{servers[config][1]}/api/analyses/{job_id}/report"
                    result = {"round": i + 1, "config": config, **run_wrk(wrk, url, args)}
                    runs.append(result)
                    print(json.dumps(result), flush=True)
        finally:
            if servers:
                delete_analysis(next(iter(servers.values()))[1], job_id)
            for proc, _, _ in servers.values():
                stop_server(proc)
        for config, (_, _, log) in servers.items():
            warnings[config] = count_warnings(log)
    median: dict[str, dict[str, float]] = {}
    for config in configs:
        mine = [r for r in runs if r["config"] == config]
        median[config] = {
            k: round(statistics.median(r[k] for r in mine), 3) for k in ("requests_per_s", "p50_ms", "p99_ms")
        }
    ratios: dict[str, dict[str, float]] = {}
    if "redis" in median:
        ref = median["redis"]
        for config in configs:
            if config != "redis":
                ratios[f"redis_over_{config}"] = {
                    "requests_per_s": round(ref["requests_per_s"] / median[config]["requests_per_s"], 3),
                    "p50": round(ref["p50_ms"] / median[config]["p50_ms"], 3),
                    "p99": round(ref["p99_ms"] / median[config]["p99_ms"], 3),
                }
    errors = sum(r["non_2xx"] + r["socket_errors"] for r in runs)
    result = {
        "benchmark": "report_load",
        "endpoint": "GET /api/analyses/{id}/report",
        "product": args.product,
        "report_bytes": report_bytes,
        "servers": {
            "redis": "highpipe api, HIGHPIPE_CACHE_URL=redis:// (Redis 7 on loopback; DegradingCache wrapper)",
            "memory": "highpipe api, HIGHPIPE_CACHE_URL=memory:// (in-process cache)",
            "none": "the same app with a cache that never hits (bench/report_load.py --serve-nocache)",
        },
        "store": "PostgreSQL 15 via PgBouncer (transaction mode)",
        "load": {
            "tool": "wrk 4.1 (Debian), a separate process on loopback",
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "timeout_s": args.request_timeout,
            "rounds": args.rounds,
            "order": "rotated each round",
        },
        "runs": runs,
        "median": median,
        "ratios": ratios,
        "errors": errors,
        "server_log": warnings,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
            "note": "2 shared cores: the server and wrk share them, other agents too; compare side by side",
        },
        "command": (
            f"uv run python bench/report_load.py --duration {args.duration} --threads {args.threads} "
            f"--connections {args.connections} --rounds {args.rounds} --configs {','.join(configs)}"
        ),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        json.dumps({"median": median, "ratios": ratios, "errors": errors, "server_log": warnings}, indent=2)
    )


if __name__ == "__main__":
    main()
