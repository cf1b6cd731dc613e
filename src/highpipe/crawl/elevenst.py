"""11st (11번가) product reviews — the least certain of the shop extractors.

Built in 2026-11 from what public scrapers show of 11st's review list (the HTML the product page loads
into its review tab); the class names below are the weakest-sourced of all the extractors. UNVERIFIED
against the live site until someone runs it there: expect to update the fixture and this module then.

- URLs: `https://www.11st.co.kr/products/<prdNo>` (also `/products/pa/<prdNo>`, `m.11st.co.kr/products/
  [m/]<prdNo>`, and the old `SellerProductDetail.tmall?...&prdNo=<prdNo>`).
- Product page: schema.org JSON-LD when present, else `og:title` / `og:image`, price
  `product:price:amount` or `.price_block .value` / `dl.price .value`, rating `.c_product_rating .num`,
  count `.c_product_review_count .num`, category `.c_product_breadcrumb a`.
- Reviews: `GET /product/SellerProductDetail.tmall?method=getProductReviewList&prdNo=<id>&page=N
  &pageTypCd=first&reviewDispYn=Y&isPreview=false&reviewOptDispYn=Y&pageSize=10&isIgnoreAuth=false`
  (HTML). One `li.review_list_element` per review: author `.c_product_reviewer .name`, stars in
  `.c_seller_grade` ("판매자 평점 별5개 중 4개", or a `star_4` / `point_4` class), date `.date`
  ("2026.11.02", KST), option `.option`, body `.cont_text`, helpful `.c_product_btn_like .num`,
  review id `data-contmapno` (none otherwise), photos `.photo img`. Stops at an empty or short page,
  a page with nothing new, or the CrawlLimits.
- `needs_browser` is False: the review list is server-rendered HTML.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlencode, urlsplit

from highpipe.crawl.base import CrawlLimits, Extractor, Page, UnsupportedPage
from highpipe.crawl.schema_org_markup import parse_html
from highpipe.crawl.shop_common import (
    Element,
    ShopReview,
    Tally,
    absolute,
    elements,
    find_text,
    first,
    has_class,
    integer,
    kst_datetime,
    meta,
    multiline_text,
    number,
    schema_product,
    strings,
    text_of,
)
from highpipe.domain.identity import product_id
from highpipe.domain.models import Product
from highpipe.domain.raw import RawReview
from highpipe.ports.fetch import Fetcher

SITE = "11st"
BASE = "https://www.11st.co.kr"
PAGE_SIZE = 10
_HOSTS = frozenset({"www.11st.co.kr", "11st.co.kr", "m.11st.co.kr"})
_PATH_RE = re.compile(r"^/products/(?:pa/|m/)?(\d+)/?$")
_STAR_CLASS = re.compile(r"\b(?:star|point|grade)_?(\d)(?:0)?\b")


def parse_url(url: str) -> str | None:
    """The prdNo of an 11st product or review-list URL, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in _HOSTS:
        return None
    m = _PATH_RE.match(parts.path)
    if m:
        return m.group(1)
    prd = (parse_qs(parts.query).get("prdNo") or [""])[0]
    return prd if parts.path.endswith(".tmall") and prd.isdigit() else None


def product_url(prd_no: str) -> str:
    return f"{BASE}/products/{prd_no}"


def reviews_url(prd_no: str, page: int, size: int = PAGE_SIZE) -> str:
    query = {"method": "getProductReviewList", "prdNo": prd_no, "page": page, "pageTypCd": "first",
             "reviewDispYn": "Y", "isPreview": "false", "reviewOptDispYn": "Y", "pageSize": size,
             "isIgnoreAuth": "false"}  # fmt: skip
    return f"{BASE}/product/SellerProductDetail.tmall?{urlencode(query)}"


def _stars(el: Element | None) -> float | None:
    if el is None:
        return None
    for node in el.iter():
        m = _STAR_CLASS.search(node.get("class") or "") if isinstance(node.tag, str) else None
        if m and 0 < int(m.group(1)) <= 5:
            return float(m.group(1))
    text = text_of(el) or ""
    m = re.search(r"중\s*(\d(?:\.\d)?)", text)
    value = float(m.group(1)) if m else number(text)
    return value if value is not None and 0 < value <= 5 else None


