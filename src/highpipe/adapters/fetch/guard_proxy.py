"""GuardProxy: the browser's only way out — a loopback forward proxy that applies the SSRF guard.

Chromium is started with ``--proxy-server=http://127.0.0.1:<port>`` and ``--proxy-bypass-list=<-loopback>``
(so even loopback URLs go through here) and ``--host-resolver-rules`` that make its own DNS fail. Every
request the page makes — the navigation, each redirect hop (the browser follows redirects itself, each
hop is a new proxy request), images, scripts, fetch/XHR, iframes, WebSockets — arrives here as either

- ``CONNECT host:port`` (https, wss): the target ``https://host:port/`` is checked, then bytes are
  tunnelled to one of the checked addresses; or
- ``METHOD http://host:port/path HTTP/1.1`` (plain http): the URL is checked, the request is sent in
  origin form to a checked address with ``Connection: close``, and the response is relayed with
  ``Connection: close`` as well, so one client connection never carries a request for another host.

The check is `ssrf.check_target` (private, loopback, link-local, metadata, CGNAT… addresses refused
unless allow-listed) and the socket opens to the addresses it returned — DNS pinning, as for httpx: the
browser never resolves a name itself, so a rebinding DNS answer cannot slip in between check and connect.
A refused request gets ``403`` with the ``X-HighPipe-Guard: blocked`` header and an HTML page carrying
``<meta name="highpipe-guard" content="blocked_address">``; each refusal is logged on its `Listener`.

Threading: the proxy runs its own asyncio loop in a daemon thread, so it serves the browser while the
caller's loop (or thread) is blocked in a Selenium call, and it outlives any one event loop (pytest's).
Each driver gets its own `Listener` (port), so refusals and traffic are attributed to one browser.

Limits: request heads up to 64 KiB; upstream connect bounded by ``connect_timeout_s``; idle tunnels are
closed after ``idle_timeout_s``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from highpipe.adapters.fetch.ssrf import Resolver, check_target
from highpipe.ports.fetch import FetchError

log = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024
GUARD_HEADER = "X-HighPipe-Guard"
BLOCK_MARKER = '<meta name="highpipe-guard" content="blocked_address">'
HOP_BY_HOP = frozenset(
    {"connection", "proxy-connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "te",
     "trailer", "upgrade"}
)  # fmt: skip

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]
Connector = Callable[[str, int, float], Awaitable[Streams]]


async def open_tcp(address: str, port: int, timeout_s: float) -> Streams:
    """The default connector: a TCP connection to an already-checked IP address."""
    async with asyncio.timeout(timeout_s):
        return await asyncio.open_connection(address, port)


@dataclass(frozen=True, slots=True)
class Refusal:
    url: str
    code: str
    reason: str


@dataclass(slots=True)
class Listener:
    """One driver's proxy port, with what it refused and how many requests it passed.

    Requests pass only while `open` (the fetcher opens it for the duration of one page render), so
    the browser's own background traffic (update checks, search-engine preconnects) and a page's late
    timers never leave; those refusals are only counted (`idle_refused`).
    """

    port: int = 0
    refused: list[Refusal] = field(default_factory=list)
    passed: int = 0
    open: bool = False
    idle_refused: int = 0
    origins: set[str] = field(default_factory=set)  # every origin reached (its storage is cleared later)
    _server: asyncio.Server | None = None
    _clients: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def refusals_since(self, mark: int) -> list[Refusal]:
        return self.refused[mark:]


class GuardProxy:
    """Owns the proxy thread and loop; `open_listener()` gives each browser its own port."""

    def __init__(
        self,
        resolver: Resolver,
        allow_hosts: Sequence[str],
        *,
        connect: Connector | None = None,
        connect_timeout_s: float = 15.0,
        idle_timeout_s: float = 120.0,
    ) -> None:
        self._resolver = resolver
        self._allow_hosts = list(allow_hosts)
        self._connect = connect or open_tcp
        self._connect_timeout_s = connect_timeout_s
        self._idle_timeout_s = idle_timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._loop is not None:
            return
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="highpipe-guard-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        self._loop = loop

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None:
            return

        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(10)

    def open_listener(self) -> Listener:
        """A new listening port on 127.0.0.1 (blocking call; safe from any thread but the proxy's)."""
        listener = Listener()

        async def open_it() -> None:
            server = await asyncio.start_server(
                lambda r, w: self._serve(listener, r, w), "127.0.0.1", 0, limit=MAX_HEAD
            )
            listener._server = server
            listener.port = int(server.sockets[0].getsockname()[1])

        asyncio.run_coroutine_threadsafe(open_it(), self._require_loop()).result(10)
        return listener

    def close_listener(self, listener: Listener) -> None:
        server, listener._server = listener._server, None
        if server is None or self._loop is None:
            return

        async def close_it() -> None:
            server.close()
            for client in list(listener._clients):  # open tunnels would keep wait_closed() waiting
                client.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close_it(), self._loop).result(10)

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("GuardProxy used before start()")
        return self._loop

    # ---- one client connection ------------------------------------------------------------------

    async def _serve(
        self, listener: Listener, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        listener._clients.add(writer)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self._idle_timeout_s)
            request_line, _, rest = head.decode("latin-1").partition("\r\n")
            method, target, version = [*request_line.split(" ", 2), "", ""][:3]
            if method == "CONNECT":
                await self._tunnel(listener, target, reader, writer)
            else:
                await self._forward(listener, method, target, version, rest, reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, TimeoutError):
            pass
        except Exception:  # one broken exchange must never take the proxy down
            log.exception("guard proxy: unexpected error")
        finally:
            listener._clients.discard(writer)
            writer.close()

    async def _upstream(self, listener: Listener, url: str, writer: asyncio.StreamWriter) -> Streams | None:
        """Check `url`, connect to a checked address; on refusal answer 403 and return None."""
        if not listener.open:
            listener.idle_refused += 1
            await _answer(writer, 403, "Forbidden", "the browser is idle", extra=f"{GUARD_HEADER}: idle\r\n")
            return None
        try:
            target = await check_target(url, self._resolver, self._allow_hosts)
        except FetchError as exc:
            listener.refused.append(Refusal(url, exc.code, exc.reason))
            log.info("browser request refused: %s (%s)", url, exc.code)
            await _refuse(writer, exc)
            return None
        last: Exception | None = None
        for address in target.addresses:
            try:
                streams = await self._connect(address, target.port, self._connect_timeout_s)
            except (OSError, TimeoutError) as exc:
                last = exc
                continue
            listener.passed += 1
            listener.origins.add(_origin(target.url.scheme, target.host, target.port))
            return streams
        await _answer(writer, 502, "Bad Gateway", f"upstream unreachable: {last}")
        return None

    async def _tunnel(
        self, listener: Listener, authority: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        upstream = await self._upstream(listener, f"https://{authority}/", writer)
        if upstream is None:
            return
        writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        await writer.drain()
        await self._pipe_both(reader, writer, *upstream)

    async def _forward(
        self,
        listener: Listener,
        method: str,
        url: str,
        version: str,
        header_text: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.netloc:
            await _answer(writer, 400, "Bad Request", "absolute http:// URL expected")
            return
        upstream = await self._upstream(listener, url, writer)
        if upstream is None:
            return
        up_reader, up_writer = upstream
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [
            h for h in header_text.split("\r\n") if h and h.split(":", 1)[0].strip().lower() not in HOP_BY_HOP
        ]
        head = f"{method} {path} {version or 'HTTP/1.1'}\r\n" + "".join(f"{h}\r\n" for h in headers)
        up_writer.write((head + "Connection: close\r\n\r\n").encode("latin-1"))
        await up_writer.drain()
        try:
            response_head = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), self._idle_timeout_s)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            up_writer.close()
            await _answer(writer, 502, "Bad Gateway", "upstream sent no valid response head")
            return
        status_line, _, fields = response_head.decode("latin-1").partition("\r\n")
        kept = [f for f in fields.split("\r\n") if f and f.split(":", 1)[0].strip().lower() not in HOP_BY_HOP]
        writer.write((status_line + "\r\n" + "".join(f"{f}\r\n" for f in kept) + "Connection: close\r\n"
                      "Proxy-Connection: close\r\n\r\n").encode("latin-1"))  # fmt: skip
        await self._pipe_both(reader, writer, up_reader, up_writer)

    async def _pipe_both(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        down = asyncio.create_task(self._pipe(up_reader, writer))
        up = asyncio.create_task(self._pipe(reader, up_writer))
        try:
            # The exchange is over when the server side is done (it closes: Connection: close).
            await asyncio.wait({down, up}, return_when=asyncio.FIRST_COMPLETED)
            if not down.done():
                await asyncio.wait({down}, timeout=self._idle_timeout_s)
        finally:
            for task in (down, up):
                task.cancel()
            await asyncio.gather(down, up, return_exceptions=True)
            up_writer.close()

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while True:
            chunk = await asyncio.wait_for(source.read(65536), self._idle_timeout_s)
            if not chunk:
                break
            sink.write(chunk)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()


async def _refuse(writer: asyncio.StreamWriter, exc: FetchError) -> None:
    body = (
        f'<!doctype html><html><head><meta charset="utf-8">{BLOCK_MARKER}<title>blocked</title></head>'
        f"<body><p>{_escape(exc.reason)}</p></body></html>"
    )
    await _answer(writer, 403, "Forbidden", body, extra=f"{GUARD_HEADER}: blocked\r\n", ctype="text/html")


async def _answer(
    writer: asyncio.StreamWriter,
    status: int,
    phrase: str,
    body: str,
    *,
    extra: str = "",
    ctype: str = "text/plain",
) -> None:
    data = body.encode("utf-8")
    writer.write(
        (
            f"HTTP/1.1 {status} {phrase}\r\nContent-Type: {ctype}; charset=utf-8\r\n"
            f"Content-Length: {len(data)}\r\nCache-Control: no-store\r\n{extra}"
            "Connection: close\r\nProxy-Connection: close\r\n\r\n"
        ).encode("latin-1")
        + data
    )
    await writer.drain()


def _origin(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    default = (scheme, port) in (("http", 80), ("https", 443))
    return f"{scheme}://{shown}" if default else f"{scheme}://{shown}:{port}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
