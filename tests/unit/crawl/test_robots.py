"""robots.txt: RFC 9309 matching, and RobotsFetcher in front of fake, real (mock-transport) and demo-shop
fetchers. Nothing here leaves the process: names resolve through a stub, transports are mocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from highpipe.adapters.fetch.http import HttpFetcher
from highpipe.config import Settings
from highpipe.crawl.base import CrawlLimits
from highpipe.crawl.demo import DemoShopExtractor
from highpipe.crawl.replay import Answer, ReplayFetcher
from highpipe.crawl.robots import RobotsFetcher, RobotsPolicy, product_token
from highpipe.demo_shop.app import create_app
from highpipe.ports.fetch import FetchError

UA = "HighPipeBot/0.1 (+review analysis)"
SHOP = "https://shop.example"

ROBOTS = """
# comments and odd spacing are fine
User-agent: *
Disallow: /checkout
Disallow: /search?
Allow: /search?q=public
Crawl-delay: 2

USER-AGENT: HighPipeBot
user-agent: OtherBot
disallow: /private/
allow: /private/reviews/
Disallow: /*.pdf$
Disallow: /vp/product/reviews
Allow: /vp/product/reviews?productId=1&

User-agent: highpipebot
Disallow: /tmp
"""


def test_product_token() -> None:
    assert product_token(UA) == "highpipebot"
    assert product_token("  Mozilla/5.0 (X11)") == "mozilla"
    assert product_token("") == ""


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("/", True),
        ("/checkout", True),  # only the * group says so, and our own groups replace it
        ("/private/orders", False),
        ("/private/reviews/1", True),  # the longer Allow wins
        ("/manual.pdf", False),
        ("/manual.pdf?x=1", True),  # "$" anchors at the end
        ("/tmp/x", False),  # the second group naming us is merged in
        ("/vp/product/reviews?productId=2&page=1", False),
        ("/vp/product/reviews?productId=1&page=1", True),
        ("/%70rivate/orders", False),  # percent-escapes decoded before matching
        ("/robots.txt", True),
    ],
)
def test_our_groups(target: str, allowed: bool) -> None:
    assert RobotsPolicy.parse(ROBOTS).allows("highpipebot", target) is allowed


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("/checkout/1", False),
        ("/search?q=secret", False),
        ("/search?q=public&p=2", True),
        ("/private/x", True),
    ],
)
def test_star_group_for_other_agents(target: str, allowed: bool) -> None:
    assert RobotsPolicy.parse(ROBOTS).allows("somebot", target) is allowed


def test_tie_goes_to_allow_and_empty_disallow_allows_all() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /page\nAllow: /page\n")
    assert policy.allows("x", "/page")
    assert RobotsPolicy.parse("User-agent: *\nDisallow:\n").allows("x", "/anything")
    assert RobotsPolicy.parse("").allows("x", "/anything")
    assert RobotsPolicy.parse("<!doctype html><html>not robots</html>").allows("x", "/a")
    assert not RobotsPolicy.parse("User-agent: *\nDisallow: /\n").allows("x", "/a")
    assert not RobotsPolicy.parse("User-agent: *\nDisallow: /*\n").allows("x", "/")


def test_crawl_delay() -> None:
    policy = RobotsPolicy.parse(ROBOTS)
    assert policy.crawl_delay("somebot") == 2.0
    assert policy.crawl_delay("highpipebot") is None
    assert RobotsPolicy.parse("User-agent: *\nCrawl-delay: soon\n").crawl_delay("x") is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _robots(pages: dict[str, Answer], **kwargs: Any) -> tuple[RobotsFetcher, ReplayFetcher]:
    inner = ReplayFetcher(pages)
    return RobotsFetcher(inner, user_agent=UA, **kwargs), inner


async def test_disallowed_url_raises_robots_with_a_bilingual_reason() -> None:
    fetcher, inner = _robots({f"{SHOP}/robots.txt": ROBOTS, f"{SHOP}/p/1": "<p>ok</p>"})
    assert (await fetcher.get(f"{SHOP}/p/1")).text == "<p>ok</p>"
    with pytest.raises(FetchError) as err:
        await fetcher.get(f"{SHOP}/private/orders?id=3")
    assert err.value.code == "robots"
    assert err.value.reason.startswith("robots.txt 가 이 페이지의 수집을 금지합니다 / robots.txt forbids")
    assert f"{SHOP}/private/orders?id=3" in err.value.reason
    assert inner.requested == [f"{SHOP}/robots.txt", f"{SHOP}/p/1"]  # once per origin, never the page


async def test_robots_is_read_once_per_origin() -> None:
    fetcher, inner = _robots({f"{SHOP}/a": "a", f"{SHOP}/b": "b", "https://shop.example:8443/a": "c"})
    for url in (f"{SHOP}/a", f"{SHOP}/b", f"{SHOP}/a", "https://shop.example:8443/a"):
        await fetcher.get(url)
    robots = [u for u in inner.requested if u.endswith("/robots.txt")]
    assert robots == [f"{SHOP}/robots.txt", "https://shop.example:8443/robots.txt"]


@pytest.mark.parametrize("status", [404, 410, 401, 403])
async def test_unavailable_robots_allows_everything(status: int) -> None:
    fetcher, _ = _robots({f"{SHOP}/robots.txt": (status, "no"), f"{SHOP}/private/x": "fine"})
    assert (await fetcher.get(f"{SHOP}/private/x")).text == "fine"


@pytest.mark.parametrize(("status", "code"), [(500, "http_5xx"), (503, "http_5xx"), (429, "blocked_by_site")])
async def test_unreachable_robots_disallows_and_says_why(status: int, code: str) -> None:
    fetcher, inner = _robots({f"{SHOP}/robots.txt": (status, "down"), f"{SHOP}/p": "page"})
    for _ in range(2):
        with pytest.raises(FetchError) as err:
            await fetcher.get(f"{SHOP}/p")
        assert err.value.code == code and err.value.reason.endswith("(robots.txt)")
    assert inner.requested == [f"{SHOP}/robots.txt"]  # the failure is remembered, the page never fetched


async def test_disabled_fetches_no_robots() -> None:
    fetcher, inner = _robots(
        {f"{SHOP}/robots.txt": "User-agent: *\nDisallow: /\n", f"{SHOP}/p": "x"}, enabled=False
    )
    assert (await fetcher.get(f"{SHOP}/p")).text == "x"
    assert inner.requested == [f"{SHOP}/p"]


async def test_crawl_delay_spaces_requests_and_is_capped() -> None:
    clock = FakeClock()
    robots = "User-agent: *\nCrawl-delay: 30\n"
    fetcher, _ = _robots({f"{SHOP}/robots.txt": robots, f"{SHOP}/a": "a"}, clock=clock, sleep=clock.sleep,
                         max_crawl_delay_s=5)  # fmt: skip
    await fetcher.get(f"{SHOP}/a")
    clock.now += 1.0
    await fetcher.get(f"{SHOP}/a")
    await fetcher.get(f"{SHOP}/a")
    assert clock.slept == [4.0, 5.0]


async def test_start_and_stop_reach_the_inner_fetcher() -> None:
    calls: list[str] = []

    class Inner(ReplayFetcher):
        async def start(self) -> None:
            calls.append("start")

        async def stop(self) -> None:
            calls.append("stop")

    fetcher = RobotsFetcher(Inner({}), user_agent=UA)
    await fetcher.start()
    await fetcher.stop()
    assert calls == ["start", "stop"]


# ---- through the real HttpFetcher: the robots.txt request is SSRF-guarded like any other ----------


class StubResolver:
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(self, host: str, port: int) -> list[str]:
        if host not in self.table:
            raise OSError(f"stub NXDOMAIN for {host}")
        return list(self.table[host])


def _http(handler: Callable[[httpx.Request], httpx.Response]) -> HttpFetcher:
    settings = Settings(allow_hosts=[], fetch_retries=0, user_agent=UA)
    resolver = StubResolver({"shop.example": ["93.184.216.34"], "meta.example": ["169.254.169.254"]})

    async def no_sleep(_: float) -> None:
        return None

    return HttpFetcher(settings, resolver=resolver, transport=httpx.MockTransport(handler), sleep=no_sleep)


async def test_robots_through_http_fetcher() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        assert request.headers["user-agent"] == UA
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: HighPipeBot\nDisallow: /cart\n")
        return httpx.Response(200, text="<p>hi</p>", headers={"content-type": "text/html"})

    fetcher = RobotsFetcher(_http(handler), user_agent=UA)
    await fetcher.start()
    try:
        assert (await fetcher.get(f"{SHOP}/p/1")).status == 200
        with pytest.raises(FetchError) as err:
            await fetcher.get(f"{SHOP}/cart")
        assert err.value.code == "robots"
    finally:
        await fetcher.stop()
    assert seen == [f"{SHOP}/robots.txt", f"{SHOP}/p/1"]


async def test_robots_redirect_to_the_metadata_address_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "shop.example" and request.url.path == "/robots.txt":
            return httpx.Response(302, headers={"location": "http://meta.example/latest/meta-data/"})
        pytest.fail(f"a request the SSRF guard should have stopped reached the transport: {request.url}")

    fetcher = RobotsFetcher(_http(handler), user_agent=UA)
    await fetcher.start()
    try:
        with pytest.raises(FetchError) as err:
            await fetcher.get(f"{SHOP}/p/1")
    finally:
        await fetcher.stop()
    assert err.value.code == "blocked_address"  # raised unchanged: the guard's own reason


# ---- the demo shop keeps working ------------------------------------------------------------------


async def test_demo_shop_without_robots_is_crawled(asgi_fetcher: Callable[..., Any]) -> None:
    inner = asgi_fetcher()
    fetcher = RobotsFetcher(inner, user_agent=UA)
    await fetcher.start()
    try:
        pages = [p async for p in DemoShopExtractor().pages(
            "http://127.0.0.1:8000/demo/products/tee", fetcher, CrawlLimits(max_pages=2))]  # fmt: skip
    finally:
        await fetcher.stop()
    assert pages and sum(len(p.reviews) for p in pages) > 0
    assert inner.requested[0] == "http://127.0.0.1:8000/robots.txt"  # 404: everything allowed
    assert sum(u.endswith("/robots.txt") for u in inner.requested) == 1


async def test_demo_shop_behind_a_disallowing_robots(asgi_fetcher: Callable[..., Any]) -> None:
    parent = FastAPI()

    @parent.get("/robots.txt", response_class=PlainTextResponse)
    async def robots() -> str:
        return "User-agent: *\nDisallow: /demo/api/\n"

    parent.mount("/demo", create_app())
    fetcher = RobotsFetcher(asgi_fetcher(parent), user_agent=UA)
    await fetcher.start()
    try:
        with pytest.raises(FetchError) as err:
            async for _ in DemoShopExtractor().pages(
                "http://127.0.0.1:8000/demo/products/tee", fetcher, CrawlLimits()
            ):
                pass
    finally:
        await fetcher.stop()
    assert err.value.code == "robots" and "/demo/api/products/tee" in err.value.reason
