"""HttpFetcher: the crawler's only door to the outside — async httpx GETs behind the SSRF guard.

What one ``get(url)`` does:

1. `ssrf.check_target` validates the URL (http/https, no credentials) and resolves its host; any
   non-public address → ``blocked_address`` unless the host is in ``HIGHPIPE_ALLOW_HOSTS``.
2. The checked addresses are pinned (`pinning`), so the socket opens to one of them and nothing else.
3. The request is sent with redirects off; up to 5 redirects are followed here, each hop checked again
   (a relative Location is resolved against the current URL; Authorization/Cookie headers given by the
   caller are dropped when a hop leaves the origin).
4. Timeouts, connection errors, 5xx and 429 are retried ``fetch_retries`` times with exponential
   back-off and jitter (Retry-After honoured up to 60 s); other 4xx are not retried.
5. The body is streamed and cut off at ``fetch_max_bytes`` (after decompression, and up front when
   Content-Length already says too much) → ``too_large``.
6. Outcomes: 2xx → `FetchResult`, except an HTML bot-check/captcha page → ``blocked_by_site``; 403 and
   429 → ``blocked_by_site``; other 4xx → ``http_4xx``; 5xx → ``http_5xx``; timeouts → ``timeout``;
   DNS/connection failures → ``unreachable``.

Sessions: HTTP/2 is offered over TLS (ALPN; ``fetch_http2``, default on) with HTTP/1.1 as the fallback.
Each `start()` begins with an empty cookie jar, and the crawl service builds one fetcher per job, so a
site's cookies follow the job's own requests (the jar applies domain/path rules) and never another job's.

Limits: at most ``fetch_per_host_concurrency`` requests in flight per host (a semaphore per host name,
held for one attempt, not during back-off); httpx's timeout (``fetch_timeout_s``) bounds each connect
and read, and a whole attempt is bounded by 4 × that, so a server trickling bytes cannot hold a worker.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from highpipe.adapters.fetch import policy
from highpipe.adapters.fetch.pinning import PinnedNetworkBackend, PinnedTransport, PinStore
from highpipe.adapters.fetch.ssrf import Resolver, SystemResolver, Target, check_target, unreachable
from highpipe.config import Settings
from highpipe.ports.fetch import Fetcher, FetchError, FetchResult

ACCEPT_LANGUAGE = "ko-KR,ko;q=0.9,en;q=0.8"
ACCEPT = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_ERRORS = frozenset({"timeout", "unreachable"})
ATTEMPT_DEADLINE_FACTOR = 4.0
# Headers a caller may add for one site that must not follow a redirect to another.
CROSS_ORIGIN_DROP = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(slots=True)
class _Answer:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


class HttpFetcher(Fetcher):
    """`Fetcher` over httpx. Pass `resolver`, `transport` and `sleep` in tests; production needs none.

    An injected `transport` replaces the pinned one (the URL guard still runs before every hop, but
    the socket-level pinning is then the transport's business). `ssl_context` replaces the default
    certificate checks (tests trust a self-signed loopback server with it).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._settings = settings
        self._ssl_context = ssl_context
        self._http2 = bool(getattr(settings, "fetch_http2", True))
        self._resolver: Resolver = resolver or SystemResolver()
        self._transport = transport
        self._sleep = sleep or asyncio.sleep
        self._allow_hosts = list(settings.allow_hosts)
        self._pins = PinStore()
        self._rng = random.Random()
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        if self._client is not None:
            return
        transport = self._transport or PinnedTransport(
            PinnedNetworkBackend(self._pins, self._resolver, self._allow_hosts),
            http2=self._http2,
            ssl_context=self._ssl_context,
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            http2=self._http2,
            cookies=httpx.Cookies(),  # a fresh jar per start(): one job's cookies never reach another
            follow_redirects=False,
            trust_env=False,  # no proxies from the environment: they would bypass the pinning
            timeout=httpx.Timeout(self._settings.fetch_timeout_s),
            headers={
                "User-Agent": self._settings.user_agent,
                "Accept-Language": ACCEPT_LANGUAGE,
                "Accept": ACCEPT,
            },
        )

    async def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        client = self._require_client()
        extra = dict(headers or {})
        current: str | httpx.URL = url
        for _hop in range(MAX_REDIRECTS + 1):
            target = await self._check(current)
            answer = await self._with_retries(client, target, extra)
            location = answer.headers.get("location")
            if answer.status in REDIRECT_STATUSES and location:
                try:
                    following = target.url.join(location)
                except httpx.InvalidURL as exc:
                    raise FetchError(
                        f"잘못된 리디렉션 주소입니다 / The site redirected to an invalid URL ({exc})",
                        code="invalid_url",
                    ) from None
                if following.netloc != target.url.netloc or following.scheme != target.url.scheme:
                    extra = {k: v for k, v in extra.items() if k.lower() not in CROSS_ORIGIN_DROP}
                current = following
                continue
            return self._result(answer)
        raise policy.too_many_redirects_error(MAX_REDIRECTS, str(current))

    def _require_client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("HttpFetcher used before start() (or after stop())")
        return self._client

    async def _check(self, url: str | httpx.URL) -> Target:
        try:
            async with asyncio.timeout(self._settings.fetch_timeout_s):
                return await check_target(url, self._resolver, self._allow_hosts)
        except TimeoutError:
            host = url.host if isinstance(url, httpx.URL) else url
            raise policy.timeout_error(host, self._settings.fetch_timeout_s) from None

    async def _with_retries(
        self, client: httpx.AsyncClient, target: Target, headers: dict[str, str]
    ) -> _Answer:
        attempts = self._settings.fetch_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                answer = await self._attempt(client, target, headers)
            except FetchError as exc:
                if last or exc.code not in RETRYABLE_ERRORS:
                    raise
                await self._sleep(policy.backoff_delay(attempt, self._rng))
                continue
            if last or not (answer.status == 429 or answer.status >= 500):
                return answer
            delay = policy.backoff_delay(attempt, self._rng)
            asked = policy.retry_after_s(answer.headers.get("retry-after"))
            await self._sleep(max(delay, asked or 0.0))
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def _slot(self, host: str) -> asyncio.Semaphore:
        slot = self._host_slots.get(host)
        if slot is None:
            slot = asyncio.Semaphore(self._settings.fetch_per_host_concurrency)
            self._host_slots[host] = slot
        return slot

    async def _attempt(self, client: httpx.AsyncClient, target: Target, headers: dict[str, str]) -> _Answer:
        timeout_s = self._settings.fetch_timeout_s
        async with self._slot(target.host):
            self._pins.put(target)  # refreshed right before the connection may be opened
            try:
                async with asyncio.timeout(timeout_s * ATTEMPT_DEADLINE_FACTOR):
                    request = client.build_request("GET", target.url, headers=headers)
                    response = await client.send(request, stream=True)
                    try:
                        return await self._read(response, target)
                    finally:
                        await response.aclose()
            except (httpx.TimeoutException, TimeoutError):
                raise policy.timeout_error(target.host, timeout_s) from None
            except httpx.HTTPError as exc:  # connect/network/protocol/decoding errors
                raise unreachable(target.host, f"{type(exc).__name__}: {exc}") from None

    async def _read(self, response: httpx.Response, target: Target) -> _Answer:
        headers = {k.lower(): v for k, v in response.headers.items()}
        answer = _Answer(url=str(target.url), status=response.status_code, headers=headers, body=b"")
        if response.status_code in REDIRECT_STATUSES and "location" in headers:
            return answer  # the body of a redirect is never needed
        limit = self._settings.fetch_max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise policy.too_large_error(limit)
        body = bytearray()
        # aiter_bytes yields decompressed bytes, so a small gzip bomb is stopped by the same cap.
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise policy.too_large_error(limit)
        answer.body = bytes(body)
        return answer

    def _result(self, answer: _Answer) -> FetchResult:
        status = answer.status
        if status in (403, 429):
            raise policy.blocked_by_site_error(status)
        if status >= 400:
            attempts = self._settings.fetch_retries + 1 if status >= 500 else 1
            raise policy.http_error(status, answer.url, attempts)
        if 200 <= status < 300 and policy.looks_like_bot_check(
            answer.headers.get("content-type", ""), answer.body
        ):
            raise policy.bot_check_error(status)
        return FetchResult(url=answer.url, status=status, headers=answer.headers, body=answer.body)
