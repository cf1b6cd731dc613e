"""The demo shop's routes, through httpx.ASGITransport (no sockets): catalogue, pages, JSON API, failures."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from highpipe.demo_shop.app import create_app, list_products
from highpipe.demo_shop.catalog import PRODUCTS

BASE = "http://127.0.0.1:8000"
HIDDEN = {"blocked", "flaky", "broken", "empty", "slow"}


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


@pytest.fixture
def shop_app() -> FastAPI:
    return create_app()


@pytest.fixture
async def mounted() -> AsyncIterator[httpx.AsyncClient]:
    """Mounted at /demo inside another app, as `highpipe serve` does."""
    parent = FastAPI()
    parent.mount("/demo", create_app())
    async with _client(parent) as client:
        yield client


async def test_catalogue_json_hides_failure_products_unless_asked(mounted: httpx.AsyncClient) -> None:
    listed = (await mounted.get("/demo/api/products")).json()
    ids = [p["id"] for p in listed]
    assert {"tee", "sneakers", "earbuds", "almonds", "perfume", "towel"} <= set(ids)
    assert {"bench-2k", "bench-5k", "bench-20k"} <= set(ids)
    assert not HIDDEN & set(ids)
    everything = (await mounted.get("/demo/api/products", params={"all": 1})).json()
    assert {p["id"] for p in everything} == {p.pid for p in PRODUCTS}
    tee = next(p for p in listed if p["id"] == "tee")
    assert tee["url"] == "/demo/products/tee"
    assert tee["currency"] == "KRW" and isinstance(tee["price"], int)
    assert 1.0 <= tee["average_rating"] <= 5.0
    assert set(tee) >= {"id", "title", "price", "average_rating", "review_count", "category", "url"}


async def test_review_counts_agree_everywhere(mounted: httpx.AsyncClient) -> None:
    expected = {"bench-2k": 2_000, "bench-5k": 5_000, "bench-20k": 20_000, "empty": 0}
    for p in (await mounted.get("/demo/api/products", params={"all": 1})).json():
        if p["id"] == "blocked":  # its reviews answer 403 (tested below)
            continue
        page = (await mounted.get(f"/demo/api/products/{p['id']}/reviews", params={"size": 1})).json()
        assert page["total"] == p["review_count"], p["id"]
        assert p["review_count"] == expected.get(p["id"], p["review_count"])
        if p["id"] not in expected and p["id"] not in HIDDEN:
            assert 150 <= p["review_count"] <= 400


async def test_pagination_walks_every_review_once_newest_first(mounted: httpx.AsyncClient) -> None:
    first = (await mounted.get("/demo/api/products/tee/reviews", params={"size": 100})).json()
    assert (first["page"], first["size"]) == (1, 100)
    assert first["total_pages"] == math.ceil(first["total"] / 100)
    seen: list[dict[str, object]] = []
    for n in range(1, first["total_pages"] + 2):
        page = (await mounted.get("/demo/api/products/tee/reviews", params={"page": n, "size": 100})).json()
        seen.extend(page["reviews"])
        if n == first["total_pages"]:
            assert len(page["reviews"]) == first["total"] - 100 * (n - 1)
        if n > first["total_pages"]:
            assert page["reviews"] == []  # past the end: empty, not an error
    assert len(seen) == first["total"] == len({r["id"] for r in seen})
    dates = [str(r["date"]) for r in seen]
    assert dates == sorted(dates, reverse=True)
    default = (await mounted.get("/demo/api/products/tee/reviews")).json()
    assert default["size"] == 20 and len(default["reviews"]) == 20
    assert set(default["reviews"][0]) == {
        "id",
        "rating",
        "date",
        "author",
        "option",
        "helpful",
        "title",
        "content",
    }


@pytest.mark.parametrize("params", [{"size": 101}, {"size": 0}, {"page": 0}, {"page": "x"}])
async def test_bad_paging_is_rejected(mounted: httpx.AsyncClient, params: dict[str, object]) -> None:
    resp = await mounted.get("/demo/api/products/tee/reviews", params=params)
    assert resp.status_code == 422


async def test_same_pages_from_a_fresh_app(shop_app: FastAPI) -> None:
    async with _client(shop_app) as a, _client(create_app()) as b:
        pa = (await a.get("/api/products/earbuds/reviews", params={"page": 3, "size": 50})).json()
        pb = (await b.get("/api/products/earbuds/reviews", params={"page": 3, "size": 50})).json()
    assert pa == pb and len(pa["reviews"]) == 50


async def test_unknown_product_is_404(mounted: httpx.AsyncClient) -> None:
    assert (await mounted.get("/demo/api/products/nope")).status_code == 404
    assert (await mounted.get("/demo/api/products/nope/reviews")).status_code == 404
    page = await mounted.get("/demo/products/nope")
    assert page.status_code == 404 and "상품을 찾을 수 없습니다" in page.text


async def test_blocked_answers_403_with_a_bot_check_page(mounted: httpx.AsyncClient) -> None:
    assert (await mounted.get("/demo/api/products/blocked")).status_code == 200
    resp = await mounted.get("/demo/api/products/blocked/reviews")
    assert resp.status_code == 403
    assert resp.headers["content-type"].startswith("text/html")
    assert "보안 확인" in resp.text and "verify you are human" in resp.text
    assert (await mounted.get("/demo/products/blocked/reviews")).status_code == 403


async def test_flaky_fails_page_two_once_per_app(shop_app: FastAPI) -> None:
    async with _client(shop_app) as client:
        url = "/api/products/flaky/reviews"
        assert (await client.get(url, params={"page": 1, "size": 100})).status_code == 200
        assert (await client.get(url, params={"page": 2, "size": 100})).status_code == 503
        again = await client.get(url, params={"page": 2, "size": 100})
        assert again.status_code == 200 and len(again.json()["reviews"]) == 100
    async with _client(create_app()) as fresh:
        assert (await fresh.get(url, params={"page": 2, "size": 100})).status_code == 503


async def test_broken_always_fails_page_two(shop_app: FastAPI) -> None:
    async with _client(shop_app) as client:
        for _ in range(3):
            assert (await client.get("/api/products/broken/reviews", params={"page": 2})).status_code == 500
        assert (await client.get("/api/products/broken/reviews", params={"page": 1})).status_code == 200
        assert (await client.get("/api/products/broken/reviews", params={"page": 3})).status_code == 200


async def test_empty_product_has_no_reviews(mounted: httpx.AsyncClient) -> None:
    page = (await mounted.get("/demo/api/products/empty/reviews")).json()
    assert (page["total"], page["total_pages"], page["reviews"]) == (0, 0, [])
    meta = (await mounted.get("/demo/api/products/empty")).json()
    assert meta["review_count"] == 0 and meta["average_rating"] is None


async def test_slow_product_delays_each_page() -> None:
    assert create_app().state.demo_shop.slow_delay_s == pytest.approx(0.3)
    async with _client(create_app(slow_delay_s=0.05)) as client:
        start = time.perf_counter()
        resp = await client.get("/api/products/slow/reviews", params={"page": 2})
        assert resp.status_code == 200 and time.perf_counter() - start >= 0.05


async def test_reviews_are_generated_lazily_per_app(shop_app: FastAPI) -> None:
    shop = shop_app.state.demo_shop
    assert shop.generated() == []
    async with _client(shop_app) as client:
        await client.get("/api/products", params={"all": 1})
        await client.get("/")
        await client.get("/products/tee")
        assert shop.generated() == [], "catalogue and product pages must not generate review text"
        await client.get("/api/products/tee/reviews")
        assert shop.generated() == ["tee"]
    assert create_app().state.demo_shop.generated() == []


async def test_product_page_renders_reviews_by_script(mounted: httpx.AsyncClient) -> None:
    resp = await mounted.get("/demo/products/perfume")
    assert resp.status_code == 200
    html = resp.text
    meta = (await mounted.get("/demo/api/products/perfume")).json()
    assert meta["title"] in html and f"{meta['price']:,}원" in html
    assert f"{meta['average_rating']:.2f}" in html and f"{meta['review_count']:,}" in html
    container = re.search(r'<div id="reviews" data-api="([^"]+)"[^>]*></div>', html)
    assert container, "an empty reviews container filled by script"
    assert container.group(1) == "/demo/api/products/perfume/reviews"
    assert "<script>" in html and "fetch(" in html and "textContent" in html
    assert not re.search(r"<script[^>]+src=|<link[^>]+stylesheet|https?://(?!schema\.org)", html)
    # no review text is in the HTML itself
    first = (await mounted.get(container.group(1))).json()["reviews"][0]
    assert first["content"] not in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert ld["@type"] == "Product" and ld["sku"] == "perfume"
    assert ld["aggregateRating"]["reviewCount"] == meta["review_count"]


async def test_server_rendered_review_pages_carry_microdata_and_next_links(
    mounted: httpx.AsyncClient,
) -> None:
    html = (await mounted.get("/demo/products/towel/reviews", params={"page": 2})).text
    assert html.count('itemtype="https://schema.org/Review"') == 20
    assert 'rel="next" href="?page=3"' in html and 'rel="prev" href="?page=1"' in html
    last = (await mounted.get("/demo/products/towel/reviews", params={"page": 8})).text
    assert 'rel="next"' not in last and last.count('itemtype="https://schema.org/Review"') == 150 - 7 * 20


async def test_catalogue_html_and_image(mounted: httpx.AsyncClient) -> None:
    html = (await mounted.get("/demo/")).text
    assert 'href="/demo/products/tee"' in html and "blocked" not in html
    assert 'href="/demo/products/blocked"' in (await mounted.get("/demo/", params={"all": 1})).text
    img = await mounted.get("/demo/products/tee/image.svg")
    assert img.headers["content-type"].startswith("image/svg+xml") and img.text.startswith("<svg")


async def test_prefix_for_standalone_use() -> None:
    async with _client(create_app("/shop")) as client:
        listed = (await client.get("/shop/api/products")).json()
        assert listed[0]["url"].startswith("/shop/products/")
        assert (await client.get("/shop/products/tee")).status_code == 200
        assert (await client.get("/products/tee")).status_code == 404


def test_list_products_gives_absolute_urls() -> None:
    listed = list_products("http://127.0.0.1:8000/demo/")
    assert [p["id"] for p in listed] == [p.pid for p in PRODUCTS if not p.hidden]
    assert all(str(p["url"]).startswith("http://127.0.0.1:8000/demo/products/") for p in listed)
    assert {p["id"] for p in list_products("http://x/demo", include_hidden=True)} >= HIDDEN
