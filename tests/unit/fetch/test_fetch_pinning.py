"""DNS pinning: the socket goes to the address the guard checked, never to a fresh DNS answer.

The backend tests use a recording fake network backend (no sockets at all). The end-to-end tests run a
tiny HTTP server on 127.0.0.1 and reach it through the real (pinned) transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpcore
import httpx
import pytest

from highpipe.adapters.fetch.http import HttpFetcher
from highpipe.adapters.fetch.pinning import PinnedNetworkBackend, PinStore, SocketOption
from highpipe.adapters.fetch.ssrf import Target, check_target
from highpipe.config import Settings
from highpipe.ports.fetch import FetchError


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records where connections were asked to go; refuses the addresses in `refuse`."""

    def __init__(self, refuse: Iterable[str] = ()) -> None:
        self.connects: list[tuple[str, int]] = []
        self.refuse = set(refuse)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        if host in self.refuse:
            raise httpcore.ConnectError(f"refused {host}")
        return httpcore.AsyncMockStream([])


class RebindingResolver:
    """Answers a public address first and loopback afterwards, like a DNS-rebinding attacker."""

    def __init__(self) -> None:
        self.answers = [["93.184.216.34"], ["127.0.0.1"]]
        self.calls = 0

    async def resolve(self, host: str, port: int) -> list[str]:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return answer


async def test_connect_uses_the_checked_address_not_a_new_lookup() -> None:
    resolver = RebindingResolver()
    pins = PinStore()
    inner = RecordingBackend()
    backend = PinnedNetworkBackend(pins, resolver, [], inner=inner)
    pins.put(await check_target("https://rebind.example/", resolver, []))
    await backend.connect_tcp("rebind.example", 443)
    assert inner.connects == [("93.184.216.34", 443)]
    assert resolver.calls == 1  # the backend did not ask DNS again


async def test_without_a_pin_the_backend_checks_by_itself(resolver: Any) -> None:
    inner = RecordingBackend()
    backend = PinnedNetworkBackend(PinStore(), resolver, [], inner=inner)
    with pytest.raises(FetchError) as info:
        await backend.connect_tcp("evil.example", 80)
    assert info.value.code == "blocked_address"
    assert inner.connects == []
    await backend.connect_tcp("shop.example", 80)
    assert inner.connects == [("93.184.216.34", 80)]


async def test_an_expired_pin_is_checked_again() -> None:
    resolver = RebindingResolver()
    pins = PinStore(ttl_s=-1.0)  # every pin is already stale
    inner = RecordingBackend()
    backend = PinnedNetworkBackend(pins, resolver, [], inner=inner)
    pins.put(await check_target("http://rebind.example/", resolver, []))
    with pytest.raises(FetchError) as info:
        await backend.connect_tcp("rebind.example", 80)
    assert info.value.code == "blocked_address"
    assert inner.connects == []


async def test_next_checked_address_is_tried_when_one_refuses(resolver: Any) -> None:
    resolver.table["two.example"] = ["93.184.216.34", "93.184.216.35"]
    inner = RecordingBackend(refuse={"93.184.216.34"})
    backend = PinnedNetworkBackend(PinStore(), resolver, [], inner=inner)
    await backend.connect_tcp("two.example", 443)
    assert inner.connects == [("93.184.216.34", 443), ("93.184.216.35", 443)]
    inner.refuse.add("93.184.216.35")
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("two.example", 443)


async def test_unix_sockets_are_refused(resolver: Any) -> None:
    backend = PinnedNetworkBackend(PinStore(), resolver, [], inner=RecordingBackend())
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_unix_socket("/var/run/docker.sock")


def test_pin_store_is_bounded() -> None:
    pins = PinStore(max_entries=2)
    for i in range(3):
        url = httpx.URL(f"http://h{i}.example/")
        pins.put(Target(url=url, host=url.host, port=80, addresses=("93.184.216.34",), allow_listed=False))
    assert pins.get("h0.example", 80) is None
    assert pins.get("H2.example", 80) == ("93.184.216.34",)


class LoopbackServer:
    """A minimal HTTP/1.1 server on 127.0.0.1 that records request heads and serves canned answers."""

    def __init__(self) -> None:
        self.heads: list[str] = []
        self.connections = 0
        self.routes: dict[str, bytes] = {}
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                self.heads.append(head)
                path = head.split(" ", 2)[1]
                writer.write(self.routes.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    srv = LoopbackServer()
    await srv.start()
    yield srv
    await srv.stop()


def _ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


async def test_real_socket_through_the_pinned_transport(server: LoopbackServer, resolver: Any) -> None:
    resolver.table["shop.test"] = ["127.0.0.1"]
    server.routes["/p"] = _ok(b"hello from loopback")
    fetcher = HttpFetcher(
        Settings(allow_hosts=["shop.test"], user_agent="HighPipeTest/1.0", fetch_timeout_s=5),
        resolver=resolver,
    )
    await fetcher.start()
    try:
        first = await fetcher.get(f"http://shop.test:{server.port}/p")
        second = await fetcher.get(f"http://shop.test:{server.port}/p")
    finally:
        await fetcher.stop()
    assert first.text == second.text == "hello from loopback"
    assert f"host: shop.test:{server.port}" in server.heads[0].lower()  # name kept, IP pinned
    assert "user-agent: highpipetest/1.0" in server.heads[0].lower()
    assert server.connections == 1  # the pooled, already-checked connection was reused


async def test_real_transport_blocks_loopback_without_allow_list(
    server: LoopbackServer, resolver: Any
) -> None:
    server.routes["/"] = _ok(b"secret")
    fetcher = HttpFetcher(Settings(fetch_timeout_s=5), resolver=resolver)
    await fetcher.start()
    try:
        with pytest.raises(FetchError) as info:
            await fetcher.get(f"http://127.0.0.1:{server.port}/")
    finally:
        await fetcher.stop()
    assert info.value.code == "blocked_address"
    assert server.connections == 0


async def test_real_redirect_to_a_non_allowed_loopback_port_is_blocked(
    server: LoopbackServer, resolver: Any
) -> None:
    resolver.table["shop.test"] = ["127.0.0.1"]
    target = f"http://127.0.0.1:{server.port}/admin"
    server.routes["/start"] = (
        b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % target.encode()
    )
    server.routes["/admin"] = _ok(b"admin panel")
    fetcher = HttpFetcher(
        Settings(allow_hosts=[f"shop.test:{server.port}"], fetch_timeout_s=5), resolver=resolver
    )
    await fetcher.start()
    try:
        with pytest.raises(FetchError) as info:
            await fetcher.get(f"http://shop.test:{server.port}/start")
    finally:
        await fetcher.stop()
    assert info.value.code == "blocked_address"
    assert [h.split(" ", 2)[1] for h in server.heads] == ["/start"]
