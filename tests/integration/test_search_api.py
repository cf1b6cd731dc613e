"""Keyword search through the live server: GET /api/search against the demo shop mounted in it."""

from __future__ import annotations

import httpx

from highpipe.crawl.search import parse_search, rank, search_url
from highpipe.demo_shop.app import search_results_page
from highpipe.demo_shop.shop import DemoShop


async def test_search_finds_the_tee_first_and_its_url_is_analysable(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        resp = await client.get("/api/search", params={"q": "티셔츠", "site": "demo"})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["site"] == "demo" and body["query"] == "티셔츠"
        candidates = body["candidates"]
        assert len(candidates) >= 1
        assert all("티셔츠" in c["title"] for c in candidates)
        top = candidates[0]
        catalogue = {p["id"]: p for p in (await client.get("/api/demo/products")).json()}
        tee = catalogue["tee"]
        assert top["title"] == tee["title"]
        assert top["price"] == tee["price"] and top["review_count"] == tee["review_count"]
        assert top["rating"] == tee["average_rating"]
        assert top["url"].endswith("/demo/products/tee")
        # the candidate's URL is one the analyser accepts
        created = await client.post("/api/analyses", json={"url": top["url"]})
        assert created.status_code == 202, created.text

        nothing = await client.get("/api/search", params={"q": "존재하지않는상품명", "site": "demo"})
        assert nothing.status_code == 200 and nothing.json()["candidates"] == []


async def test_search_validation(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        assert (await client.get("/api/search", params={"q": "", "site": "demo"})).status_code == 422
        assert (await client.get("/api/search", params={"q": "   ", "site": "demo"})).status_code == 422
        bad = await client.get("/api/search", params={"q": "티셔츠", "site": "gmarket"})
        assert bad.status_code == 422
        detail = str(bad.json()["detail"])
        for site in ("coupang", "naver", "demo"):
            assert site in detail


def test_demo_search_page_round_trips_through_the_parser() -> None:
    shop = DemoShop()
    rows = shop.search("하이룩 티셔츠", "http://127.0.0.1:1/demo")
    parsed = rank(parse_search("demo", search_results_page("하이룩 티셔츠", rows, "/demo")), "하이룩 티셔츠")
    assert [c.url for c in parsed] == [str(r["url"]) for r in rows]
    assert parsed[0].url.endswith("/products/tee")
    assert search_url("demo", "티 셔츠", demo_base="http://127.0.0.1:1/demo/") == (
        "http://127.0.0.1:1/demo/search?q=%ED%8B%B0+%EC%85%94%EC%B8%A0"
    )
