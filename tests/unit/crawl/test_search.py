"""Keyword-search result parsing for Coupang and Naver, on hand-written fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from highpipe.crawl.base import UnsupportedPage
from highpipe.crawl.coupang import CoupangExtractor
from highpipe.crawl.naver import NaverStoreExtractor
from highpipe.crawl.search import Candidate, candidates_text, parse_search, rank, search_url

SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
STANLEY = "https://www.coupang.com/vp/products/7335597976?itemId=18741704367&vendorItemId=85873964906"


def _text(name: str) -> str:
    return (SITES / name).read_text(encoding="utf-8")


def test_search_urls() -> None:
    assert search_url("coupang", "보온병 1L") == (
        "https://www.coupang.com/np/search?q=%EB%B3%B4%EC%98%A8%EB%B3%91+1L&channel=user&page=1&listSize=36"
    )
    assert search_url("네이버", "니트", page=2).startswith(
        "https://search.shopping.naver.com/search/all?query=%EB%8B%88%ED%8A%B8&pagingIndex=2&pagingSize=40"
    )
    with pytest.raises(UnsupportedPage) as err:
        search_url("gmarket", "x")
    assert "지원" in str(err.value) and "supported" in str(err.value)


def test_coupang_classic_list() -> None:
    found = parse_search("coupang", _text("coupang/search.html"))
    assert [c.title for c in found] == [
        "스텐리 클래식 진공 보온병 1L, 해머톤 그린",
        "데일리 미니 텀블러 350ml",
    ]
    stanley, mini = found
    assert stanley == Candidate(
        title="스텐리 클래식 진공 보온병 1L, 해머톤 그린",
        price=39_900,
        rating=4.5,
        review_count=12_345,
        url=STANLEY,  # tracking parameters dropped
        image="https://thumbnail6.coupangcdn.com/thumbnails/remote/230x230ex/image/stanley.jpg",
    )
    assert (mini.rating, mini.review_count, mini.price) == (None, None, 12_800)
    assert (
        mini.image == "https://thumbnail8.coupangcdn.com/thumbnails/remote/230x230ex/image/mini.jpg"
    )  # lazy src
    assert all(CoupangExtractor().matches(c.url) for c in found)  # each can be analysed directly


def test_coupang_css_module_list() -> None:
    (only,) = parse_search("쿠팡", _text("coupang/search_next.html"))  # the AD item is left out
    assert (only.title, only.price, only.rating, only.review_count) == (
        "스텐리 클래식 진공 보온병 1L",
        39_900,
        4.5,
        12_345,
    )
    assert only.url == STANLEY


def test_coupang_no_results_and_wrong_pages() -> None:
    assert parse_search("coupang", _text("coupang/search_empty.html")) == []
    with pytest.raises(UnsupportedPage):
        parse_search("coupang", _text("coupang/product.html"))


def test_naver_next_data() -> None:
    found = parse_search("naver", _text("naver/search.html"))
    assert [c.title for c in found] == [
        "캐시미어 블렌드 라운드 니트",
        "울 혼방 꽈배기 니트 & 머플러 세트",
    ]  # no ad
    knit, catalog = found
    assert (knit.price, knit.rating, knit.review_count) == (69_000, 4.78, 2381)
    assert knit.url == "https://smartstore.naver.com/main/products/4823374923"
    assert NaverStoreExtractor().matches(knit.url)
    assert (catalog.price, catalog.review_count, catalog.url) == (
        45_000, 512, "https://search.shopping.naver.com/catalog/37000111222"
    )  # fmt: skip


def test_naver_open_api() -> None:
    found = parse_search("naver", _text("naver/search_openapi.json"))
    assert [(c.title, c.price, c.rating, c.review_count) for c in found] == [
        ("캐시미어 블렌드 라운드 니트", 69_000, None, None),
        ("울 혼방 꽈배기 니트", 45_000, None, None),
    ]


@pytest.mark.parametrize("content", ["<html><body>hi</body></html>", '{"unrelated": 1}', "{not json"])
def test_naver_wrong_pages(content: str) -> None:
    with pytest.raises(UnsupportedPage):
        parse_search("naver", content)


def test_rank_prefers_keyword_matches_then_reviews_then_site_order() -> None:
    def c(title: str, reviews: int | None) -> Candidate:
        return Candidate(title, None, None, reviews, f"https://x.example/{title}")

    items = [
        c("텀블러", 50),
        c("보온병 케이스", None),
        c("스텐리 보온병 1L", 10),
        c("보온병 1L", 0),
        c("보온병 1L 세트", 3),
    ]
    ranked = [x.title for x in rank(items, "보온병 1L")]
    assert ranked == ["스텐리 보온병 1L", "보온병 1L 세트", "보온병 1L", "보온병 케이스", "텀블러"]


def test_candidates_text() -> None:
    text = candidates_text(parse_search("coupang", _text("coupang/search.html")))
    first, second = text.splitlines()
    assert first.startswith(" 1. 스텐리") and "39,900원" in first and "★4.5(12,345)" in first
    assert "★-" in second and second.endswith("vendorItemId=43")
