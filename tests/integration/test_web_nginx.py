"""web/nginx.conf, the web container's server config, run for real by Debian's nginx on loopback.

The config is rewritten for a temporary prefix (pid, logs, temp folders, document root) and a free
127.0.0.1 port, checked with `nginx -t`, then started to serve the built app (web/dist, or a stand-in
with the same shape when the app is not built) and asked for the page, a client route, hashed assets,
missing files and the paths the ingress sends elsewhere. `make web-nginx` installs nginx (nginx-light)
when it is missing; without it these tests skip locally and fail under CI=true.
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

WEB = Path(__file__).resolve().parents[2] / "web"
CONFIG = WEB / "nginx.conf"
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "permissions-policy",
    "cross-origin-opener-policy",
)
YEAR = "max-age=31536000"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    message = "nginx is not installed: run `make web-nginx` (apt-get install nginx-light)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def rewrite(config: str, prefix: Path, port: int) -> str:
    """The config with every path under `prefix` and the listener on 127.0.0.1:`port`.

    Each replaced line must be there exactly once, so a change to the config's shape fails here loudly
    instead of leaving a path of the container in the test.
    """
    swaps = {
        "worker_processes auto;": "worker_processes 1;",
        "pid /tmp/nginx.pid;": f"pid {prefix}/nginx.pid;",
        "error_log /dev/stderr warn;": f"error_log {prefix}/error.log warn;",
        "access_log /dev/stdout main;": f"access_log {prefix}/access.log main;",
        "listen 3000;": f"listen 127.0.0.1:{port};",
        "root /usr/share/nginx/html;": f"root {prefix}/html;",
    }
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        swaps[f"{name}_temp_path /tmp/{name}_temp;"] = f"{name}_temp_path {prefix}/{name}_temp;"
    lines = config.splitlines()
    for old, new in swaps.items():
        hits = [i for i, line in enumerate(lines) if line.strip() == old]
        assert len(hits) == 1, f"web/nginx.conf should have the line {old!r} once, has it {len(hits)} times"
        lines[hits[0]] = lines[hits[0]].replace(old, new)
    out = "\n".join(lines) + "\n"
    directives = "\n".join(line for line in lines if not line.strip().startswith("#")).replace(
        str(prefix), ""
    )
    leftover = [path for path in ("/tmp/", "/usr/share/", "/dev/std") if path in directives]
    assert not leftover, f"container paths left in the rewritten config: {leftover}"
    return out


def _copy_dist(html: Path) -> None:
    """The built app when there is one, else a stand-in: a page and one hashed bundle over 1 KiB."""
    dist = WEB / "dist"
    if (dist / "index.html").is_file() and any((dist / "assets").glob("*.js")):
        shutil.copytree(dist, html)
        return
    (html / "assets").mkdir(parents=True)
    bundle = "assets/index-T3stHash.js"
    (html / "index.html").write_text(
        f'<!doctype html><html lang="ko"><script type="module" src="/{bundle}"></script>'
        '<div id="root"></div></html>\n',
        encoding="utf-8",
    )
    (html / bundle).write_text("".join(f"console.log({i});\n" for i in range(400)), encoding="utf-8")


@dataclass
class Served:
    base: str
    html: Path
    prefix: Path


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    nginx = _nginx()
    # Not pytest's tmp_path: that is private to root, and nginx's workers (nobody, when the test runs
    # as root) must read the files.
    prefix = Path(tempfile.mkdtemp(prefix="highpipe-nginx-"))
    try:
        prefix.chmod(0o755)
        html = prefix / "html"
        _copy_dist(html)
        port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(rewrite(CONFIG.read_text(encoding="utf-8"), prefix, port), encoding="utf-8")
        args = [nginx, "-p", f"{prefix}/", "-c", str(conf), "-e", str(prefix / "error.log")]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=30, check=False)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen([*args, "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        try:
            _wait_listening(port, proc)
            yield Served(f"http://127.0.0.1:{port}", html, prefix)
        finally:
            proc.send_signal(signal.SIGQUIT)  # graceful stop
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def _wait_listening(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"nginx exited with {proc.returncode}: {proc.stderr and proc.stderr.read()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx did not listen on 127.0.0.1:{port}")


@pytest.fixture
def client(served: Served) -> Iterator[httpx.Client]:
    # trust_env=False: no proxy from the environment, loopback only.
    with httpx.Client(base_url=served.base, trust_env=False, timeout=10) as c:
        yield c


def _assert_secure(resp: httpx.Response) -> None:
    missing = [h for h in SECURITY_HEADERS if h not in resp.headers]
    assert not missing, f"{resp.request.url}: no {missing}"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    assert "script-src 'self';" in resp.headers["content-security-policy"]
    assert resp.headers.get("server") == "nginx"  # no version


def test_the_config_passes_nginx_t_once_rewritten() -> None:
    nginx = _nginx()
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder)
        (prefix / "html").mkdir()
        conf = prefix / "nginx.conf"
        conf.write_text(rewrite(CONFIG.read_text(encoding="utf-8"), prefix, free_port()), encoding="utf-8")
        args = [nginx, "-t", "-p", f"{prefix}/", "-c", str(conf), "-e", str(prefix / "error.log")]
        result = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_the_page_and_client_routes_are_index_html_never_cached(client: httpx.Client, served: Served) -> None:
    page = (served.html / "index.html").read_text(encoding="utf-8")
    for path in (
        "/",
        "/analyses/00000000-0000-4000-8000-000000000001",
        "/history",
        "/compare?ids=a,b",
        "/index.html",
    ):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.text == page, path
        assert resp.headers["content-type"] == "text/html; charset=utf-8", path
        assert resp.headers["cache-control"] == "no-cache", path
        _assert_secure(resp)


def test_hashed_assets_are_cached_for_a_year_and_gzipped(client: httpx.Client, served: Served) -> None:
    bundle = max((served.html / "assets").glob("*.js"), key=lambda p: p.stat().st_size)
    path = f"/assets/{bundle.name}"
    plain = client.get(path, headers={"accept-encoding": "identity"})
    assert plain.status_code == 200
    assert plain.content == bundle.read_bytes()
    assert plain.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    cache = plain.headers["cache-control"]
    assert YEAR in cache and "immutable" in cache and "public" in cache
    assert plain.headers["x-content-type-options"] == "nosniff"

    with client.stream("GET", path, headers={"accept-encoding": "gzip"}) as packed:
        wire = b"".join(packed.iter_raw())  # as sent, not inflated
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert YEAR in packed.headers["cache-control"]
    assert gzip.decompress(wire) == bundle.read_bytes()
    assert len(wire) < bundle.stat().st_size / 2  # minified JavaScript packs well


def test_missing_files_and_other_services_paths_are_404_not_the_page(client: httpx.Client) -> None:
    for path in (
        "/assets/index-missing.js",
        "/favicon.ico",
        "/robots.txt",
        "/api/analyses",
        "/api/",
        "/ws/analyses/x",
        "/.env",
        "/.git/config",
    ):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert '<div id="root">' not in resp.text, path
        assert resp.headers.get("cache-control") != f"public, {YEAR}, immutable", path


def test_health_endpoint_for_the_container_probe(client: httpx.Client) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.text == "ok\n"
    assert resp.headers["content-type"].startswith("text/plain")
