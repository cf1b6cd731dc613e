"""HttpFetcher behaviour over httpx.MockTransport: headers, retries, limits, blocking and concurrency."""

from __future__ import annotations

import asyncio
import gzip
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from highpipe.adapters.fetch import policy
from highpipe.adapters.fetch.http import ACCEPT_LANGUAGE, HttpFetcher
from highpipe.config import Settings
from highpipe.ports.fetch import FetchError


async def test_sends_identity_headers_and_returns_result(make_fetcher: Any) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, headers={"Content-Type": "text/html; charset=utf-8", "X-Shop": "1"}, text="<p>리뷰</p>"
        )

    fetcher = await make_fetcher(handler)
    result = await fetcher.get("https://shop.example/p?id=7", headers={"Referer": "https://shop.example/"})
    request = seen[0]
    assert request.headers["user-agent"] == "HighPipeTest/1.0"
    assert request.headers["accept-language"] == ACCEPT_LANGUAGE == "ko-KR,ko;q=0.9,en;q=0.8"
    assert request.headers["referer"] == "https://shop.example/"
    assert request.method == "GET"
    assert result.url == "https://shop.example/p?id=7"
    assert result.status == 200
    assert result.headers["x-shop"] == "1"
    assert result.text == "<p>리뷰</p>"


async def test_use_before_start_and_after_stop_raises() -> None:
    fetcher = HttpFetcher(Settings(), transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    with pytest.raises(RuntimeError, match="before start"):
        await fetcher.get("https://shop.example/")
    await fetcher.start()
    await fetcher.stop()
    with pytest.raises(RuntimeError):
        await fetcher.get("https://shop.example/")


def _check_backoff(delays: list[float]) -> None:
    for attempt, delay in enumerate(delays):
        step = policy.BACKOFF_BASE_S * 2**attempt
        assert step / 2 <= delay <= step, (attempt, delay)


async def test_5xx_is_retried_with_backoff_then_succeeds(make_fetcher: Any, fake_sleep: Any) -> None:
    statuses = iter([503, 502, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), text="body")

    fetcher = await make_fetcher(handler, fetch_retries=2)
    result = await fetcher.get("https://shop.example/")
    assert result.status == 200
    assert len(fake_sleep.delays) == 2
    _check_backoff(fake_sleep.delays)


async def test_5xx_exhausts_retries(make_fetcher: Any, fake_sleep: Any) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(500)

    fetcher = await make_fetcher(handler, fetch_retries=3)
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/")
    assert (info.value.code, info.value.status) == ("http_5xx", 500)
    assert "4 attempt(s)" in info.value.reason
    assert calls == 4
    assert len(fake_sleep.delays) == 3
    _check_backoff(fake_sleep.delays)


async def test_backoff_grows_and_is_capped() -> None:
    import random

    rng = random.Random(1)
    delays = [policy.backoff_delay(i, rng) for i in range(12)]
    assert all(policy.BACKOFF_CAP_S / 2 <= d <= policy.BACKOFF_CAP_S for d in delays[7:])
    assert delays[0] < delays[3] < delays[6]


async def test_429_honours_retry_after_with_a_cap(make_fetcher: Any, fake_sleep: Any) -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(429, headers={"Retry-After": "100000"}),
            httpx.Response(200, text="finally"),
        ]
    )
    fetcher = await make_fetcher(lambda request: next(answers), fetch_retries=2)
    result = await fetcher.get("https://shop.example/")
    assert result.text == "finally"
    assert fake_sleep.delays == [7.0, policy.RETRY_AFTER_CAP_S]


async def test_429_to_the_end_is_blocked_by_site(make_fetcher: Any, fake_sleep: Any) -> None:
    fetcher = await make_fetcher(lambda request: httpx.Response(429), fetch_retries=1)
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/")
    assert (info.value.code, info.value.status) == ("blocked_by_site", 429)
    assert info.value.reason == (
        "사이트가 요청을 차단했습니다 (HTTP 429) / The site blocked the request (HTTP 429)"
    )
    assert len(fake_sleep.delays) == 1


