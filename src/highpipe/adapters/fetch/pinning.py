"""DNS pinning for httpx: connections go only to IP addresses the SSRF guard has checked.

httpx hands httpcore the URL's host name, and httpcore's network backend would resolve it again when it
opens a socket. A hostile DNS server could answer the guard with a public address and the socket's own
lookup with 127.0.0.1 ("DNS rebinding"). To close that window, `PinnedTransport` gives httpcore a
`PinnedNetworkBackend` whose ``connect_tcp(host, port)`` never resolves by itself: it looks up the
addresses that `ssrf.check_target` returned for ``(host, port)`` moments before (the `PinStore`), and
connects to those IPs. If no pin is found (for instance after it expired), it runs the full guard itself
and connects to what the guard approved. TLS is unaffected: httpcore passes the URL's host name as SNI and
for certificate checks, and httpx sends it in the Host header; only the socket address is pinned.

Connections pooled by httpcore were opened to a checked address, so reusing them is safe. Unix sockets
are refused. Proxies from the environment are not used (the client is built with ``trust_env=False``).

The transport replaces httpx's private ``AsyncHTTPTransport._pool`` (httpx is pinned at 0.28.x in
pyproject.toml); a test opens a real loopback connection through it so an upgrade that breaks this fails.
"""

from __future__ import annotations

import ssl
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import httpcore
import httpx

from highpipe.adapters.fetch.ssrf import Resolver, Target, check_target

SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


class PinStore:
    """Recently checked ``(host, port) → addresses``, bounded in size and age."""

    def __init__(self, *, ttl_s: float = 60.0, max_entries: int = 1024) -> None:
        self._ttl_s = ttl_s
        self._max = max_entries
        self._pins: OrderedDict[tuple[str, int], tuple[float, tuple[str, ...]]] = OrderedDict()

    def put(self, target: Target) -> None:
        key = (target.host, target.port)
        self._pins[key] = (time.monotonic() + self._ttl_s, target.addresses)
        self._pins.move_to_end(key)
        while len(self._pins) > self._max:
            self._pins.popitem(last=False)

    def get(self, host: str, port: int) -> tuple[str, ...] | None:
        entry = self._pins.get((host.lower(), port))
        if entry is None:
            return None
        expires, addresses = entry
        if time.monotonic() > expires:
            del self._pins[(host.lower(), port)]
            return None
        return addresses


class PinnedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to guard-approved addresses."""

    def __init__(
        self,
        pins: PinStore,
        resolver: Resolver,
        allow_hosts: Sequence[str],
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._pins = pins
        self._resolver = resolver
        self._allow_hosts = list(allow_hosts)
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = self._pins.get(host, port)
        if addresses is None:
            # Raises FetchError (blocked_address / unreachable), which httpx passes through unchanged.
            shown = f"[{host}]" if ":" in host else host
            target = await check_target(f"http://{shown}:{port}/", self._resolver, self._allow_hosts)
            self._pins.put(target)
            addresses = target.addresses
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc  # try the next checked address, as getaddrinfo users do
        assert last_error is not None  # addresses is never empty
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed by the SSRF guard")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's normal transport, with its connection pool built on a `PinnedNetworkBackend`."""

    def __init__(
        self,
        backend: PinnedNetworkBackend,
        *,
        limits: httpx.Limits | None = None,
        http2: bool = False,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(trust_env=False, limits=limits, http2=http2)
        # HTTP/2 is offered through TLS ALPN; a server that does not take it gets HTTP/1.1.
        ssl_context = ssl_context or httpx.create_ssl_context(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            http1=True,
            http2=http2,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
