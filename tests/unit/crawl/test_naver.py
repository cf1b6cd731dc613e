"""NaverStoreExtractor on hand-written fixtures mirroring SmartStore's page state and review JSON."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from highpipe.crawl.base import CrawlLimits, Page, UnsupportedPage
from highpipe.crawl.naver import NaverStoreExtractor, parse_url, read_state, review_keys, reviews_url
from highpipe.crawl.replay import Answer, ReplayFetcher
from highpipe.crawl.shop_common import KST, ShopReview

SITE = Path(__file__).resolve().parents[2] / "fixtures" / "sites" / "naver"
HOST = "smartstore.naver.com"
URL = f"https://{HOST}/mononit/products/4823374923"
P1 = reviews_url(HOST, "510023344", "4801231234", 1, 2)
P2 = reviews_url(HOST, "510023344", "4801231234", 2, 2)


def _text(name: str) -> str:
    return (SITE / name).read_text(encoding="utf-8")


async def _crawl(
    pages: dict[str, Answer], url: str = URL, limits: CrawlLimits | None = None
) -> tuple[list[Page], ReplayFetcher]:
    fetcher = ReplayFetcher(pages)
    extractor = NaverStoreExtractor(page_size=2)
    return [p async for p in extractor.pages(url, fetcher, limits or CrawlLimits())], fetcher


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (URL, (HOST, "mononit", "4823374923")),
        (f"{URL}?NaPm=ct%3Dabc", (HOST, "mononit", "4823374923")),
        ("https://m.smartstore.naver.com/mononit/products/4823374923", (HOST, "mononit", "4823374923")),
        ("https://brand.naver.com/kitchenhouse/products/8123456789",
         ("brand.naver.com", "kitchenhouse", "8123456789")),
        ("https://smartstore.naver.com/mononit", None),
        ("https://smartstore.naver.com/mononit/products/abc", None),
        ("https://search.shopping.naver.com/catalog/123", None),
        ("https://smartstore.naver.com.example.org/mononit/products/1", None),
    ],
)  # fmt: skip
def test_parse_url(url: str, expected: tuple[str, str, str] | None) -> None:
    assert parse_url(url) == expected
    assert NaverStoreExtractor().matches(url) is (expected is not None)


def test_reviews_url_per_store_kind() -> None:
    assert P1.startswith("https://smartstore.naver.com/i/v1/reviews/paged-reviews?page=1&pageSize=2&")
    assert "merchantNo=510023344&originProductNo=4801231234" in P1
    assert "sortType=REVIEW_CREATE_DATE_DESC" in P1
    brand = reviews_url("brand.naver.com", "1", "2", 3)
    assert brand.startswith("https://brand.naver.com/n/v1/reviews/paged-reviews?page=3&pageSize=20&")


def test_extract_product_page() -> None:
    page = NaverStoreExtractor().extract(_text("product.html"), URL)
    product = page.product
    assert product is not None
    assert (product.product_id, product.site, product.url) == ("naver:4823374923", "naver", URL)
    assert product.title == "캐시미어 블렌드 라운드 니트"
    assert (product.price, product.currency) == (69_000, "KRW")  # the discounted price
    assert (product.average_rating, product.review_count) == (4.78, 2381)
    assert product.category == "패션의류 > 여성의류 > 니트/스웨터"
    assert product.image == "https://shop-phinf.pstatic.net/20261001_12/knit_main.jpg"
    assert page.reviews == [] and page.total_estimate == 2381


def test_state_keys_with_and_without_smartstore_channel() -> None:
    state = read_state(_text("product.html"))
    assert state is not None and review_keys(state) == ("510023344", "4801231234")
    brand = read_state(_text("brand_product.html"))  # has bare `undefined` values and no smartStoreV2
    assert brand is not None and review_keys(brand) == ("500777888", "8100000001")
    assert review_keys({"product": {"A": {"name": "x"}}}) is None


def test_extract_brand_page_without_url() -> None:
    page = NaverStoreExtractor().extract(_text("brand_product.html"), "https://example.com/saved")
    product = page.product
    assert product is not None and product.product_id == "naver:8123456789"
    assert (product.price, product.image) == (129_000, "https://shop-phinf.pstatic.net/20260901_3/fryer.jpg")
    assert product.category == "디지털/가전 > 주방가전 > 에어프라이어"


def test_extract_reviews_json() -> None:
    page = NaverStoreExtractor().extract(_text("reviews_p1.json"), URL)
    assert page.product is not None and page.product.product_id == "naver:4823374923"
    assert page.total_estimate == 3
    first, second = page.reviews
    assert isinstance(first, ShopReview)
    assert (first.site_review_id, first.rating, first.helpful) == ("4012345678", 5, 12)
    assert first.text.endswith("맨살에 입어도 괜찮아요.\n사이즈는 정사이즈입니다.")
    assert first.date == datetime(2026, 11, 2, 12, 12, 45, tzinfo=KST)
    assert first.date is not None and first.date.utcoffset() == KST.utcoffset(None)
    assert (first.author, first.option) == ("mono****", "색상: 아이보리 / 사이즈: FREE")
    assert first.attachments == [
        "https://phinf.pstatic.net/checkout.phinf/20261102_1/review_a.jpg",
        "https://phinf.pstatic.net/checkout.phinf/20261102_1/review_b.jpg",
    ]
    assert second.date == datetime(2026, 10, 30, 23, 59, tzinfo=KST)  # the day after, in Korea
    assert isinstance(second, ShopReview) and (second.rating, second.attachments) == (2, [])


@pytest.mark.parametrize("content", ["<html><body>no state</body></html>", '{"items": []}', "{broken"])
def test_extract_rejects_other_content(content: str) -> None:
    with pytest.raises(UnsupportedPage):
        NaverStoreExtractor().extract(content, URL)


async def test_walk_product_then_review_pages() -> None:
    pages, fetcher = await _crawl(
        {URL: SITE / "product.html", P1: SITE / "reviews_p1.json", P2: SITE / "reviews_p2.json"}
    )
    assert fetcher.requested == [URL, P1, P2]  # `last` on page 2: no page 3
    assert fetcher.headers_seen[1] == {"Referer": URL}
    assert [len(p.reviews) for p in pages] == [2, 1]
    assert pages[1].reviews[0].option is None and pages[1].reviews[0].helpful == 0
    assert all(p.product is not None and p.product.title == "캐시미어 블렌드 라운드 니트" for p in pages)
    assert pages[0].total_estimate == 3


async def test_walk_from_mobile_url_uses_the_canonical_pages() -> None:
    mobile = "https://m.smartstore.naver.com/mononit/products/4823374923?NaPm=x"
    pages, fetcher = await _crawl({URL: SITE / "product.html", P1: SITE / "reviews_p1.json",
                                   P2: SITE / "reviews_p2.json"}, mobile)  # fmt: skip
    assert fetcher.requested[0] == URL and len(pages) == 2


async def test_walk_limits() -> None:
    answers: dict[str, Answer] = {URL: SITE / "product.html", P1: SITE / "reviews_p1.json",
                                  P2: SITE / "reviews_p2.json"}  # fmt: skip
    pages, fetcher = await _crawl(answers, limits=CrawlLimits(max_reviews=1))
    assert [len(p.reviews) for p in pages] == [1] and P2 not in fetcher.requested
    pages, fetcher = await _crawl(answers, limits=CrawlLimits(max_pages=1))
    assert len(pages) == 1 and P2 not in fetcher.requested


async def test_walk_without_state_is_unsupported() -> None:
    with pytest.raises(UnsupportedPage) as err:
        await _crawl({URL: "<html><body>점검 중</body></html>"})
    assert "__PRELOADED_STATE__" in str(err.value)


async def test_walk_with_html_instead_of_review_json_is_unsupported() -> None:
    with pytest.raises(UnsupportedPage):
        await _crawl({URL: SITE / "product.html", P1: "<html>login</html>"})
