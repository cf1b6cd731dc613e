"""CoupangExtractor on hand-written fixtures mirroring Coupang's SDP, review fragment and review JSON."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from highpipe.crawl.base import CrawlLimits, Page, UnsupportedPage
from highpipe.crawl.coupang import (
    CoupangExtractor,
    html_reviews_url,
    json_reviews_url,
    parse_url,
    product_url,
)
from highpipe.crawl.replay import Answer, ReplayFetcher
from highpipe.crawl.shop_common import KST, ShopReview
from highpipe.ports.fetch import FetchError

SITE = Path(__file__).resolve().parents[2] / "fixtures" / "sites" / "coupang"
PID = "7335597976"
URL = f"https://www.coupang.com/vp/products/{PID}?itemId=18741704367&vendorItemId=85873964906"
PRODUCT = product_url(PID, "18741704367", "85873964906")


def _text(name: str) -> str:
    return (SITE / name).read_text(encoding="utf-8")


async def _crawl(
    pages: dict[str, Answer], limits: CrawlLimits | None = None
) -> tuple[list[Page], ReplayFetcher]:
    fetcher = ReplayFetcher(pages)
    extractor = CoupangExtractor(page_size=3)
    return [p async for p in extractor.pages(URL, fetcher, limits or CrawlLimits())], fetcher


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (URL, (PID, "18741704367", "85873964906")),
        (f"https://www.coupang.com/vp/products/{PID}", (PID, None, None)),
        (f"https://m.coupang.com/vm/products/{PID}?itemId=1", (PID, "1", None)),
        (f"https://www.coupang.com/vp/product/reviews?productId={PID}&page=2", (PID, None, None)),
        (f"https://www.coupang.com/next-api/review?productId={PID}&page=1", (PID, None, None)),
        ("https://www.coupang.com/np/search?q=보온병", None),
        (f"https://www.coupang.com.evil.example/vp/products/{PID}", None),
        (f"ftp://www.coupang.com/vp/products/{PID}", None),
        ("https://www.coupang.com/vp/products/abc", None),
    ],
)
def test_parse_url(url: str, expected: tuple[str, str | None, str | None] | None) -> None:
    assert parse_url(url) == expected
    assert CoupangExtractor().matches(url) is (expected is not None)


def test_extract_product_page() -> None:
    page = CoupangExtractor().extract(_text("product.html"), URL)
    product = page.product
    assert product is not None
    assert (product.product_id, product.site, product.url) == (f"coupang:{PID}", "coupang", PRODUCT)
    assert product.title == "스텐리 클래식 진공 보온병 1L"
    assert (product.price, product.currency) == (39_900, "KRW")  # the sale price, not the crossed-out one
    assert (product.average_rating, product.review_count) == (4.5, 12_345)
    assert product.category == "주방용품 > 보온/보냉용품 > 보온병"
    assert product.image is not None and product.image.startswith("https://thumbnail6.coupangcdn.com/")
    assert product.image.endswith("/stanley.jpg")
    assert page.reviews == [] and page.total_estimate == 12_345


def test_extract_product_page_without_url_reads_the_id_from_the_page() -> None:
    page = CoupangExtractor().extract(_text("product.html"), "https://example.com/saved")
    assert page.product is not None and page.product.product_id == f"coupang:{PID}"


def test_extract_review_fragment() -> None:
    page = CoupangExtractor().extract(_text("reviews_p1.html"), html_reviews_url(PID, 1))
    assert page.product is not None and page.product.product_id == f"coupang:{PID}"
    first, second, third = page.reviews
    assert isinstance(first, ShopReview)
    assert first.site_review_id == "551230987"
    assert (first.rating, first.title, first.author) == (5, "캠핑 필수템이에요", "김*진")
    assert first.text == "아침에 넣은 커피가 저녁까지 따뜻해요.\n뚜껑이 컵이 되는 것도 편하고 & 튼튼합니다."
    assert first.date == datetime(2026, 11, 2, tzinfo=KST) and first.date.utcoffset() is not None
    assert first.option == "스텐리 클래식 진공 보온병 1L, 해머톤 그린, 1개"  # no product title known here
    assert first.helpful == 14
    assert first.attachments == [
        "https://thumbnail9.coupangcdn.com/thumbnails/remote/320x320ex/image/review/r1-a.jpg"
    ]
    assert (second.rating, second.helpful, second.title) == (2, 0, "보온은 좋은데 무거워요")
    # No data-rating: the orange bar's width; no body: the survey answers; helpful from the counter.
    assert (third.rating, third.helpful, third.site_review_id) == (4.0, 3, "551187744")
    assert third.text == "보온 성능 기대 이상이에요\n세척 편의성 보통이에요"
    assert third.title is None


def test_extract_review_json() -> None:
    page = CoupangExtractor().extract(_text("reviews_p1.json"), json_reviews_url(PID, 1))
    assert page.total_estimate == 5
    first = page.reviews[0]
    assert isinstance(first, ShopReview)
    assert (first.site_review_id, first.rating, first.helpful) == ("551230987", 5, 14)
    assert first.date == datetime(2026, 11, 2, 16, 10, 12, tzinfo=KST)
    assert first.attachments == ["https://thumbnail9.coupangcdn.com/image/review/r1-a.jpg"]
    assert page.reviews[2].title is None  # "" in the JSON


def test_extract_rejects_other_pages() -> None:
    with pytest.raises(UnsupportedPage):
        CoupangExtractor().extract("<html><body><p>hello</p></body></html>", URL)
    with pytest.raises(UnsupportedPage):
        CoupangExtractor().extract('{"items": []}', URL)


def test_access_denied_page_is_a_block_not_an_empty_product() -> None:
    with pytest.raises(FetchError) as err:
        CoupangExtractor().extract(_text("denied.html"), URL)
    assert err.value.code == "blocked_by_site" and "Access Denied" in err.value.reason


async def test_walk_json_endpoint() -> None:
    pages, fetcher = await _crawl(
        {
            PRODUCT: SITE / "product.html",
            json_reviews_url(PID, 1, 3): SITE / "reviews_p1.json",
            json_reviews_url(PID, 2, 3): SITE / "reviews_p2.json",
        }
    )
    assert [p.number for p in pages] == [1, 2]
    assert fetcher.requested == [PRODUCT, json_reviews_url(PID, 1, 3), json_reviews_url(PID, 2, 3)]
    assert fetcher.headers_seen[1] == {"Referer": PRODUCT}
    reviews = [r for p in pages for r in p.reviews]
    assert [r.site_review_id for r in reviews] == [
        "551230987", "551190321", "551187744", "551001200", "550870011"
    ]  # fmt: skip
    assert pages[0].product is not None and pages[0].product.title == "스텐리 클래식 진공 보온병 1L"
    assert reviews[0].option == "해머톤 그린, 1개"  # the product title is stripped once known
    assert pages[0].total_estimate == 5


async def test_walk_falls_back_to_the_html_fragment() -> None:
    pages, fetcher = await _crawl(
        {
            PRODUCT: SITE / "product.html",
            # no JSON endpoint: 404
            html_reviews_url(PID, 1, 3): SITE / "reviews_p1.html",
            html_reviews_url(PID, 2, 3): SITE / "reviews_p2.html",
        }
    )
    assert fetcher.requested == [
        PRODUCT,
        json_reviews_url(PID, 1, 3),
        html_reviews_url(PID, 1, 3),
        html_reviews_url(PID, 2, 3),
    ]  # fmt: skip  (page 2 is short, so there is no request for page 3)
    assert sum(len(p.reviews) for p in pages) == 5
    assert pages[1].reviews[-1].text == "배송 중에 찌그러져서 왔어요. 실망입니다."
    assert pages[0].total_estimate == 12_345  # the fragment has no total: the product page's count


async def test_walk_respects_limits() -> None:
    answers: dict[str, Answer] = {
        PRODUCT: SITE / "product.html",
        json_reviews_url(PID, 1, 3): SITE / "reviews_p1.json",
        json_reviews_url(PID, 2, 3): SITE / "reviews_p2.json",
    }
    pages, _ = await _crawl(answers, CrawlLimits(max_reviews=4))
    assert [len(p.reviews) for p in pages] == [3, 1]
    pages, fetcher = await _crawl(answers, CrawlLimits(max_pages=1))
    assert len(pages) == 1 and json_reviews_url(PID, 2, 3) not in fetcher.requested


async def test_walk_stops_on_a_page_with_nothing_new() -> None:
    pages, fetcher = await _crawl(
        {
            PRODUCT: SITE / "product.html",
            html_reviews_url(PID, 1, 3): SITE / "reviews_p1.html",
            html_reviews_url(PID, 2, 3): SITE / "reviews_p1.html",  # the site repeats its last page
        }
    )
    assert [len(p.reviews) for p in pages] == [3, 0]
    assert html_reviews_url(PID, 3, 3) not in fetcher.requested


async def test_walk_reports_blocks() -> None:
    with pytest.raises(FetchError) as err:
        await _crawl({PRODUCT: (403, "Access Denied")})
    assert err.value.code == "blocked_by_site"
    with pytest.raises(FetchError) as err:
        await _crawl({PRODUCT: SITE / "product.html", json_reviews_url(PID, 1, 3): (429, "slow down")})
    assert err.value.status == 429


async def test_walk_rejects_unreadable_review_answers() -> None:
    with pytest.raises(UnsupportedPage):
        await _crawl(
            {
                PRODUCT: SITE / "product.html",
                html_reviews_url(PID, 1, 3): "<html><body>점검 중입니다</body></html>",
            }
        )


async def test_walk_rejects_non_coupang_urls() -> None:
    with pytest.raises(UnsupportedPage):
        async for _ in CoupangExtractor().pages("https://example.com/x", ReplayFetcher({}), CrawlLimits()):
            pass
