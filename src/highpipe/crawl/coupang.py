"""Coupang (쿠팡) product reviews.

Built in 2026-11 against Coupang's URL scheme and review endpoints as public documentation, saved pages
and public scrapers show them; UNVERIFIED against the live site until someone runs it there (Coupang
changes its front end often, and its bot protection answers plain HTTP clients with 403, which the
fetcher reports as `blocked_by_site`).

- URLs: `https://www.coupang.com/vp/products/<productId>?itemId=<i>&vendorItemId=<v>` (also
  `m.coupang.com/vm/products/<id>`, and the review endpoints themselves, which carry `productId=`).
- Walk: the product page (metadata), then reviews newest first, 10 a page:
  `GET /next-api/review?productId=<id>&page=N&size=10&sortBy=DATE_DESC&ratingSummary=true&ratings=&market=`
  (JSON); when that endpoint is missing (4xx) or does not answer JSON, the older HTML fragment
  `GET /vp/product/reviews?productId=<id>&page=N&size=10&sortBy=DATE_DESC&ratings=&q=&viRoleCode=3&ratingSummary=true`
  for the rest of the job. Stops at an empty page, the last page (`totalPage`), a short page, a page
  with nothing new, or the CrawlLimits.
- Reviews: id, stars (1-5), headline, body, date (KST), masked author, purchased option, helpful count,
  photo URLs. Markup details in `coupang_markup.py`.
- Not script-rendered from our side: the reviews are fetched from the endpoints the page itself calls,
  so `needs_browser` is False.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlencode, urlsplit

from highpipe.crawl.base import CrawlLimits, Extractor, Page, UnsupportedPage
from highpipe.crawl.coupang_markup import SITE, ProductFacts, ReviewBatch, read_product, read_reviews
from highpipe.crawl.shop_common import Tally, blocked
from highpipe.domain.identity import product_id
from highpipe.domain.models import Product
from highpipe.domain.raw import RawReview
from highpipe.ports.fetch import Fetcher, FetchError

BASE = "https://www.coupang.com"
PAGE_SIZE = 10
_HOSTS = frozenset({"www.coupang.com", "coupang.com", "m.coupang.com"})
_PRODUCT_PATH = re.compile(r"^/v[pm]/products/(\d+)/?$")
_REVIEW_PATHS = frozenset({"/vp/product/reviews", "/next-api/review"})


def parse_url(url: str) -> tuple[str, str | None, str | None] | None:
    """(productId, itemId, vendorItemId) for a Coupang product or review-endpoint URL, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in _HOSTS:
        return None
    query = parse_qs(parts.query)

    def arg(name: str) -> str | None:
        value = (query.get(name) or [""])[0]
        return value if value.isdigit() else None

    m = _PRODUCT_PATH.match(parts.path)
    pid = m.group(1) if m else arg("productId") if parts.path.rstrip("/") in _REVIEW_PATHS else None
    return (pid, arg("itemId"), arg("vendorItemId")) if pid else None


def product_url(pid: str, item_id: str | None = None, vendor_item_id: str | None = None) -> str:
    query = {k: v for k, v in (("itemId", item_id), ("vendorItemId", vendor_item_id)) if v}
    return f"{BASE}/vp/products/{pid}" + (f"?{urlencode(query)}" if query else "")


def json_reviews_url(pid: str, page: int, size: int = PAGE_SIZE) -> str:
    query = {"productId": pid, "page": page, "size": size, "sortBy": "DATE_DESC",
             "ratingSummary": "true", "ratings": "", "market": ""}  # fmt: skip
    return f"{BASE}/next-api/review?{urlencode(query)}"


def html_reviews_url(pid: str, page: int, size: int = PAGE_SIZE) -> str:
    query = {"productId": pid, "page": page, "size": size, "sortBy": "DATE_DESC", "ratings": "",
             "q": "", "viRoleCode": 3, "ratingSummary": "true"}  # fmt: skip
    return f"{BASE}/vp/product/reviews?{urlencode(query)}"


def _product(facts: ProductFacts, pid: str, url: str) -> Product:
    return Product(
        product_id=product_id(SITE, pid),
        site=SITE,
        url=url,
        title=facts.title,
        price=facts.price,
        currency="KRW" if facts.price is not None else None,
        average_rating=facts.average_rating,
        review_count=facts.review_count,
        category=facts.category,
        image=facts.image,
    )


def _check_wall(content: str) -> None:
    head = content[:4096].lower()
    if "<title>access denied</title>" in head or "errors.edgesuite.net" in head:
        raise blocked(
            "쿠팡이 접근을 차단했습니다 (Access Denied 페이지)",
            "Coupang refused access (its 'Access Denied' page)",
        )


class CoupangExtractor(Extractor):
    name = "coupang"
    needs_browser = False

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size

    def matches(self, url: str) -> bool:
        return parse_url(url) is not None

    async def pages(self, url: str, fetcher: Fetcher, limits: CrawlLimits) -> AsyncIterator[Page]:
        ids = parse_url(url)
        if ids is None:
            raise UnsupportedPage(f"쿠팡 상품 주소가 아닙니다 / not a Coupang product URL: {url}")
        pid = ids[0]
        page_url = product_url(*ids)
        result = await fetcher.get(page_url)
        _check_wall(result.text)
        facts = read_product(result.text, page_url)
        product = _product(facts, pid, page_url)
        headers = {"Referer": page_url}
        tally = Tally(limits)
        use_json = True
        number = 1
        while not tally.done:
            batch: ReviewBatch | None = None
            if use_json:
                try:
                    answer = await fetcher.get(json_reviews_url(pid, number, self.page_size), headers=headers)
                    batch = read_reviews(answer.text, facts.title)
                except FetchError as exc:
                    if exc.code != "http_4xx" or number > 1:
                        raise
                if batch is None and number == 1:
                    use_json = False  # this deployment has no JSON endpoint: the HTML one from now on
            if batch is None and not use_json:
                answer = await fetcher.get(html_reviews_url(pid, number, self.page_size), headers=headers)
                _check_wall(answer.text)
                batch = read_reviews(answer.text, facts.title)
            if batch is None:
                raise UnsupportedPage(
                    f"쿠팡 리뷰 응답을 읽을 수 없습니다 / unreadable Coupang review page {number} for {url}"
                )
            fresh = tally.take(list(batch.reviews))
            total = batch.total if batch.total is not None else product.review_count
            yield Page(number, product, fresh, total)
            last = batch.total_pages is not None and number >= batch.total_pages
            if not fresh or last or len(batch.reviews) < self.page_size:
                break
            number += 1

    def extract(self, content: str, url: str) -> Page:
        """A saved product page (metadata, plus reviews if a browser had rendered them), a review
        fragment, or a review JSON answer."""
        _check_wall(content)
        ids = parse_url(url)
        is_json = content.lstrip().startswith(("{", "["))
        facts = ProductFacts() if is_json else read_product(content, url)
        batch = read_reviews(content, facts.title)
        if batch is None and not (facts.title or facts.price):
            raise UnsupportedPage(
                "쿠팡 상품 페이지나 리뷰 응답이 아닙니다 / not a Coupang product page or review response"
            )
        pid = ids[0] if ids else facts.product_id
        item_ids = ids[1:] if ids else (None, None)
        product = _product(facts, pid, product_url(pid, *item_ids)) if pid else None
        reviews = list[RawReview](batch.reviews) if batch else []
        total = batch.total if batch and batch.total is not None else facts.review_count
        return Page(1, product, reviews, total)
