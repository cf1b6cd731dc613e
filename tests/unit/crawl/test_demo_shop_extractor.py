"""DemoShopExtractor against the real demo app, served in-process (see conftest.py)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from highpipe.crawl.base import CrawlLimits, Page, UnsupportedPage
from highpipe.crawl.demo import DemoShopExtractor
from highpipe.demo_shop.app import create_app
from highpipe.ports.fetch import FetchError

BASE = "http://127.0.0.1:8000/demo"


async def _crawl(fetcher: Any, url: str, limits: CrawlLimits | None = None) -> list[Page]:
    return [page async for page in DemoShopExtractor().pages(url, fetcher, limits or CrawlLimits())]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{BASE}/products/tee", True),
        (f"{BASE}/products/tee/", True),
        ("https://shop.example.com/demo/products/bench-20k?ref=home", True),
        (f"{BASE}/api/products/tee", True),
        (f"{BASE}/api/products/tee/reviews?page=2", True),
        ("http://127.0.0.1:8001/x/demo/products/towel", True),
        (f"{BASE}/products/tee/reviews", False),  # server-rendered HTML: the schema.org extractor's
        (f"{BASE}/products/", False),
        (f"{BASE}/", False),
        ("http://127.0.0.1:8000/products/tee", False),
        ("http://127.0.0.1:8000/demoshop/products/tee", False),
        ("ftp://127.0.0.1/demo/products/tee", False),
    ],
)
def test_matches(url: str, expected: bool) -> None:
    assert DemoShopExtractor().matches(url) is expected


async def test_crawls_every_review_of_a_product(asgi_fetcher: Callable[..., Any]) -> None:
    fetcher = asgi_fetcher()
    pages = await _crawl(fetcher, f"{BASE}/products/tee")
    assert [p.number for p in pages] == [1, 2, 3, 4]
    reviews = [r for p in pages for r in p.reviews]
    assert len(reviews) == 320 == pages[0].total_estimate
    assert [len(p.reviews) for p in pages] == [100, 100, 100, 20]
    product = pages[0].product
    assert product is not None
    assert (product.product_id, product.site) == ("demo:tee", "demo")
    assert (
        product.title == "하이룩 오버핏 코튼 반팔 티셔츠"
        and product.price == 19_900
        and product.currency == "KRW"
    )
    assert product.review_count == 320 and product.average_rating is not None
    assert product.image == "http://127.0.0.1:8000/demo/products/tee/image.svg"
    assert product.url == f"{BASE}/products/tee"
    assert len({r.site_review_id for r in reviews}) == 320
    for r in reviews:
        assert r.date is not None and r.date.tzinfo is not None
        assert r.rating is not None and 1 <= r.rating <= 5 and r.rating_scale == 5
        assert r.author and r.option and r.text and r.helpful is not None
    assert fetcher.requested[0] == f"{BASE}/api/products/tee"
    assert fetcher.requested[1:] == [
        f"{BASE}/api/products/tee/reviews?page={n}&size=100" for n in (1, 2, 3, 4)
    ]
    # the first review is the newest one the API lists
    api_first = json.loads((await fetcher.get(f"{BASE}/api/products/tee/reviews?size=1")).text)["reviews"][0]
    assert reviews[0].site_review_id == api_first["id"] and reviews[0].text == api_first["content"]
    review = reviews[0].to_review(product_id=product.product_id, site="demo", salt="s")
    assert review.review_uid == f"demo:{api_first['id']}"
    assert review.author_display is not None and "*" in review.author_display


async def test_limits_stop_the_walk(asgi_fetcher: Callable[..., Any]) -> None:
    url = f"{BASE}/products/earbuds"
    by_reviews = await _crawl(asgi_fetcher(), url, CrawlLimits(max_reviews=150))
    assert sum(len(p.reviews) for p in by_reviews) == 150 and len(by_reviews) == 2
    by_pages = await _crawl(asgi_fetcher(), url, CrawlLimits(max_pages=2))
    assert sum(len(p.reviews) for p in by_pages) == 200 and len(by_pages) == 2
    small = asgi_fetcher()
    tiny = await _crawl(small, url, CrawlLimits(max_reviews=30))
    assert [len(p.reviews) for p in tiny] == [30]
    assert any("size=30" in u for u in small.requested)


async def test_large_product(asgi_fetcher: Callable[..., Any]) -> None:
    pages = await _crawl(asgi_fetcher(), f"{BASE}/products/bench-2k")
    assert len(pages) == 20 and sum(len(p.reviews) for p in pages) == 2_000


async def test_blocked_product_raises_the_fetchers_403(asgi_fetcher: Callable[..., Any]) -> None:
    with pytest.raises(FetchError) as err:
        await _crawl(asgi_fetcher(), f"{BASE}/products/blocked")
    assert err.value.status == 403  # the fetcher's error, unchanged (its code is the fetcher's choice)


async def test_broken_product_fails_after_its_first_page(asgi_fetcher: Callable[..., Any]) -> None:
    got: list[Page] = []
    with pytest.raises(FetchError) as err:
        async for page in DemoShopExtractor().pages(f"{BASE}/products/broken", asgi_fetcher(), CrawlLimits()):
            got.append(page)
    assert err.value.status == 500
    assert len(got) == 1 and len(got[0].reviews) == 100


async def test_flaky_product_succeeds_with_a_retrying_fetcher(asgi_fetcher: Callable[..., Any]) -> None:
    pages = await _crawl(asgi_fetcher(retries=1), f"{BASE}/products/flaky")
    assert sum(len(p.reviews) for p in pages) == 250
    with pytest.raises(FetchError):
        await _crawl(asgi_fetcher(create_app("/demo"), retries=0), f"{BASE}/products/flaky")


async def test_empty_product_gives_one_empty_page(asgi_fetcher: Callable[..., Any]) -> None:
    pages = await _crawl(asgi_fetcher(), f"{BASE}/products/empty")
    assert len(pages) == 1 and pages[0].reviews == [] and pages[0].total_estimate == 0
    assert pages[0].product is not None and pages[0].product.review_count == 0


async def test_unknown_product_is_a_404(asgi_fetcher: Callable[..., Any]) -> None:
    with pytest.raises(FetchError) as err:
        await _crawl(asgi_fetcher(), f"{BASE}/products/does-not-exist")
    assert err.value.status == 404


async def test_slow_product_can_be_cancelled_mid_page(asgi_fetcher: Callable[..., Any]) -> None:
    first_page = asyncio.Event()

    async def consume() -> None:
        async for _ in DemoShopExtractor().pages(f"{BASE}/products/slow", asgi_fetcher(), CrawlLimits()):
            first_page.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_page.wait(), timeout=5)
    start = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - start < 0.25, "cancellation must not wait for the slow page"


async def test_extract_a_saved_reviews_page(asgi_fetcher: Callable[..., Any]) -> None:
    fetcher = asgi_fetcher()
    url = f"{BASE}/api/products/almonds/reviews?page=2&size=50"
    saved = (await fetcher.get(url)).text
    page = DemoShopExtractor().extract(saved, url)
    assert page.number == 2 and len(page.reviews) == 50 and page.total_estimate == 350
    assert page.product is not None and page.product.product_id == "demo:almonds"
    crawled = [r for p in await _crawl(fetcher, f"{BASE}/products/almonds") for r in p.reviews]
    assert [r.site_review_id for r in page.reviews] == [r.site_review_id for r in crawled[50:100]]
    # saved under another name: the product id comes from the JSON
    assert DemoShopExtractor().extract(saved, "file:///tmp/x.json").product.product_id == "demo:almonds"  # type: ignore[union-attr]


async def test_extract_metadata_and_reject_html(asgi_fetcher: Callable[..., Any]) -> None:
    fetcher = asgi_fetcher()
    meta = (await fetcher.get(f"{BASE}/api/products/towel")).text
    page = DemoShopExtractor().extract(meta, f"{BASE}/api/products/towel")
    assert (
        page.reviews == []
        and page.product is not None
        and page.product.title == "호텔결 40수 코마사 세면타올"
    )
    html = (await fetcher.get(f"{BASE}/products/towel")).text
    with pytest.raises(UnsupportedPage, match="reviews JSON"):
        DemoShopExtractor().extract(html, f"{BASE}/products/towel")
