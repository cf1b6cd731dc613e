"""`highpipe crawl extract <file> --site <name> --json` for every shop extractor, on the site fixtures;
and the registry routing shop URLs and names to them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from highpipe.crawl.amazon import AmazonExtractor
from highpipe.crawl.coupang import CoupangExtractor
from highpipe.crawl.demo import DemoShopExtractor
from highpipe.crawl.elevenst import ElevenStreetExtractor
from highpipe.crawl.naver import NaverStoreExtractor
from highpipe.crawl.registry import find_extractor, get_extractor, unsupported_message
from highpipe.entrypoints.cli import app

SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
REVIEW_KEYS = {"id", "rating", "title", "text", "date", "author", "option", "helpful"}


def _run(path: Path, site: str, url: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["crawl", "extract", str(path), "--site", site, "--url", url, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


@pytest.mark.parametrize(
    ("fixture", "site", "url", "product_id", "first"),
    [
        ("coupang/reviews_p1.html", "coupang", "https://www.coupang.com/vp/products/7335597976",
         "coupang:7335597976",
         {"id": "551230987", "rating": 5.0, "title": "캠핑 필수템이에요", "author": "김*진", "helpful": 14,
          "date": "2026-11-02T00:00:00+09:00"}),
        ("coupang/reviews_p2.json", "쿠팡", "https://www.coupang.com/vp/products/7335597976",
         "coupang:7335597976",
         {"id": "551001200", "rating": 4.0, "title": "선물용으로 샀어요", "author": "최*호", "helpful": 1,
          "option": "스텐리 클래식 진공 보온병 1L, 매트 블랙, 1개"}),
        ("naver/reviews_p1.json", "naver", "https://smartstore.naver.com/mononit/products/4823374923",
         "naver:4823374923",
         {"id": "4012345678", "rating": 5.0, "title": None, "author": "mono****", "helpful": 12,
          "option": "색상: 아이보리 / 사이즈: FREE", "date": "2026-11-02T12:12:45+09:00"}),
        ("amazon/reviews_p2.html", "amazon", "https://www.amazon.com/dp/B0C7XK2N5Q",
         "amazon:com:B0C7XK2N5Q",
         {"id": "R1M0XQ8BB4T2LC", "rating": 2.0, "title": "Lid started leaking after a month",
          "author": "kettle_nerd", "helpful": 1, "date": "2026-10-14T00:00:00+00:00"}),
        ("elevenst/reviews_p1.html", "11st", "https://www.11st.co.kr/products/6012345678",
         "11st:6012345678",
         {"id": "3300112201", "rating": 5.0, "author": "mj***", "option": "5kg 로얄과(S~M)", "helpful": 8}),
    ],
)  # fmt: skip
def test_extract_prints_reviews(
    fixture: str, site: str, url: str, product_id: str, first: dict[str, Any]
) -> None:
    doc = _run(SITES / fixture, site, url)
    assert doc["product"]["product_id"] == product_id
    reviews = doc["reviews"]
    assert reviews and all(set(r) == REVIEW_KEYS for r in reviews)
    assert {k: reviews[0][k] for k in first} == first
    for review in reviews:
        assert isinstance(review["rating"], float) and 1 <= review["rating"] <= 5
        assert isinstance(review["text"], str) and review["text"]
        parsed = datetime.fromisoformat(review["date"])
        assert parsed.tzinfo is not None  # ISO 8601 with its offset


@pytest.mark.parametrize(
    ("fixture", "site", "url", "title", "price"),
    [
        ("coupang/product.html", "coupang", "https://www.coupang.com/vp/products/7335597976",
         "스텐리 클래식 진공 보온병 1L", 39_900),
        ("naver/product.html", "smartstore", "https://smartstore.naver.com/mononit/products/4823374923",
         "캐시미어 블렌드 라운드 니트", 69_000),
        ("amazon/dp.html", "amazon", "https://www.amazon.com/dp/B0C7XK2N5Q",
         "Brewline Electric Gooseneck Kettle, 0.9 L, Temperature Control", 59.99),
        ("elevenst/product.html", "11번가", "https://www.11st.co.kr/products/6012345678",
         "프레시팜 제주 햇 감귤 5kg (로얄과)", 24_900),
    ],
)  # fmt: skip
def test_extract_prints_the_product(fixture: str, site: str, url: str, title: str, price: float) -> None:
    product = _run(SITES / fixture, site, url)["product"]
    assert (product["title"], product["price"]) == (title, price)
    assert product["average_rating"] is not None and product["review_count"] is not None
    assert product["image"].startswith("https://")


@pytest.mark.parametrize(
    ("url", "cls"),
    [
        ("https://www.coupang.com/vp/products/7335597976?itemId=1&vendorItemId=2", CoupangExtractor),
        ("https://smartstore.naver.com/mononit/products/4823374923", NaverStoreExtractor),
        ("https://brand.naver.com/kitchenhouse/products/8123456789", NaverStoreExtractor),
        ("https://www.amazon.co.jp/dp/B0C7XK2N5Q", AmazonExtractor),
        ("https://www.11st.co.kr/products/6012345678", ElevenStreetExtractor),
        ("http://127.0.0.1:8000/demo/products/tee", DemoShopExtractor),
    ],
)
def test_registry_routes_shop_urls(url: str, cls: type) -> None:
    assert type(find_extractor(url)) is cls


@pytest.mark.parametrize(
    ("names", "cls"),
    [
        (("coupang", "쿠팡", " Coupang "), CoupangExtractor),
        (("naver", "smartstore", "네이버"), NaverStoreExtractor),
        (("amazon",), AmazonExtractor),
        (("11st", "elevenst", "11번가"), ElevenStreetExtractor),
    ],
)
def test_registry_names(names: tuple[str, ...], cls: type) -> None:
    for name in names:
        extractor = get_extractor(name)
        assert type(extractor) is cls and get_extractor(extractor.name).name == extractor.name
        assert extractor.needs_browser is False


def test_unsupported_message_names_the_shops() -> None:
    message = unsupported_message("https://x.example/")
    for word in ("쿠팡", "Coupang", "스마트스토어", "Amazon", "11번가", "11st"):
        assert word in message
