"""Reading Coupang's pages: the product page (SDP), the review-list HTML fragment and the review JSON.

Built in 2026-11 against Coupang's markup as public scrapers and saved pages describe it; UNVERIFIED
against the live site until someone runs it there. What each reader expects:

- Product page (`/vp/products/<id>`): schema.org JSON-LD first when present, then the SDP classes —
  title `h1.product-title` / `.prod-buy-header__title`, price `.total-price strong` /
  `.final-price-amount`, average rating `.rating-star-num` (style `width: 90%` -> 4.5), count
  `.count` ("12,345개 상품평"), category `#breadcrumb a`, image `.prod-image__detail`; `og:*` as last
  resort.
- Review fragment (`/vp/product/reviews?...`): one `article.sdp-review__article__list` per review —
  author `...__info__user__name`, stars `data-rating` on `...__product-info__star-orange` (or its width),
  date `...__product-info__reg-date` ("2026.11.02", KST), option `...__product-info__name`, headline
  `...__headline`, body `...__review__content` (survey answers when there is no body), helpful count
  `data-count` / `.js_reviewArticleHelpfulCount`, review id `data-review-id`, photos `img` in
  `...__attachment`.
- Review JSON (`/next-api/review?...`): `rData.reviewList[]` with reviewId, rating, title, content,
  reviewAt (epoch ms), displayName, itemName, helpfulTrueCount, attachments[].imgSrcOrigin; paging in
  `rData.paging` (totalPage, totalCount).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from highpipe.crawl.schema_org_markup import parse_html
from highpipe.crawl.shop_common import (
    Element,
    ShopReview,
    absolute,
    dig,
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

SITE = "coupang"
_A = "sdp-review__article__list"
_WIDTH_RE = re.compile(r"width\s*:\s*([\d.]+)\s*%")


@dataclass(slots=True)
class ReviewBatch:
    reviews: list[ShopReview] = field(default_factory=list)
    total: int | None = None
    total_pages: int | None = None


@dataclass(slots=True)
class ProductFacts:
    title: str | None = None
    price: float | None = None
    average_rating: float | None = None
    review_count: int | None = None
    category: str | None = None
    image: str | None = None
    product_id: str | None = None


def _width_stars(el: Element | None) -> float | None:
    m = _WIDTH_RE.search(el.get("style") or "") if el is not None else None
    return round(float(m.group(1)) / 20, 1) if m else None


def read_product(content: str, url: str) -> ProductFacts:
    facts = ProductFacts()
    root = parse_html(content)
    if root is None:
        return facts
    schema = schema_product(content, url)
    if schema is not None:
        facts.title, facts.price, facts.image = schema.title, schema.price, schema.image
        facts.average_rating, facts.review_count = schema.average_rating, schema.review_count
        facts.category = schema.category
    facts.title = (
        facts.title
        or find_text(root, f"//h1[{has_class('product-title')}]")
        or find_text(root, f"//*[{has_class('prod-buy-header__title')}]")
        or meta(root, "og:title")
    )
    if facts.price is None:
        price = find_text(root, f"//*[{has_class('total-price')}]//strong") or find_text(
            root, f"//*[{has_class('final-price-amount')}]"
        )
        facts.price = number(price)
    if facts.average_rating is None:
        facts.average_rating = _width_stars(first(root, f"//*[{has_class('rating-star-num')}]"))
    if facts.review_count is None:
        facts.review_count = integer(
            find_text(root, f"//*[{has_class('prod-rating-container')}]//*[{has_class('count')}]")
            or find_text(root, f"//*[{has_class('rating-count-txt')}]")
        )
    if facts.category is None:
        crumbs = [text_of(a) for a in elements(root, "//*[@id='breadcrumb']//a")]
        names = [c for c in crumbs if c and c != "쿠팡 홈" and c != "홈"]
        facts.category = " > ".join(names) or None
    if facts.image is None:
        img = first(root, f"//img[{has_class('prod-image__detail')}]")
        facts.image = absolute((img.get("src") if img is not None else None) or meta(root, "og:image"))
    found = re.search(r"/vp/products/(\d+)", meta(root, "og:url") or "") or re.search(
        r"""["']?productId["']?\s*[:=]\s*["']?(\d+)""", content
    )
    facts.product_id = found.group(1) if found else None
    return facts


def _strip_title(option: str | None, title: str | None) -> str | None:
    """Coupang prints "<product title>, <option>"; keep the option part when the title is known."""
    if option and title and option.startswith(title):
        return option[len(title) :].lstrip(" ,") or None
    return option


def read_fragment(content: str, title: str | None = None) -> ReviewBatch:
    """Reviews from the server-rendered review-list fragment."""
    root = parse_html(content)
    if root is None:
        return ReviewBatch()
    reviews = []
    for article in elements(root, f"//article[{has_class(_A)}]"):
        star = first(article, f".//*[{has_class(_A + '__info__product-info__star-orange')}]")
        rating = number(star.get("data-rating")) if star is not None else None
        rating = rating if rating is not None else _width_stars(star)
        body = multiline_text(first(article, f".//*[{has_class(_A + '__review__content')}]"))
        if body is None:  # rating-and-survey-only reviews: the survey answers are what they said
            rows = [text_of(r) for r in elements(article, f".//*[{has_class(_A + '__survey__row')}]")]
            body = "\n".join(r for r in rows if r) or None
        helpful_el = first(article, f".//*[{has_class(_A + '__help')}]")
        helpful = integer(helpful_el.get("data-count")) if helpful_el is not None else None
        if helpful is None:
            helpful = integer(find_text(article, f".//*[{has_class('js_reviewArticleHelpfulCount')}]"))
        ids = strings(article, ".//@data-review-id") or strings(article, "@data-review-id")
        images = strings(article, f".//*[{has_class(_A + '__attachment')}]//img/@src")
        reviews.append(
            ShopReview(
                text=body or "",
                site_review_id=str(ids[0]).strip() if ids else None,
                rating=rating,
                title=find_text(article, f".//*[{has_class(_A + '__headline')}]"),
                date=kst_datetime(
                    find_text(article, f".//*[{has_class(_A + '__info__product-info__reg-date')}]")
                ),
                author=find_text(article, f".//*[{has_class(_A + '__info__user__name')}]"),
                option=_strip_title(
                    find_text(article, f".//*[{has_class(_A + '__info__product-info__name')}]"), title
                ),
                helpful=helpful,
                attachments=[a for src in images if (a := absolute(str(src)))],
            )
        )
    return ReviewBatch(reviews)


def read_json(data: Any, title: str | None = None) -> ReviewBatch | None:
    """Reviews from the JSON review API; None when `data` is not that JSON."""
    payload = dig(data, "rData") if isinstance(dig(data, "rData"), dict) else data
    items = dig(payload, "reviewList")
    if not isinstance(items, list):
        return None
    reviews = []
    for item in items:
        if not isinstance(item, dict):
            continue
        attachments = item.get("attachments") or []
        reviews.append(
            ShopReview(
                text=str(item.get("content") or "").strip(),
                site_review_id=str(item["reviewId"]) if item.get("reviewId") is not None else None,
                rating=number(item.get("rating")),
                title=(str(item.get("title") or "").strip() or None),
                date=kst_datetime(item.get("reviewAt") or item.get("createdAt")),
                author=item.get("displayName") or None,
                option=_strip_title(item.get("itemName") or None, title),
                helpful=integer(item.get("helpfulTrueCount")),
                attachments=[
                    a
                    for att in attachments
                    if isinstance(att, dict)
                    if (a := absolute(att.get("imgSrcOrigin") or att.get("imgSrc")))
                ],
            )
        )
    paging = dig(payload, "paging") or {}
    return ReviewBatch(reviews, integer(paging.get("totalCount")), integer(paging.get("totalPage")))


def read_reviews(content: str, title: str | None = None) -> ReviewBatch | None:
    """JSON or HTML, whichever `content` is; None when it is neither Coupang review format."""
    stripped = content.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return read_json(json.loads(stripped), title)
        except json.JSONDecodeError:
            return None
    if "sdp-review" not in content:
        if not stripped:  # past the last page the endpoint may answer an empty body
            return ReviewBatch()
        return None
    return read_fragment(content, title)
