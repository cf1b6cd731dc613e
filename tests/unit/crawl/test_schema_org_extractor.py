"""SchemaOrgExtractor on the extruct fixtures, our own Korean JSON-LD / microdata review pages, and the
demo shop's server-rendered review pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from highpipe.crawl.base import CrawlLimits, Page, UnsupportedPage
from highpipe.crawl.registry import SUPPORTED_SITES
from highpipe.crawl.schema_org import SchemaOrgExtractor
from highpipe.crawl.schema_org_markup import parse_date

KST = timezone(timedelta(hours=9))
SHOP = "https://shop.example.com/goods/coffee-set"
P2 = "https://shop.example.com/goods/coffee-set?review_page=2"


async def _crawl(fetcher: Any, url: str, limits: CrawlLimits | None = None) -> list[Page]:
    return [p async for p in SchemaOrgExtractor().pages(url, fetcher, limits or CrawlLimits())]


@pytest.mark.parametrize("name", ["product.html", "product-ref.html", "product_microdata.html"])
def test_extruct_product_fixtures(fixture_text: Callable[[str], str], name: str) -> None:
    page = SchemaOrgExtractor().extract(fixture_text(name), "https://anvils.example.com/p/executive?ref=x")
    product = page.product
    assert product is not None
    assert product.title == "Executive Anvil"  # not the referenced or related products
    assert (product.price, product.currency) == (119.99, "USD")
    assert (product.average_rating, product.review_count) == (4.4, 89)
    assert product.image == "https://anvils.example.com/p/anvil_executive.jpg"
    assert (product.site, product.product_id) == ("anvils.example.com", "anvils.example.com:925872")
    assert page.reviews == [] and page.total_estimate == 89


def test_jsonld_graph_reviews(fixture_text: Callable[[str], str]) -> None:
    page = SchemaOrgExtractor().extract(fixture_text("reviews_jsonld_p1.html"), SHOP)
    product = page.product
    assert product is not None
    assert product.product_id == "shop.example.com:MB-DRIP-01"
    assert product.title == "모닝브루 핸드드립 커피 세트" and product.category == "식품 > 커피"
    assert (product.price, product.currency) == (39_000, "KRW")
    assert product.average_rating == pytest.approx(4.3)  # 8.6 of 10
    assert product.image == "https://shop.example.com/img/coffee-set-1.jpg"
    first, second = page.reviews
    assert first.site_review_id == "https://shop.example.com/goods/coffee-set#review-101"
    assert first.text == "원두 향이 진하고 산미가 적당해요.\n포장도 꼼꼼했어요 & 배송도 빨랐습니다."
    assert (first.title, first.author) == ("향이 정말 좋아요", "박지현")
    assert (first.rating, first.rating_scale, first.normalised_rating()) == (9, 10, 4.5)
    assert first.date == datetime(2026, 3, 5, tzinfo=UTC)
    assert second.site_review_id == "102"  # identifier given as a PropertyValue
    assert (second.author, second.normalised_rating()) == ("coffee_lover", 2.0)
    assert second.date == datetime(2026, 2, 11, 21, 30, tzinfo=KST)


def test_jsonld_list_with_comment_wrapper_and_trailing_comma(fixture_text: Callable[[str], str]) -> None:
    page = SchemaOrgExtractor().extract(
        fixture_text("reviews_jsonld_list.html"), "https://bags.example.org/bp"
    )
    assert page.product is not None and page.product.product_id == "bags.example.org:BP-7788"
    assert page.product.price == 45_900  # AggregateOffer lowPrice
    assert page.product.image == "https://cdn.example.org/bp-7788.jpg"
    good, bad = page.reviews
    assert (good.rating_scale, good.normalised_rating()) == (100, 4.0)
    assert (bad.rating_scale, bad.normalised_rating(), bad.author) == (5, 2.0, "정하은")
    assert good.site_review_id is None and good.date == datetime(2026, 10, 2, tzinfo=UTC)


def test_microdata_reviews(fixture_text: Callable[[str], str]) -> None:
    page = SchemaOrgExtractor().extract(
        fixture_text("reviews_microdata.html"), "https://market.example.com/p/200"
    )
    product = page.product
    assert product is not None
    assert (product.product_id, product.title) == ("market.example.com:BL-Q-200", "포근 극세사 담요 (퀸)")
    assert (product.price, product.currency, product.category) == (24_900, "KRW", "생활용품 > 침구")
    assert (product.average_rating, product.review_count) == (4.2, 128)
    assert product.image == "https://market.example.com/images/blanket.jpg"
    assert [r.author for r in page.reviews] == ["김서연", "한도윤", "윤채원"]
    assert [r.rating for r in page.reviews] == [5, 2, 3]
    assert page.reviews[0].text == "촉감이 부드럽고 따뜻해요.\n세탁해도 털 빠짐이 거의 없어요!"
    assert page.reviews[0].site_review_id == "https://market.example.com/p/200#r-9001"
    assert page.reviews[0].title == "너무 포근해요"
    assert [r.date for r in page.reviews] == [
        datetime(2026, 10, 3, tzinfo=UTC),
        datetime(2026, 9, 28, tzinfo=UTC),  # "2026년 9월 28일"
        datetime(2026, 9, 1, 8, 0, tzinfo=KST),
    ]


def test_page_without_markup_is_unsupported(fixture_text: Callable[[str], str]) -> None:
    with pytest.raises(UnsupportedPage) as err:
        SchemaOrgExtractor().extract(fixture_text("no_markup.html"), "https://blog.example.com/posts/1")
    message = str(err.value)
    assert "https://blog.example.com/posts/1" in message
    assert "찾지 못했습니다" in message and "No product or review data" in message
    for site in SUPPORTED_SITES:
        assert site.split(" / ")[0] in message and site.split(" / ")[-1] in message
    with pytest.raises(UnsupportedPage):
        SchemaOrgExtractor().extract("", "https://blog.example.com/empty")


async def test_follows_rel_next_on_the_same_host_only(file_fetcher: Callable[..., Any]) -> None:
    fetcher = file_fetcher({SHOP: "reviews_jsonld_p1.html", P2: "reviews_jsonld_p2.html"})
    pages = await _crawl(fetcher, SHOP)
    assert fetcher.requested == [SHOP, P2]  # page 2's next link points at another host: not followed
    assert [p.number for p in pages] == [1, 2]
    ids = [r.site_review_id for p in pages for r in p.reviews]
    assert ids == [
        "https://shop.example.com/goods/coffee-set#review-101",
        "102",
        "https://shop.example.com/goods/coffee-set#review-103",  # review-101 repeated on page 2: dropped
    ]
    assert pages[1].product == pages[0].product and pages[0].total_estimate == 5
    assert pages[1].reviews[0].date == datetime(2026, 1, 20, 9, 15, tzinfo=UTC)


async def test_limits(file_fetcher: Callable[..., Any]) -> None:
    pages = {SHOP: "reviews_jsonld_p1.html", P2: "reviews_jsonld_p2.html"}
    one_page = file_fetcher(pages)
    assert len(await _crawl(one_page, SHOP, CrawlLimits(max_pages=1))) == 1 and one_page.requested == [SHOP]
    capped = await _crawl(file_fetcher(pages), SHOP, CrawlLimits(max_reviews=1))
    assert [len(p.reviews) for p in capped] == [1]


async def test_product_without_reviews_yields_one_empty_page(file_fetcher: Callable[..., Any]) -> None:
    url = "https://anvils.example.com/p/executive"
    pages = await _crawl(file_fetcher({url: "product.html"}), url)
    assert len(pages) == 1 and pages[0].reviews == [] and pages[0].product is not None


async def test_unsupported_first_page_raises(file_fetcher: Callable[..., Any]) -> None:
    url = "https://blog.example.com/posts/1"
    with pytest.raises(UnsupportedPage):
        await _crawl(file_fetcher({url: "no_markup.html"}), url)


async def test_demo_shop_server_rendered_pages(asgi_fetcher: Callable[..., Any]) -> None:
    """JSON-LD Product in the head, microdata reviews in the body, rel=next pagination, over ASGI."""
    url = "http://127.0.0.1:8000/demo/products/towel/reviews"
    fetcher = asgi_fetcher()
    pages = await _crawl(fetcher, url)
    assert len(pages) == 8 and sum(len(p.reviews) for p in pages) == 150
    product = pages[0].product
    assert product is not None
    assert (product.product_id, product.site, product.review_count) == ("127.0.0.1:towel", "127.0.0.1", 150)
    assert product.currency == "KRW" and product.price == 24_900
    reviews = [r for p in pages for r in p.reviews]
    assert len({r.site_review_id for r in reviews}) == 150
    assert all(r.date and r.date.utcoffset() == timedelta(hours=9) for r in reviews)
    assert all(r.rating_scale == 5 and r.author for r in reviews)
    api = await fetcher.get("http://127.0.0.1:8000/demo/api/products/towel/reviews?size=100")
    first = json.loads(api.text)["reviews"][0]
    assert (reviews[0].site_review_id, reviews[0].text, reviews[0].rating) == (
        first["id"],
        first["content"],
        first["rating"],
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-05", datetime(2026, 3, 5, tzinfo=UTC)),
        ("2026-03-05T10:00:00+09:00", datetime(2026, 3, 5, 10, tzinfo=KST)),
        ("2026-03-05T01:00:00Z", datetime(2026, 3, 5, 1, tzinfo=UTC)),
        ("2026.03.05", datetime(2026, 3, 5, tzinfo=UTC)),
        ("2026/3/5 14:02", datetime(2026, 3, 5, 14, 2, tzinfo=UTC)),
        ("2026년 3월 5일 14:02:09", datetime(2026, 3, 5, 14, 2, 9, tzinfo=UTC)),
        ("작성일 2026.11.20 +0900", datetime(2026, 11, 20, tzinfo=KST)),
        (["2026-01-02"], datetime(2026, 1, 2, tzinfo=UTC)),
        ("어제", None),
        ("2026-13-45", None),
        ("0001-01-01", None),
        ("", None),
        (None, None),
        (20260305, None),
    ],
)
def test_parse_date(value: object, expected: datetime | None) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None and parsed.utcoffset() == expected.utcoffset()  # type: ignore[union-attr]


def test_itemref_cycles_terminate() -> None:
    html = """<html><body>
    <div id="a" itemscope itemtype="https://schema.org/Product" itemref="b"><span itemprop="name">순환 상품</span>
      <div id="b" itemprop="review" itemscope itemtype="https://schema.org/Review" itemref="a c">
        <span itemprop="reviewBody">참조가 서로를 가리켜도 멈춰야 해요</span></div></div>
    <p id="c" itemprop="author">테스터</p></body></html>"""
    page = SchemaOrgExtractor().extract(html, "https://loop.example.com/p/1")
    assert page.product is not None and page.product.title == "순환 상품"
    assert [(r.text, r.author) for r in page.reviews] == [("참조가 서로를 가리켜도 멈춰야 해요", "테스터")]


def test_reviews_without_a_product_use_the_page() -> None:
    html = """<html><head><title>캠핑 의자 후기 모음</title>
    <script type="application/ld+json">{"@context": "https://schema.org", "@type": "Review",
      "reviewBody": "가볍고 접기 쉬워요", "reviewRating": {"ratingValue": 4}, "author": "캠퍼"}</script>
    </head><body></body></html>"""
    url = "https://blog.example.com/chairs#top"
    page = SchemaOrgExtractor().extract(html, url)
    assert page.product is not None and page.product.title == "캠핑 의자 후기 모음"
    assert page.product.product_id.startswith("blog.example.com:") and len(page.product.product_id) == 33
    again = SchemaOrgExtractor().extract(html, "https://blog.example.com/chairs")
    assert again.product is not None and again.product.product_id == page.product.product_id
    assert [r.rating for r in page.reviews] == [4]
