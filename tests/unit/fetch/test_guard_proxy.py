"""The browser's guard proxy, driven by a raw socket client the way Chromium drives it (no browser here).

Names resolve through `StubResolver`; the proxy's connector is a `LoopbackOnly` recorder that dials only
127.0.0.1 on the allow-listed port and records (never dials) anything else, which fails the test. A
tripwire listener on another loopback port proves a refused loopback target gets no connection at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from tests.fakes import LoopbackOnly

from highpipe.adapters.fetch.guard_proxy import GuardProxy, Listener


class StubResolver:
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(self, host: str, port: int) -> list[str]:
        if host not in self.table:
            raise OSError(f"stub NXDOMAIN for {host}")
        return list(self.table[host])


@dataclass
class Servers:
    port: int
    trip_port: int
    trip_hits: list[str]
    origin_requests: list[bytes]


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    hits: list[str] = []
    requests: list[bytes] = []

    async def origin(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        requests.append(head)
        body = b"hello from origin"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nKeep-Alive: timeout=5\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()

    async def tripwire(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append("connected")
        writer.close()

    a = await asyncio.start_server(origin, "127.0.0.1", 0)
    b = await asyncio.start_server(tripwire, "127.0.0.1", 0)
    yield Servers(a.sockets[0].getsockname()[1], b.sockets[0].getsockname()[1], hits, requests)
    for server in (a, b):
        server.close()
        await server.wait_closed()


@pytest.fixture
def proxy(servers: Servers) -> Iterator[tuple[GuardProxy, Listener, LoopbackOnly]]:
    resolver = StubResolver(
        {
            "shop.test": ["127.0.0.1"],
            "meta.test": ["169.254.169.254"],
            "ten.test": ["10.1.2.3"],
            "v6.test": ["::1"],
            "mixed.test": ["93.184.216.34", "127.0.0.1"],
        }
    )
    connector = LoopbackOnly(servers.port)
    guard = GuardProxy(
        resolver, [f"127.0.0.1:{servers.port}", f"shop.test:{servers.port}"], connect=connector
    )
    guard.start()
    listener = guard.open_listener()
    listener.open = True
    yield guard, listener, connector
    guard.close_listener(listener)
    guard.stop()
    assert connector.violations == [], "the proxy tried to connect to a non-allowed address"


async def _exchange(listener: Listener, head: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
    writer.write(head.encode())
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return data


async def test_allowed_plain_http_is_forwarded_in_origin_form_with_connection_close(
    proxy: tuple[GuardProxy, Listener, LoopbackOnly], servers: Servers
) -> None:
    _, listener, connector = proxy
    for host in (f"127.0.0.1:{servers.port}", f"shop.test:{servers.port}"):
        answer = await _exchange(
            listener,
            f"GET http://{host}/page?x=1 HTTP/1.1\r\nHost: {host}\r\nProxy-Connection: keep-alive\r\n\r\n",
        )
        assert answer.startswith(b"HTTP/1.1 200 OK")
        assert b"Connection: close" in answer and b"Keep-Alive" not in answer
        assert answer.endswith(b"hello from origin")
    sent = servers.origin_requests[-1].decode()
    assert sent.startswith("GET /page?x=1 HTTP/1.1\r\n") and "Proxy-Connection" not in sent
    assert "Connection: close" in sent
    assert connector.dials == [("127.0.0.1", servers.port)] * 2
    assert listener.refused == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://meta.test/latest/", "meta.test → 169.254.169.254"),
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://ten.test/", "ten.test → 10.1.2.3"),
        ("http://[::1]:8080/", "::1"),
        ("http://v6.test/", "v6.test → ::1"),
        ("http://[::ffff:169.254.169.254]/", "169.254.169.254"),
        ("http://mixed.test/", "mixed.test → 127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),
    ],
)
async def test_private_targets_are_refused_with_a_marked_403(
    proxy: tuple[GuardProxy, Listener, LoopbackOnly], url: str, shown: str
) -> None:
    _, listener, connector = proxy
    answer = await _exchange(listener, f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 403")
    assert b"X-HighPipe-Guard: blocked" in answer and b'name="highpipe-guard"' in answer
    assert [r.code for r in listener.refused] == ["blocked_address"]
    assert shown in listener.refused[0].reason
    assert connector.dials == []


async def test_loopback_on_a_port_not_allow_listed_never_gets_a_connection(
    proxy: tuple[GuardProxy, Listener, LoopbackOnly], servers: Servers
) -> None:
    _, listener, connector = proxy
    plain = await _exchange(listener, f"GET http://127.0.0.1:{servers.trip_port}/ HTTP/1.1\r\n\r\n")
    tunnel = await _exchange(listener, f"CONNECT 127.0.0.1:{servers.trip_port} HTTP/1.1\r\n\r\n")
    assert plain.startswith(b"HTTP/1.1 403") and tunnel.startswith(b"HTTP/1.1 403")
    await asyncio.sleep(0.05)
    assert servers.trip_hits == [] and connector.dials == []


@pytest.mark.parametrize("authority", ["169.254.169.254:443", "[::1]:443", "ten.test:443", "10.9.9.9:8443"])
async def test_connect_tunnels_to_private_targets_are_refused(
    proxy: tuple[GuardProxy, Listener, LoopbackOnly], authority: str
) -> None:
    _, listener, connector = proxy
    answer = await _exchange(listener, f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 403")
    assert listener.refused and listener.refused[0].code == "blocked_address"
    assert connector.dials == []


async def test_connect_to_an_allowed_target_tunnels_bytes(
    proxy: tuple[GuardProxy, Listener, LoopbackOnly], servers: Servers
) -> None:
    _, listener, _ = proxy
    reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
    writer.write(f"CONNECT 127.0.0.1:{servers.port} HTTP/1.1\r\n\r\n".encode())
    assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
    writer.write(b"GET /tunnelled HTTP/1.1\r\nHost: x\r\n\r\n")  # stands in for the TLS bytes
    assert (await asyncio.wait_for(reader.read(), 5)).endswith(b"hello from origin")
    writer.close()
    assert servers.origin_requests[-1].startswith(b"GET /tunnelled")


async def test_a_closed_listener_refuses_everything_without_logging_it(
    proxy: tuple[GuardProxy, Listener, LoopbackOnly], servers: Servers
) -> None:
    _, listener, connector = proxy
    listener.open = False  # between renders: the browser's background traffic must not leave
    answer = await _exchange(listener, f"GET http://127.0.0.1:{servers.port}/ HTTP/1.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 403") and b"X-HighPipe-Guard: idle" in answer
    assert (listener.idle_refused, listener.refused, connector.dials) == (1, [], [])


async def test_non_http_targets_are_rejected(proxy: tuple[GuardProxy, Listener, LoopbackOnly]) -> None:
    _, listener, connector = proxy
    answer = await _exchange(listener, "GET ftp://127.0.0.1/x HTTP/1.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400")
    assert connector.dials == []
