"""The generic extractor's browser fallback and the fetcher plumbing around it, without a browser.

The demo shop's `/products/<pid>/live` page draws its reviews by script. Here a `PretendBrowser` stands
in for Chromium: it "renders" `/live?page=N` by fetching the server-rendered `/reviews?page=N` (the same
reviews with the same microdata), so the control flow — plain HTTP first, then the browser for this and
every following page — is checked in-process. tests/integration/test_browser_fetch.py does it for real.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.unit.crawl.conftest import AsgiFetcher

from highpipe.adapters.fetch.fallback import FallbackFetcher
from highpipe.crawl.base import CrawlLimits, Extractor, Page
from highpipe.crawl.registry import find_extractor
from highpipe.crawl.render import RenderMode, for_extractor, looks_script_rendered, render_mode
from highpipe.crawl.robots import RobotsFetcher
from highpipe.crawl.schema_org import SchemaOrgExtractor
from highpipe.ports.fetch import Fetcher, FetchError, FetchResult

BASE = "http://127.0.0.1/demo"
UA = "HighPipeBot/0.1 (+review analysis)"


class PretendBrowser(Fetcher):
    """A browser stand-in: `/live?page=N` → the server-rendered `/reviews?page=N` of the same product."""

    def __init__(self, http: AsgiFetcher) -> None:
        self.http = http
        self.rendered: list[str] = []
        self.started = self.stopped = 0

    async def start(self) -> None:
        self.started += 1

    async def stop(self) -> None:
        self.stopped += 1

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        self.rendered.append(url)
        result = await self.http.get(url.replace("/live", "/reviews"))
        return FetchResult(url, result.status, result.headers, result.body)


async def _walk(extractor: Extractor, url: str, fetcher: Fetcher, **limits: int) -> list[Page]:
    return [page async for page in extractor.pages(url, fetcher, CrawlLimits(**limits))]


def _fallback(asgi: AsgiFetcher, mode: RenderMode = "auto") -> tuple[FallbackFetcher, list[PretendBrowser]]:
    made: list[PretendBrowser] = []

    def browser() -> Fetcher:
        made.append(PretendBrowser(AsgiFetcher(asgi.app)))
        return made[-1]

    return FallbackFetcher(asgi, browser, mode=mode), made


async def test_markers_tell_script_rendered_pages_from_server_rendered_ones(
    asgi_fetcher: Callable[..., AsgiFetcher],
) -> None:
    http = asgi_fetcher()
    live = (await http.get(f"{BASE}/products/perfume/live")).text
    product = (await http.get(f"{BASE}/products/perfume")).text
    server = (await http.get(f"{BASE}/products/perfume/reviews")).text
    assert looks_script_rendered(live) and looks_script_rendered(product)
    assert not looks_script_rendered(server)  # JSON-LD is not executable script
    assert looks_script_rendered(
        '<html><body><div id="root"></div><script src="/app.js"></script></body></html>'
    )
    assert not looks_script_rendered('<html><body><div id="reviews"></div></body></html>')  # no script
    assert not looks_script_rendered("<html><body><p>hi</p><script>var x = 1;</script></body></html>")


async def test_script_rendered_reviews_fall_back_to_the_browser_for_every_page(
    asgi_fetcher: Callable[..., AsgiFetcher],
) -> None:
    http = asgi_fetcher()
    fetcher, made = _fallback(http)
    await fetcher.start()
    pages = await _walk(SchemaOrgExtractor(), f"{BASE}/products/perfume/live", fetcher)
    await fetcher.stop()
    reviews = [r for p in pages for r in p.reviews]
    assert len(reviews) == 180 and len({r.site_review_id for r in reviews}) == 180  # the whole product
    assert pages[0].product is not None and pages[0].product.title == "라온 블루밍 오 드 퍼퓸"
    assert http.requested == [f"{BASE}/products/perfume/live"]  # plain HTTP once, then the browser
    (browser,) = made
    assert browser.rendered[0] == f"{BASE}/products/perfume/live"
    assert browser.rendered[1:] == [f"{BASE}/products/perfume/live?page={n}" for n in range(2, 10)]
    assert (browser.started, browser.stopped) == (1, 1)


async def test_always_renders_from_the_first_page(asgi_fetcher: Callable[..., AsgiFetcher]) -> None:
    http = asgi_fetcher()
    fetcher, made = _fallback(http, "always")
    pages = await _walk(SchemaOrgExtractor(), f"{BASE}/products/towel/live", fetcher, max_pages=2)
    await fetcher.stop()
    assert http.requested == [] and len(made[0].rendered) == 2
    assert sum(len(p.reviews) for p in pages) == 40


@pytest.mark.parametrize("mode", ["never", None])
async def test_without_a_browser_the_job_is_told_why(
    asgi_fetcher: Callable[..., AsgiFetcher], mode: RenderMode | None
) -> None:
    http = asgi_fetcher()
    fetcher: Fetcher = http if mode is None else _fallback(http, mode)[0]
    with pytest.raises(FetchError) as caught:
        await _walk(SchemaOrgExtractor(), f"{BASE}/products/perfume/live", fetcher)
    assert caught.value.code == "needs_browser"
    assert "스크립트" in caught.value.reason and "HIGHPIPE_USE_BROWSER" in caught.value.reason


async def test_server_rendered_pages_never_start_a_browser(asgi_fetcher: Callable[..., AsgiFetcher]) -> None:
    http = asgi_fetcher()
    fetcher, made = _fallback(http)
    pages = await _walk(SchemaOrgExtractor(), f"{BASE}/products/towel/reviews", fetcher, max_pages=2)
    await fetcher.stop()
    assert made == [] and sum(len(p.reviews) for p in pages) == 40


async def test_robots_rules_apply_to_rendering_too(asgi_fetcher: Callable[..., AsgiFetcher]) -> None:
    class Robots(AsgiFetcher):
        async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
            if url.endswith("/robots.txt"):
                self.requested.append(url)
                body = b"User-agent: *\nDisallow: /demo/products/perfume/live?page=\n"
                return FetchResult(url, 200, {"content-type": "text/plain"}, body)
            return await super().get(url, headers=headers)

    http = Robots(asgi_fetcher().app)
    fallback, _ = _fallback(http)
    fetcher = RobotsFetcher(fallback, user_agent=UA)
    assert render_mode(fetcher) == "auto"
    with pytest.raises(FetchError) as caught:
        await _walk(SchemaOrgExtractor(), f"{BASE}/products/perfume/live", fetcher)
    assert caught.value.code == "robots" and "page=2" in caught.value.reason
    assert http.requested.count("http://127.0.0.1/robots.txt") == 1  # read once, over plain HTTP


async def test_extractors_that_need_the_browser_get_a_rendering_fetcher(
    asgi_fetcher: Callable[..., AsgiFetcher],
) -> None:
    http = asgi_fetcher()
    fallback, made = _fallback(http)

    class ScriptOnlyShop(SchemaOrgExtractor):
        needs_browser = True

    view = for_extractor(fallback, ScriptOnlyShop())
    result = await view.get(f"{BASE}/products/towel/live")
    assert result.status == 200 and made[0].rendered == [f"{BASE}/products/towel/live"]
    assert http.requested == []
    assert for_extractor(fallback, find_extractor(f"{BASE}/products/towel")) is fallback  # demo: JSON API
    assert not any(
        find_extractor(u).needs_browser
        for u in ("https://www.coupang.com/vp/products/1", "https://smartstore.naver.com/s/products/1",
                  "https://www.amazon.com/dp/B0C7XK2N5Q", "https://www.11st.co.kr/products/1", f"{BASE}/x")
    )  # fmt: skip
