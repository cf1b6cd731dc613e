"""HttpFetcher speaks HTTP/2 over TLS, and keeps cookies per job (a fresh jar per fetcher start).

The server is a tiny HTTP/2-only server (the `h2` library) on 127.0.0.1 with a throwaway self-signed
certificate made by the `openssl` command; it offers only "h2" in ALPN, so any answer at all proves the
fetcher negotiated HTTP/2. The host name `h2.test` reaches it through a stub resolver.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import pytest

from highpipe.adapters.fetch.http import HttpFetcher
from highpipe.config import Settings
from highpipe.ports.fetch import FetchError


class LoopbackResolver:
    async def resolve(self, host: str, port: int) -> list[str]:
        if host != "h2.test":
            raise OSError(f"stub NXDOMAIN for {host}")
        return ["127.0.0.1"]


@dataclass
class H2Server:
    port: int
    ca_file: Path
    seen: list[dict[str, str]] = field(default_factory=list)


def _answer(path: str, headers: dict[str, str]) -> tuple[list[tuple[str, str]], bytes]:
    if path == "/set":
        return [("set-cookie", "session=job-secret; Path=/; HttpOnly")], b"cookie set"
    return [], f"cookie={headers.get('cookie', '')}".encode()


async def _serve(server: H2Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
    conn.initiate_connection()
    writer.write(conn.data_to_send())
    try:
        while data := await reader.read(65536):
            try:
                events = conn.receive_data(data)
            except h2.exceptions.ProtocolError:
                return  # not HTTP/2 (an HTTP/1.1 client): hang up
            for event in events:
                if isinstance(event, h2.events.RequestReceived):
                    headers = {str(k): str(v) for k, v in event.headers}
                    server.seen.append(headers)
                    extra, body = _answer(headers[":path"], headers)
                    conn.send_headers(
                        event.stream_id,
                        [
                            (":status", "200"),
                            ("content-type", "text/plain"),
                            ("content-length", str(len(body))),
                            *extra,
                        ],
                    )
                    conn.send_data(event.stream_id, body, end_stream=True)
            writer.write(conn.data_to_send())
            await writer.drain()
    finally:
        writer.close()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=h2.test",
         "-addext", "subjectAltName=DNS:h2.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
async def h2_server(certificate: tuple[Path, Path]) -> AsyncIterator[H2Server]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["h2"])
    holder: list[H2Server] = []
    server = await asyncio.start_server(lambda r, w: _serve(holder[0], r, w), "127.0.0.1", 0, ssl=context)
    holder.append(H2Server(server.sockets[0].getsockname()[1], cert))
    yield holder[0]
    server.close()
    await server.wait_closed()


def _fetcher(server: H2Server) -> HttpFetcher:
    settings = Settings(allow_hosts=[f"h2.test:{server.port}"], fetch_retries=0, fetch_timeout_s=5.0)
    client_context = ssl.create_default_context(cafile=str(server.ca_file))
    return HttpFetcher(settings, resolver=LoopbackResolver(), ssl_context=client_context)


async def test_the_fetcher_negotiates_http2_over_tls(h2_server: H2Server) -> None:
    fetcher = _fetcher(h2_server)
    await fetcher.start()
    try:
        first = await fetcher.get(f"https://h2.test:{h2_server.port}/hello")
        second = await fetcher.get(f"https://h2.test:{h2_server.port}/again")
    finally:
        await fetcher.stop()
    assert (first.status, second.status) == (200, 200)
    # HTTP/2 pseudo-headers arrived: the server parsed the requests as HTTP/2 frames.
    assert [(h[":method"], h[":path"], h[":authority"]) for h in h2_server.seen] == [
        ("GET", "/hello", f"h2.test:{h2_server.port}"),
        ("GET", "/again", f"h2.test:{h2_server.port}"),
    ]


async def test_cookies_follow_the_job_and_never_reach_another_job(h2_server: H2Server) -> None:
    base = f"https://h2.test:{h2_server.port}"
    job_a, job_b = _fetcher(h2_server), _fetcher(h2_server)
    await job_a.start()
    await job_b.start()
    try:
        await job_a.get(f"{base}/set")
        seen_by_a = (await job_a.get(f"{base}/echo")).text
        seen_by_b = (await job_b.get(f"{base}/echo")).text
    finally:
        await job_a.stop()
        await job_b.stop()
    assert seen_by_a == "cookie=session=job-secret"
    assert seen_by_b == "cookie="
    # The same fetcher object started again (a new job) starts with an empty jar too.
    await job_a.start()
    try:
        assert (await job_a.get(f"{base}/echo")).text == "cookie="
    finally:
        await job_a.stop()


async def test_with_http2_off_an_h2_only_server_cannot_be_talked_to(h2_server: H2Server) -> None:
    fetcher = _fetcher(h2_server)
    fetcher._http2 = False  # what HIGHPIPE_FETCH_HTTP2=false sets (read with a default in __init__)
    await fetcher.start()
    try:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(f"https://h2.test:{h2_server.port}/hello")
    finally:
        await fetcher.stop()
    assert caught.value.code == "unreachable"  # HTTP/1.1 bytes: the HTTP/2-only server hung up
    assert h2_server.seen == []