def test_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert policy.retry_after_s("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert policy.retry_after_s("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert policy.retry_after_s("soon", now) is None
    assert policy.retry_after_s(None) is None


@pytest.mark.parametrize(("status", "code"), [(403, "blocked_by_site"), (404, "http_4xx"), (410, "http_4xx")])
async def test_other_4xx_are_not_retried(make_fetcher: Any, fake_sleep: Any, status: int, code: str) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(status)

    fetcher = await make_fetcher(handler, fetch_retries=3)
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/gone")
    assert (info.value.code, info.value.status) == (code, status)
    assert f"HTTP {status}" in info.value.reason
    assert calls == 1 and fake_sleep.delays == []


async def test_timeouts_are_retried_then_reported(make_fetcher: Any, fake_sleep: Any) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("slow", request=request)

    fetcher = await make_fetcher(handler, fetch_retries=2)
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/")
    assert info.value.code == "timeout"
    assert info.value.reason.startswith("응답 시간이 초과되었습니다")
    assert calls == 3 and len(fake_sleep.delays) == 2


async def test_a_timeout_then_success(make_fetcher: Any, fake_sleep: Any) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectTimeout("slow connect", request=request)
        return httpx.Response(200, text="ok")

    fetcher = await make_fetcher(handler)
    assert (await fetcher.get("https://shop.example/")).text == "ok"
    assert len(fake_sleep.delays) == 1


async def test_overall_attempt_deadline(make_fetcher: Any) -> None:
    async def trickle() -> AsyncIterator[bytes]:
        while True:
            yield b"x"
            await asyncio.sleep(0.01)

    fetcher = await make_fetcher(
        lambda request: httpx.Response(200, content=trickle()), fetch_timeout_s=0.05, fetch_retries=0
    )
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/")
    assert info.value.code == "timeout"


async def test_connection_errors_are_unreachable(make_fetcher: Any, fake_sleep: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fetcher = await make_fetcher(handler, fetch_retries=1)
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/")
    assert info.value.code == "unreachable"
    assert "shop.example" in info.value.reason
    assert len(fake_sleep.delays) == 1


async def test_declared_content_length_over_the_cap(make_fetcher: Any) -> None:
    fetcher = await make_fetcher(
        lambda request: httpx.Response(200, content=b"x" * 5000), fetch_max_bytes=4096
    )
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/big")
    assert info.value.code == "too_large"
    assert "4,096" in info.value.reason


async def test_streamed_body_is_cut_off_at_the_cap(make_fetcher: Any) -> None:
    produced = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal produced
        for _ in range(10_000):
            produced += 1
            yield b"y" * 1024

    fetcher = await make_fetcher(lambda request: httpx.Response(200, content=endless()), fetch_max_bytes=8192)
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/stream")
    assert info.value.code == "too_large"
    assert produced <= 10  # stopped reading soon after passing 8 KB


async def test_body_exactly_at_the_cap_is_accepted(make_fetcher: Any) -> None:
    fetcher = await make_fetcher(
        lambda request: httpx.Response(200, content=b"z" * 4096), fetch_max_bytes=4096
    )
    assert len((await fetcher.get("https://shop.example/")).body) == 4096


async def test_decompressed_size_counts(make_fetcher: Any) -> None:
    bomb = gzip.compress(b"\0" * 1_000_000)
    assert len(bomb) < 4096

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)

    fetcher = await make_fetcher(handler, fetch_max_bytes=64 * 1024)
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/bomb")
    assert info.value.code == "too_large"


@pytest.mark.parametrize(
    "body",
    [
        b"<html><title>Robot Check</title>Enter the characters you see</html>",
        b"<html><body><h1>Are you a robot?</h1></body></html>",
        b"<html><div class='g-recaptcha'></div></html>",
        "<html><p>자동입력 방지를 위해 보안문자를 입력하세요</p></html>".encode("cp949"),
        "<html><p>자동입력방지 문자</p></html>".encode(),
    ],
)
async def test_bot_check_pages_are_blocked_by_site(make_fetcher: Any, body: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=body)

    fetcher = await make_fetcher(handler)
    with pytest.raises(FetchError) as info:
        await fetcher.get("https://shop.example/p")
    assert (info.value.code, info.value.status) == ("blocked_by_site", 200)
    assert "captcha" in info.value.reason


@pytest.mark.parametrize(
    ("ctype", "body"),
    [
        ("application/json", b'{"review": "no captcha here, great shoes"}'),
        ("text/html", b"<html>" + b"a" * policy.SNIFF_BYTES + b"captcha</html>"),
        ("text/html", "<html><p>배송이 빨라요</p></html>".encode()),
    ],
)
async def test_ordinary_pages_are_not_bot_checks(make_fetcher: Any, ctype: str, body: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": ctype}, content=body)

    fetcher = await make_fetcher(handler)
    assert (await fetcher.get("https://shop.example/p")).body == body


async def test_per_host_concurrency_limit(make_fetcher: Any) -> None:
    gate = asyncio.Event()
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] += 1
        peak[host] = max(peak[host], in_flight[host])
        try:
            await gate.wait()
        finally:
            in_flight[host] -= 1
        return httpx.Response(200, text=host)

    fetcher = await make_fetcher(handler, fetch_per_host_concurrency=2)
    tasks = [asyncio.create_task(fetcher.get(f"https://shop.example/{i}")) for i in range(6)]
    tasks += [asyncio.create_task(fetcher.get(f"https://cdn.example/{i}")) for i in range(3)]
    for _ in range(200):  # let every task run as far as it can
        await asyncio.sleep(0)
    assert in_flight == Counter({"shop.example": 2, "cdn.example": 2})
    gate.set()
    results = await asyncio.gather(*tasks)
    assert [r.text for r in results] == ["shop.example"] * 6 + ["cdn.example"] * 3
    assert peak == Counter({"shop.example": 2, "cdn.example": 2})
