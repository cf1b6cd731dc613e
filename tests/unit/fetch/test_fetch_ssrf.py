"""SSRF guard tests: blocked addresses, invalid URLs, redirects and the allow-list.

Every blocked case goes through HttpFetcher.get with a transport that fails the test if reached.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from highpipe.adapters.fetch.ssrf import (
    SystemResolver,
    check_target,
    check_url,
    is_allow_listed,
    is_public_address,
    parse_legacy_ipv4,
)
from highpipe.ports.fetch import FetchError

BLOCKED_URLS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8000/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::1]:9200/_cat",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[ff02::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",  # IPv4-mapped 169.254.169.254
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://127.0.0.1./",
    "http://012.0.0.1/",  # octal 10.0.0.1
    "http://2852039166/",  # decimal 169.254.169.254
    "https://evil.example/",  # resolver says 10.0.0.5
    "http://meta.example/latest/",  # resolver says 169.254.169.254
    "http://mixed.example/",  # one public and one loopback answer
    "http://v6loop.example/",  # resolver says ::1
    "http://mapped.example/",  # resolver says ::ffff:192.168.0.10
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
async def test_blocked_addresses_never_reach_the_transport(
    url: str, make_fetcher: Any, must_not_reach: Any
) -> None:
    fetcher = await make_fetcher(must_not_reach)
    with pytest.raises(FetchError) as info:
        await fetcher.get(url)
    assert info.value.code == "blocked_address"
    assert info.value.reason.startswith("내부 네트워크 주소는 가져올 수 없습니다 / Refusing to fetch")
    assert "HIGHPIPE_ALLOW_HOSTS" in info.value.reason


async def test_blocked_message_names_host_and_address(make_fetcher: Any, must_not_reach: Any) -> None:
    fetcher = await make_fetcher(must_not_reach)
    with pytest.raises(FetchError) as info:
        await fetcher.get("http://evil.example/x")
    assert "evil.example → 10.0.0.5" in str(info.value)
    with pytest.raises(FetchError) as info:
        await fetcher.get("http://0x7f.1/")
    assert "127.0.0.1" in str(info.value)


INVALID_URLS = [
    "file:///etc/passwd",
    "gopher://shop.example/_x",
    "ftp://shop.example/pub",
    "javascript:alert(1)",
    "http://user:pass@shop.example/",
    "http://user@shop.example/",
    "http:///no-host",
    "shop.example/no-scheme",
    "http://%31%32%37.0.0.1/",
    "http://shop example/",
    "http://999.1.1.1/",
]


@pytest.mark.parametrize("url", INVALID_URLS)
async def test_invalid_urls_are_refused(url: str, make_fetcher: Any, must_not_reach: Any) -> None:
    fetcher = await make_fetcher(must_not_reach)
    with pytest.raises(FetchError) as info:
        await fetcher.get(url)
    assert info.value.code == "invalid_url"
    ko, _, en = info.value.reason.partition(" / ")
    assert ko and en, "message must be Korean / English"


async def test_scheme_and_credential_messages_are_clear(make_fetcher: Any, must_not_reach: Any) -> None:
    fetcher = await make_fetcher(must_not_reach)
    with pytest.raises(FetchError, match="Only http and https URLs") as info:
        await fetcher.get("file:///etc/passwd")
    assert "file" in info.value.reason
    with pytest.raises(FetchError, match=r"credentials \(user:password@\)"):
        await fetcher.get("https://admin:secret@shop.example/")


async def test_unknown_host_is_unreachable(make_fetcher: Any, must_not_reach: Any) -> None:
    fetcher = await make_fetcher(must_not_reach)
    with pytest.raises(FetchError) as info:
        await fetcher.get("http://no-such-host.example/")
    assert info.value.code == "unreachable"


async def test_public_host_is_fetched_and_resolved_once(make_fetcher: Any, resolver: Any) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, text="ok")

    fetcher = await make_fetcher(handler)
    result = await fetcher.get("https://shop.example/p/1")
    assert result.status == 200 and seen == ["https://shop.example/p/1"]
    assert resolver.calls == [("shop.example", 443)]


async def test_redirect_to_private_name_is_blocked(make_fetcher: Any) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host != "shop.example":
            pytest.fail(f"redirect target reached the transport: {request.url}")
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://evil.example/admin"})

    fetcher = await make_fetcher(handler)
    with pytest.raises(FetchError) as info:
        await fetcher.get("http://shop.example/start")
    assert info.value.code == "blocked_address"
    assert seen == ["http://shop.example/start"]


@pytest.mark.parametrize(
    "location", ["http://127.0.0.1:6379/", "http://[::1]/", "http://0x7f.1/", "file:///etc/passwd"]
)
async def test_redirect_to_internal_literal_is_refused(make_fetcher: Any, location: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host != "shop.example":
            pytest.fail(f"redirect target reached the transport: {request.url}")
        return httpx.Response(301, headers={"Location": location})

    fetcher = await make_fetcher(handler)
    with pytest.raises(FetchError) as info:
        await fetcher.get("http://shop.example/")
    assert info.value.code in {"blocked_address", "invalid_url"}
    assert info.value.code == ("invalid_url" if location.startswith("file:") else "blocked_address")


async def test_relative_redirects_are_followed_and_rechecked(make_fetcher: Any, resolver: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/a":
            return httpx.Response(302, headers={"Location": "b?x=1"})
        if path == "/b":
            return httpx.Response(307, headers={"Location": "https://cdn.example/c"})
        return httpx.Response(200, text=f"final {request.url}")

    fetcher = await make_fetcher(handler)
    result = await fetcher.get("http://shop.example/a")
    assert result.url == "https://cdn.example/c"
    assert result.text == "final https://cdn.example/c"
    assert resolver.calls == [("shop.example", 80), ("shop.example", 80), ("cdn.example", 443)]


async def test_too_many_redirects(make_fetcher: Any) -> None:
    count = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal count
        count += 1
        return httpx.Response(302, headers={"Location": f"/hop{count}"})

    fetcher = await make_fetcher(handler)
    with pytest.raises(FetchError, match="Too many redirects") as info:
        await fetcher.get("http://shop.example/")
    assert info.value.code == "unreachable"
    assert count == 6  # the first request and 5 followed redirects


async def test_cross_origin_redirect_drops_credentials(make_fetcher: Any) -> None:
    seen: dict[str, httpx.Headers] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.headers
        if request.url.host == "shop.example":
            return httpx.Response(302, headers={"Location": "https://cdn.example/img"})
        return httpx.Response(200)

    fetcher = await make_fetcher(handler)
    await fetcher.get("https://shop.example/", headers={"Cookie": "s=1", "X-Trace": "t"})
    assert seen["shop.example"]["cookie"] == "s=1"
    assert "cookie" not in seen["cdn.example"]
    assert seen["cdn.example"]["x-trace"] == "t"


async def test_allow_listed_hosts_skip_the_guard(make_fetcher: Any, resolver: Any) -> None:
    hits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url))
        return httpx.Response(200, text="internal ok")

    fetcher = await make_fetcher(handler, allow_hosts=["127.0.0.1", "internal.example:8443"])
    assert (await fetcher.get("http://127.0.0.1:8080/x")).text == "internal ok"
    assert (await fetcher.get("https://internal.example:8443/y")).status == 200
    with pytest.raises(FetchError) as info:  # same host, another port: not allow-listed
        await fetcher.get("https://internal.example/y")
    assert info.value.code == "blocked_address"
    assert hits == ["http://127.0.0.1:8080/x", "https://internal.example:8443/y"]
    assert ("internal.example", 8443) in resolver.calls  # still resolved through the resolver


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("0x7F.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_parse_legacy_ipv4(text: str, expected: str) -> None:
    assert parse_legacy_ipv4(text) == ipaddress.IPv4Address(expected)


@pytest.mark.parametrize(
    "text", ["shop.example", "1.2.3.4.5", "256.1.1.1", "4294967296", "08.1.1.1", "1.2.x"]
)
def test_parse_legacy_ipv4_rejects_names_and_overflow(text: str) -> None:
    assert parse_legacy_ipv4(text) is None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("::ffff:93.184.216.34", True),
        ("100.64.0.1", False),
        ("100.127.255.255", False),
        ("198.18.0.1", False),
        ("192.0.2.1", False),
        ("169.254.169.254", False),
        ("::ffff:10.0.0.1", False),
        ("fe80::1%eth0", False),
        ("2001:db8::1", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_allow_list_matching() -> None:
    allow = ["Shop.Internal", "api.internal:8443", "[::1]:8000"]
    assert is_allow_listed("shop.internal", 80, allow)
    assert is_allow_listed("shop.internal.", 443, allow)
    assert is_allow_listed("api.internal", 8443, allow)
    assert not is_allow_listed("api.internal", 443, allow)
    assert is_allow_listed("::1", 8000, allow)
    assert not is_allow_listed("::1", 8001, allow)
    assert not is_allow_listed("evil.shop.internal", 80, allow)


async def test_check_url_and_target(resolver: Any) -> None:
    await check_url("https://shop.example/x", resolver, [])
    target = await check_target("http://mixed.example:8080/", resolver, ["mixed.example"])
    assert target.allow_listed and target.port == 8080
    assert target.addresses == ("93.184.216.34", "127.0.0.1")
    with pytest.raises(FetchError):
        await check_url("http://mixed.example/", resolver, [])


async def test_system_resolver_handles_literals_without_network() -> None:
    assert await SystemResolver().resolve("127.0.0.1", 80) == ["127.0.0.1"]
