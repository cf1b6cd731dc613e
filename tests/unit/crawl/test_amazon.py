"""AmazonExtractor on hand-written fixtures mirroring Amazon's data-hook review markup and its walls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from highpipe.crawl.amazon import AmazonExtractor, parse_url, product_url, reviews_url
from highpipe.crawl.amazon_markup import parse_count, parse_price, parse_review_date, rating_from_text
from highpipe.crawl.base import CrawlLimits, Page, UnsupportedPage
from highpipe.crawl.replay import Answer, ReplayFetcher
from highpipe.crawl.shop_common import ShopReview
from highpipe.ports.fetch import FetchError

SITE = Path(__file__).resolve().parents[2] / "fixtures" / "sites" / "amazon"
ASIN = "B0C7XK2N5Q"
URL = f"https://www.amazon.com/Brewline-Electric-Gooseneck-Kettle-0-9/dp/{ASIN}/ref=sr_1_3?keywords=kettle"
DP = product_url("com", ASIN)
R1 = reviews_url("com", ASIN)
R2 = f"https://www.amazon.com/product-reviews/{ASIN}/ref=cm_cr_arp_d_paging_btm_next_2?ie=UTF8&reviewerType=all_reviews&sortBy=recent&pageNumber=2"


def _text(name: str) -> str:
    return (SITE / name).read_text(encoding="utf-8")


async def _crawl(
    pages: dict[str, Answer], limits: CrawlLimits | None = None
) -> tuple[list[Page], ReplayFetcher]:
    fetcher = ReplayFetcher(pages)
    return [p async for p in AmazonExtractor().pages(URL, fetcher, limits or CrawlLimits())], fetcher


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (URL, ("com", ASIN)),
        (f"https://amazon.co.uk/dp/{ASIN}", ("co.uk", ASIN)),
        (f"https://www.amazon.co.jp/-/en/gp/product/{ASIN}?th=1", ("co.jp", ASIN)),
        (f"https://www.amazon.de/product-reviews/{ASIN}/?pageNumber=3", ("de", ASIN)),
        (f"https://www.amazon.com/gp/aw/d/{ASIN}", ("com", ASIN)),
        ("https://www.amazon.com/s?k=kettle", None),
        (f"https://www.amazon.evil.example/dp/{ASIN}", None),
        (f"https://www.amazon.com/dp/{ASIN}X", None),  # 11 characters is no ASIN
        (f"https://www.notamazon.com/dp/{ASIN}", None),
    ],
)
def test_parse_url(url: str, expected: tuple[str, str] | None) -> None:
    assert parse_url(url) == expected
    assert AmazonExtractor().matches(url) is (expected is not None)


@pytest.mark.parametrize(
    ("text", "tld", "expected"),
    [
        ("Reviewed in the United States on November 2, 2026", "com", datetime(2026, 11, 2, tzinfo=UTC)),
        ("Reviewed in the United Kingdom on 2 November 2026", "co.uk", datetime(2026, 11, 2, tzinfo=UTC)),
        ("Rezension aus Deutschland vom 2. März 2026", "de", datetime(2026, 3, 2, tzinfo=UTC)),
        ("Commenté en France le 12 février 2026", "fr", datetime(2026, 2, 12, tzinfo=UTC)),
        ("Revisado en España el 2 de noviembre de 2026", "es", datetime(2026, 11, 2, tzinfo=UTC)),
        ("2026年11月2日に日本でレビュー済み", "co.jp",
         datetime(2026, 11, 2, tzinfo=timezone(timedelta(hours=9)))),
        ("Reviewed in the United States", "com", None),
        ("on Smarch 2, 2026", "com", None),
    ],
)  # fmt: skip
def test_review_dates(text: str, tld: str, expected: datetime | None) -> None:
    assert parse_review_date(text, tld) == expected


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("$1,299.99", 1299.99),
        ("1.299,99 €", 1299.99),
        ("￥3,980", 3980),
        ("£12", 12),
        ("EUR 9,5", 95),
        ("", None),
    ],
)
def test_prices(text: str, price: float | None) -> None:
    assert parse_price(text) == price


def test_ratings_and_counts_text() -> None:
    assert rating_from_text("4.6 out of 5 stars") == 4.6
    assert rating_from_text("4,3 von 5 Sternen") == 4.3
    assert rating_from_text("5つ星のうち3.9") == 3.9
    assert (parse_count("8,917 global ratings"), parse_count("1.234 Sternebewertungen")) == (8917, 1234)


def test_extract_product_page_with_top_reviews() -> None:
    page = AmazonExtractor().extract(_text("dp.html"), URL)
    product = page.product
    assert product is not None
    assert (product.product_id, product.site, product.url) == (f"amazon:com:{ASIN}", "amazon", DP)
    assert product.title == "Brewline Electric Gooseneck Kettle, 0.9 L, Temperature Control"
    assert (product.price, product.currency) == (59.99, "USD")  # the price to pay, not the list price
    assert (product.average_rating, product.review_count) == (4.6, 8917)
    assert product.category == "Home & Kitchen > Kitchen & Dining > Electric Kettles"
    assert product.image == "https://m.media-amazon.com/images/I/71kettle._AC_SL1500_.jpg"
    first, second, foreign = page.reviews
    assert isinstance(first, ShopReview)
    assert (first.site_review_id, first.rating, first.author) == ("R3KQ7Z1VXW2P9A", 5, "Dana K.")
    assert first.title == "Perfect pour-over kettle"  # not "5.0 out of 5 stars"
    assert (
        first.text
        == "Heats fast and the hold-temperature setting is accurate.\nThe spout gives a very steady pour."
    )
    assert first.date == datetime(2026, 11, 2, tzinfo=UTC)
    assert (first.option, first.helpful, first.verified_purchase) == (
        "Color: Matte Black | Size: 0.9 L",
        23,
        True,
    )
    assert isinstance(second, ShopReview)
    assert (second.helpful, second.verified_purchase, second.rating) == (1, False, 2)
    assert (foreign.site_review_id, foreign.rating, foreign.title) == (
        "R2JP5TT0Q9ZK1E",
        4,
        "Good but a bit loud",
    )


def test_extract_review_page_without_a_product_url_uses_the_product_link() -> None:
    page = AmazonExtractor().extract(_text("reviews_p1.html"), R1)
    assert page.product is not None and page.product.product_id == f"amazon:com:{ASIN}"
    assert page.product.title == "Brewline Electric Gooseneck Kettle, 0.9 L, Temperature Control"
    assert (page.product.average_rating, page.total_estimate) == (4.6, 8917)
    assert [r.rating for r in page.reviews] == [3, 5, 1]
    assert page.reviews[2].helpful is None and page.reviews[0].option == "Color: Silver"


@pytest.mark.parametrize(
    ("name", "words"), [("signin.html", ("로그인", "sign in")), ("captcha.html", ("캡차", "robot check"))]
)
def test_walls_are_blocks(name: str, words: tuple[str, str]) -> None:
    with pytest.raises(FetchError) as err:
        AmazonExtractor().extract(_text(name), R1)
    assert err.value.code == "blocked_by_site"
    assert all(w in err.value.reason for w in words)


def test_signin_redirect_url_is_a_wall() -> None:
    with pytest.raises(FetchError):
        AmazonExtractor().extract(
            "<html><body>loading</body></html>", "https://www.amazon.com/ap/signin?openid=x"
        )


def test_extract_rejects_other_pages() -> None:
    with pytest.raises(UnsupportedPage):
        AmazonExtractor().extract("<html><body><p>Dogs of Amazon</p></body></html>", URL)


async def test_walk_product_page_then_review_pages() -> None:
    pages, fetcher = await _crawl(
        {DP: SITE / "dp.html", R1: SITE / "reviews_p1.html", R2: SITE / "reviews_p2.html"}
    )
    assert fetcher.requested == [DP, R1, R2]  # page 2's next link is disabled
    assert fetcher.headers_seen[1] == {"Referer": DP}
    ids = [[r.site_review_id for r in p.reviews] for p in pages]
    assert ids == [
        ["R3KQ7Z1VXW2P9A", "R1M0XQ8BB4T2LC", "R2JP5TT0Q9ZK1E"],
        ["R4NEWREVIEW01A", "R0PLAINTEXT77"],  # Dana's review came with the product page
        ["R2OLDESTONE99"],
    ]
    assert pages[2].reviews[0].helpful == 1204
    assert all(p.product is not None and p.product.price == 59.99 for p in pages)


async def test_walk_sign_in_wall_keeps_what_came_before() -> None:
    fetcher = ReplayFetcher({DP: SITE / "dp.html", R1: SITE / "signin.html"})
    seen: list[Page] = []
    with pytest.raises(FetchError) as err:
        async for page in AmazonExtractor().pages(URL, fetcher, CrawlLimits()):
            seen.append(page)
    assert err.value.code == "blocked_by_site" and "sign in" in err.value.reason
    assert [len(p.reviews) for p in seen] == [3]


async def test_walk_robot_check_on_the_product_page() -> None:
    with pytest.raises(FetchError) as err:
        await _crawl({DP: SITE / "captcha.html"})
    assert "robot check" in err.value.reason


async def test_walk_limits() -> None:
    answers: dict[str, Answer] = {
        DP: SITE / "dp.html",
        R1: SITE / "reviews_p1.html",
        R2: SITE / "reviews_p2.html",
    }
    pages, fetcher = await _crawl(answers, CrawlLimits(max_reviews=4))
    assert sum(len(p.reviews) for p in pages) == 4 and R2 not in fetcher.requested
    pages, fetcher = await _crawl(answers, CrawlLimits(max_pages=1))
    assert len(pages) == 1 and fetcher.requested == [DP]


async def test_walk_does_not_follow_next_links_elsewhere() -> None:
    page1 = _text("reviews_p1.html").replace(
        "/product-reviews/B0C7XK2N5Q/ref=cm_cr_arp_d_paging_btm_next_2",
        "https://evil.example/product-reviews/B0C7XK2N5Q/x",
    )
    pages, fetcher = await _crawl({DP: SITE / "dp.html", R1: page1})
    assert fetcher.requested == [DP, R1] and len(pages) == 2
