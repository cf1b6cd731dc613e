"""Naver SmartStore (스마트스토어) and brand store (브랜드스토어) product reviews.

Built in 2026-11 against the page state and review endpoint as public scrapers and saved pages show
them; UNVERIFIED against the live site until someone runs it there (Naver answers automated clients
with HTTP 429 quickly; the fetcher reports that as `blocked_by_site`).

- URLs: `https://smartstore.naver.com/<store>/products/<channelProductNo>`,
  `https://brand.naver.com/<store>/products/<id>` and their `m.` forms.
- Product page: its `window.__PRELOADED_STATE__ = {...}` JSON. `product.A` holds the product: name,
  `discountedSalePrice` (else `salePrice`), `representImage.url` / `productImages[]`,
  `category.wholeCategoryName` ("패션의류>여성의류>니트"), `reviewAmount.{totalReviewCount,
  averageReviewScore}` and `productNo` — the originProductNo the review endpoint wants. The merchantNo
  is `smartStoreV2.channel.payReferenceKey` (else `product.A.channel.naverPaySellerNo`).
- Reviews: `GET https://<host>/{i|n}/v1/reviews/paged-reviews?page=N&pageSize=20&merchantNo=<m>
  &originProductNo=<p>&sortType=REVIEW_CREATE_DATE_DESC` (`/i/` on smartstore, `/n/` on brand
  stores), newest first. Answer: `contents[]` with id, reviewScore (1-5), reviewContent, createDate
  (ISO, converted to KST), productOptionContent, writerMemberId (already masked), helpCount,
  reviewAttaches[].attachUrl; `totalElements`, `totalPages`, `last`. Stops at `last`, the last page, a
  page with nothing new, or the CrawlLimits. (The newer `query-pages` endpoint is a POST, which the
  Fetcher port cannot send yet.)
- `needs_browser` is False: the state is server-rendered and the reviews come from the JSON endpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode, urlsplit

from highpipe.crawl.base import CrawlLimits, Extractor, Page, UnsupportedPage
from highpipe.crawl.shop_common import (
    ShopReview,
    Tally,
    dig,
    embedded_json,
    find_key,
    integer,
    kst_datetime,
    number,
)
from highpipe.domain.identity import product_id
from highpipe.domain.models import Product
from highpipe.ports.fetch import Fetcher

SITE = "naver"
PAGE_SIZE = 20
STATE_MARKER = "window.__PRELOADED_STATE__"
_URL_RE = re.compile(r"^/(?P<store>[^/]+)/products/(?P<pid>\d+)/?$")
_API_PREFIX = {"smartstore.naver.com": "i", "brand.naver.com": "n"}


def parse_url(url: str) -> tuple[str, str, str] | None:
    """(canonical host, store, channel product no) for a SmartStore / brand-store product URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("m.")
    m = _URL_RE.match(parts.path)
    if parts.scheme not in ("http", "https") or host not in _API_PREFIX or not m:
        return None
    return host, m["store"], m["pid"]


def product_url(host: str, store: str, pid: str) -> str:
    return f"https://{host}/{store}/products/{pid}"


def reviews_url(host: str, merchant_no: str, origin_no: str, page: int, size: int = PAGE_SIZE) -> str:
    query = {"page": page, "pageSize": size, "merchantNo": merchant_no, "originProductNo": origin_no,
             "sortType": "REVIEW_CREATE_DATE_DESC"}  # fmt: skip
    return f"https://{host}/{_API_PREFIX[host]}/v1/reviews/paged-reviews?{urlencode(query)}"


def read_state(content: str) -> dict[str, Any] | None:
    state = embedded_json(content, STATE_MARKER)
    return state if isinstance(state, dict) else None


def _product_node(state: dict[str, Any]) -> dict[str, Any]:
    node = dig(state, "product", "A")
    if not isinstance(node, dict):
        node = dig(state, "product")
    return node if isinstance(node, dict) else {}


def review_keys(state: dict[str, Any]) -> tuple[str, str] | None:
    """(merchantNo, originProductNo) the review endpoint needs, from the page state."""
    node = _product_node(state)
    merchant = (
        dig(state, "smartStoreV2", "channel", "payReferenceKey")
        or dig(state, "smartStore", "channel", "payReferenceKey")
        or dig(node, "channel", "naverPaySellerNo")
        or find_key(state, "payReferenceKey")
        or find_key(state, "merchantNo")
    )
    origin = node.get("productNo") or find_key(state, "originProductNo")
    if merchant in (None, "") or origin in (None, ""):
        return None
    return str(merchant), str(origin)