def read_reviews(content: str) -> list[ShopReview] | None:
    """Reviews in a review-list answer; None when the page is not one."""
    root = parse_html(content)
    if root is None:
        return [] if not content.strip() else None
    items = elements(root, f"//li[{has_class('review_list_element')}]")
    if not items and "review" not in content:
        return None
    reviews = []
    for li in items:
        like = first(li, f".//*[{has_class('c_product_btn_like')}]")
        ids = strings(li, ".//@data-contmapno") or strings(li, "@data-contmapno")
        # The li's id ("review-list-page-area-3") is a position on the page, not an identity: without
        # data-contmapno the review has no id and is keyed by author, date and text downstream.
        review_id = str(ids[0]).strip() if ids else None
        reviews.append(
            ShopReview(
                text=multiline_text(first(li, f".//*[{has_class('cont_text')}]")) or "",
                site_review_id=review_id or None,
                rating=_stars(first(li, f".//*[{has_class('c_seller_grade')}]")),
                date=kst_datetime(find_text(li, f".//*[{has_class('date')}]")),
                author=find_text(li, f".//*[{has_class('c_product_reviewer')}]//*[{has_class('name')}]"),
                option=(find_text(li, f".//*[{has_class('option')}]") or "").removeprefix("[옵션]").strip()
                or None,
                helpful=integer(find_text(like, f".//*[{has_class('num')}]")) if like is not None else None,
                attachments=[
                    a
                    for src in strings(li, f".//*[{has_class('photo')}]//img/@src")
                    if (a := absolute(str(src)))
                ],
            )
        )
    return reviews


def read_product(content: str, prd_no: str, url: str) -> Product | None:
    root = parse_html(content)
    if root is None:
        return None
    schema = schema_product(content, url)
    title = (schema.title if schema else None) or find_text(
        root, f"//*[{has_class('c_product_info_title')}]//h1"
    )
    if title is None and (og := meta(root, "og:title")):
        title = re.sub(r"^\[11번가\]\s*|\s*-\s*11번가$", "", og).strip() or None
    price = (schema.price if schema else None) or number(meta(root, "product:price:amount"))
    if price is None:
        price = number(
            find_text(root, f"//*[{has_class('price_block')}]//*[{has_class('value')}]")
            or find_text(root, f"//dl[{has_class('price')}]//*[{has_class('value')}]")
        )
    crumbs = [text_of(a) for a in elements(root, f"//*[{has_class('c_product_breadcrumb')}]//a")]
    names = [c for c in crumbs if c and c != "홈"]
    if title is None and price is None:
        return None
    return Product(
        product_id=product_id(SITE, prd_no),
        site=SITE,
        url=product_url(prd_no),
        title=title,
        price=price,
        currency="KRW" if price is not None else None,
        average_rating=(schema.average_rating if schema else None)
        or number(find_text(root, f"//*[{has_class('c_product_rating')}]//*[{has_class('num')}]")),
        review_count=(schema.review_count if schema else None)
        or integer(find_text(root, f"//*[{has_class('c_product_review_count')}]//*[{has_class('num')}]")),
        category=(schema.category if schema else None) or (" > ".join(names) or None),
        image=(schema.image if schema else None) or absolute(meta(root, "og:image")),
    )


class ElevenStreetExtractor(Extractor):
    name = "11st"
    needs_browser = False

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size

    def matches(self, url: str) -> bool:
        return parse_url(url) is not None

    async def pages(self, url: str, fetcher: Fetcher, limits: CrawlLimits) -> AsyncIterator[Page]:
        prd_no = parse_url(url)
        if prd_no is None:
            raise UnsupportedPage(f"11번가 상품 주소가 아닙니다 / not an 11st product URL: {url}")
        result = await fetcher.get(product_url(prd_no))
        product = read_product(result.text, prd_no, result.url)
        if product is None:
            raise UnsupportedPage(f"11번가 상품 페이지가 아닙니다 / not an 11st product page: {result.url}")
        tally = Tally(limits)
        page_no = 1
        while not tally.done:
            answer = await fetcher.get(
                reviews_url(prd_no, page_no, self.page_size), headers={"Referer": product.url or ""}
            )
            reviews = read_reviews(answer.text)
            if reviews is None:
                raise UnsupportedPage(
                    f"11번가 리뷰 목록을 읽을 수 없습니다 / unreadable 11st review page {page_no} for {url}"
                )
            fresh = tally.take(list(reviews))
            yield Page(page_no, product, fresh, product.review_count)
            if not fresh or len(reviews) < self.page_size:
                break
            page_no += 1

    def extract(self, content: str, url: str) -> Page:
        """A saved product page (metadata) or review-list page (reviews)."""
        found = re.search(r"11st\.co\.kr/products/(\d+)|prdNo\W{1,3}(\d+)", content)
        prd_no = parse_url(url) or (found.group(1) or found.group(2) if found else None)
        product = read_product(content, prd_no, url) if prd_no else None
        reviews = read_reviews(content) or []
        if product is None and not reviews:
            raise UnsupportedPage("11번가 상품/리뷰 페이지가 아닙니다 / not an 11st product or review page")
        if product is None and prd_no:
            product = Product(product_id=product_id(SITE, prd_no), site=SITE, url=product_url(prd_no))
        return Page(1, product, list[RawReview](reviews), product.review_count if product else None)
