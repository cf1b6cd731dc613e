"""ElevenStreetExtractor (11st) on hand-written fixtures of its product page and review list."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from highpipe.crawl.base import CrawlLimits, Page, UnsupportedPage
from highpipe.crawl.elevenst import ElevenStreetExtractor, parse_url, product_url, reviews_url
from highpipe.crawl.replay import Answer, ReplayFetcher
from highpipe.crawl.shop_common import KST, ShopReview

SITE = Path(__file__).resolve().parents[2] / "fixtures" / "sites" / "elevenst"
PRD = "6012345678"
URL = f"https://www.11st.co.kr/products/{PRD}?trTypeCd=22"
PRODUCT = product_url(PRD)


def _text(name: str) -> str:
    return (SITE / name).read_text(encoding="utf-8")


async def _crawl(
    pages: dict[str, Answer], limits: CrawlLimits | None = None
) -> tuple[list[Page], ReplayFetcher]:
    fetcher = ReplayFetcher(pages)
    extractor = ElevenStreetExtractor(page_size=2)
    return [p async for p in extractor.pages(URL, fetcher, limits or CrawlLimits())], fetcher


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (URL, PRD),
        (f"https://m.11st.co.kr/products/m/{PRD}", PRD),
        (f"https://www.11st.co.kr/products/pa/{PRD}", PRD),
        (
            f"https://www.11st.co.kr/product/SellerProductDetail.tmall?method=getSellerProductDetail&prdNo={PRD}",
            PRD,
        ),
        (reviews_url(PRD, 3), PRD),
        ("https://www.11st.co.kr/browsing/BestSeller.tmall", None),
        (f"https://www.11st.co.kr.example.com/products/{PRD}", None),
    ],
)
def test_parse_url(url: str, expected: str | None) -> None:
    assert parse_url(url) == expected
    assert ElevenStreetExtractor().matches(url) is (expected is not None)


def test_extract_product_page() -> None:
    page = ElevenStreetExtractor().extract(_text("product.html"), URL)
    product = page.product
    assert product is not None
    assert (product.product_id, product.site, product.url) == (f"11st:{PRD}", "11st", PRODUCT)
    assert product.title == "프레시팜 제주 햇 감귤 5kg (로얄과)"
    assert (product.price, product.currency) == (24_900, "KRW")
    assert (product.average_rating, product.review_count) == (4.7, 1532)
    assert product.category == "신선식품 > 과일 > 감귤/한라봉"
    assert (
        product.image
        == "https://cdn.011st.com/11dims/resize/600x600/quality/75/11src/product/6012345678/B.jpg"
    )
    assert page.reviews == []


def test_extract_product_page_saved_without_its_url() -> None:
    page = ElevenStreetExtractor().extract(_text("product.html"), "https://example.com/p")
    assert page.product is not None and page.product.product_id == f"11st:{PRD}"


def test_extract_review_list() -> None:
    page = ElevenStreetExtractor().extract(_text("reviews_p1.html"), reviews_url(PRD, 1))
    assert page.product is not None and page.product.product_id == f"11st:{PRD}"
    first, second = page.reviews
    assert isinstance(first, ShopReview)
    assert (first.site_review_id, first.rating, first.author) == ("3300112201", 5, "mj***")
    assert first.text == "껍질이 얇고 정말 달아요.\n아이들이 앉은 자리에서 다 먹었어요."
    assert first.date == datetime(2026, 11, 2, tzinfo=KST)
    assert (first.option, first.helpful) == ("5kg 로얄과(S~M)", 8)
    assert first.attachments == ["https://cdn.011st.com/review/3300112201_1.jpg"]
    assert (second.rating, second.option, second.helpful) == (2, None, 0)  # stars from the hidden text


def test_extract_rejects_other_pages() -> None:
    with pytest.raises(UnsupportedPage):
        ElevenStreetExtractor().extract("<html><body>점검</body></html>", "https://example.com/")


async def test_walk() -> None:
    pages, fetcher = await _crawl(
        {
            PRODUCT: SITE / "product.html",
            reviews_url(PRD, 1, 2): SITE / "reviews_p1.html",
            reviews_url(PRD, 2, 2): SITE / "reviews_p2.html",
        }
    )
    assert fetcher.requested == [PRODUCT, reviews_url(PRD, 1, 2), reviews_url(PRD, 2, 2)]  # p2 is short
    assert [len(p.reviews) for p in pages] == [2, 1]
    last = pages[1].reviews[0]
    assert (last.site_review_id, last.rating, last.option) == (None, 4, "5kg 중대과(L)")
    assert pages[0].total_estimate == 1532


async def test_walk_limits_and_errors() -> None:
    answers: dict[str, Answer] = {
        PRODUCT: SITE / "product.html",
        reviews_url(PRD, 1, 2): SITE / "reviews_p1.html",
        reviews_url(PRD, 2, 2): SITE / "reviews_p2.html",
    }
    pages, fetcher = await _crawl(answers, CrawlLimits(max_pages=1))
    assert len(pages) == 1 and reviews_url(PRD, 2, 2) not in fetcher.requested
    with pytest.raises(UnsupportedPage):
        await _crawl({PRODUCT: "<html><body>상품이 없습니다</body></html>"})