def build_product(state: dict[str, Any], pid: str, url: str) -> Product:
    node = _product_node(state)
    price = number(dig(node, "benefitsView", "discountedSalePrice") or node.get("discountedSalePrice"))
    price = price if price is not None else number(node.get("salePrice"))
    images = node.get("productImages") or []
    image = dig(node, "representImage", "url") or next(
        (i.get("url") for i in images if isinstance(i, dict) and i.get("url")), None
    )
    category = dig(node, "category", "wholeCategoryName")
    return Product(
        product_id=product_id(SITE, pid),
        site=SITE,
        url=url,
        title=node.get("name") or node.get("productName") or None,
        price=price,
        currency="KRW" if price is not None else None,
        average_rating=number(dig(node, "reviewAmount", "averageReviewScore")),
        review_count=integer(dig(node, "reviewAmount", "totalReviewCount")),
        category=" > ".join(p.strip() for p in category.split(">")) if isinstance(category, str) else None,
        image=image if isinstance(image, str) else None,
    )


def read_reviews(data: Any) -> tuple[list[ShopReview], int | None, bool] | None:
    """(reviews, total, is_last) from a paged-reviews answer; None when it is not one."""
    items = dig(data, "contents")
    if not isinstance(items, list):
        return None
    reviews = []
    for item in items:
        if not isinstance(item, dict):
            continue
        attaches = item.get("reviewAttaches") or []
        reviews.append(
            ShopReview(
                text=str(item.get("reviewContent") or "").strip(),
                site_review_id=str(item["id"]) if item.get("id") is not None else None,
                rating=number(item.get("reviewScore")),
                date=kst_datetime(item.get("createDate")),
                author=item.get("writerMemberId") or item.get("writerMemberMaskedId") or None,
                option=item.get("productOptionContent") or None,
                helpful=integer(item.get("helpCount")),
                attachments=[
                    str(a["attachUrl"]) for a in attaches if isinstance(a, dict) and a.get("attachUrl")
                ],
            )
        )
    page, pages = integer(data.get("page")), integer(data.get("totalPages"))
    last = bool(data.get("last")) or (page is not None and pages is not None and page >= pages)
    return reviews, integer(data.get("totalElements")), last


class NaverStoreExtractor(Extractor):
    name = "naver"
    needs_browser = False

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size

    def matches(self, url: str) -> bool:
        return parse_url(url) is not None

    async def pages(self, url: str, fetcher: Fetcher, limits: CrawlLimits) -> AsyncIterator[Page]:
        parsed = parse_url(url)
        if parsed is None:
            raise UnsupportedPage(
                f"네이버 스토어 상품 주소가 아닙니다 / not a Naver store product URL: {url}"
            )
        host, store, pid = parsed
        page_url = product_url(host, store, pid)
        result = await fetcher.get(page_url)
        state = read_state(result.text)
        keys = review_keys(state) if state else None
        if state is None or keys is None:
            raise UnsupportedPage(
                "네이버 상품 페이지에서 상품 정보(__PRELOADED_STATE__)를 찾지 못했습니다 / "
                f"no product state (__PRELOADED_STATE__ with merchantNo and productNo) on {page_url}"
            )
        product = build_product(state, pid, page_url)
        tally = Tally(limits)
        number_ = 1
        while not tally.done:
            answer = await fetcher.get(
                reviews_url(host, *keys, number_, self.page_size), headers={"Referer": page_url}
            )
            try:
                read = read_reviews(json.loads(answer.text))
            except json.JSONDecodeError:
                read = None
            if read is None:
                raise UnsupportedPage(
                    f"네이버 리뷰 응답을 읽을 수 없습니다 / unreadable Naver review page {number_} for {url}"
                )
            reviews, total, last = read
            fresh = tally.take(list(reviews))
            yield Page(number_, product, fresh, total if total is not None else product.review_count)
            if last or not fresh:
                break
            number_ += 1

    def extract(self, content: str, url: str) -> Page:
        """A saved product page (its state: metadata) or a saved paged-reviews JSON answer."""
        parsed = parse_url(url)
        if content.lstrip().startswith("{"):
            try:
                read = read_reviews(json.loads(content))
            except json.JSONDecodeError:
                read = None
            if read is None:
                raise UnsupportedPage("네이버 리뷰 JSON이 아닙니다 / not a Naver paged-reviews answer")
            product = (
                Product(product_id=product_id(SITE, parsed[2]), site=SITE, url=product_url(*parsed))
                if parsed
                else None
            )
            return Page(1, product, list(read[0]), read[1])
        state = read_state(content)
        node = _product_node(state) if state else {}
        pid = parsed[2] if parsed else str(node.get("id") or "")
        if state is None or not node or not pid:
            raise UnsupportedPage(
                "네이버 스토어 상품 페이지나 리뷰 JSON이 아닙니다 / not a Naver store product page or review JSON"
            )
        product = build_product(state, pid, product_url(*parsed) if parsed else url)
        return Page(1, product, [], product.review_count)
