"""Generic extractor: any page with schema.org Product / Review markup, as JSON-LD or microdata.

- URL: any http(s) page; `matches()` is always False (the registry uses this one last).
- Reads JSON-LD (`<script type="application/ld+json">`, single objects, lists and `@graph`, with `{"@id"}`
  references resolved) and microdata (`itemscope`/`itemprop`/`itemref`/`itemid`) into the same node shape.
- Product: name, sku (else productID / mpn / gtin), offers price and currency, image, category,
  aggregateRating (ratingValue / reviewCount / bestRating, normalised to 5). `product_id` is
  `<host>:<sku>`, else `<host>:` + sha256(canonical URL)[:16]; `site` is the host name.
- Reviews: every node typed `*Review`: reviewBody (else description, else name), reviewRating
  (ratingValue / bestRating -> `rating_scale`), author (text or Person), datePublished (naive -> UTC),
  name as title, `@id` / identifier as the site's review id.
- Pagination: `<link rel="next">` or `<a rel="next">` on the same scheme and host, until the limits,
  a page with no new review, or a URL seen before.
- A first page with no Product and no Review raises UnsupportedPage naming the supported sites.
- Browser fallback (`crawl.render`): when the first page has no review and looks script-rendered, it is
  rendered in a browser, and so is every following page; with `render_mode` "always" every page is.
  Without a browser such a page fails with `needs_browser` (a truthful reason, not "0 reviews").

Markup reading lives in `schema_org_markup.py`.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from highpipe.crawl.base import CrawlLimits, Extractor, Page, UnsupportedPage
from highpipe.crawl.render import looks_script_rendered, render, render_mode
from highpipe.crawl.schema_org_markup import (
    Node,
    jsonld_nodes,
    microdata_nodes,
    parse_date,
    parse_html,
    types_of,
    walk,
)
from highpipe.domain.identity import product_id as make_product_id
from highpipe.domain.models import Product
from highpipe.domain.raw import RawReview
from highpipe.ports.fetch import Fetcher

# ---- values ----------------------------------------------------------------------------------------


def _first(value: Any) -> Any:
    return (value[0] if value else None) if isinstance(value, list) else value


def _text(value: Any, *, multiline: bool = False) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = html.unescape(re.sub(r"<br\s*/?>", "\n", value, flags=re.I))
    value = re.sub(r"<[^>]+>", "", value)
    if multiline:
        lines = (" ".join(line.split()) for line in value.splitlines())
        return "\n".join(line for line in lines if line) or None
    return " ".join(value.split()) or None


def _number(value: Any) -> float | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        cleaned = re.sub(r"[^\d.\-]", "", value.replace(",", ""))
        try:
            return float(cleaned)
        except ValueError:
            return None
    return None


def _price(offers: Any) -> tuple[float | None, str | None]:
    for offer in offers if isinstance(offers, list) else [offers]:
        if not isinstance(offer, dict):
            continue
        spec = _first(offer.get("priceSpecification"))
        spec = spec if isinstance(spec, dict) else {}
        price = _number(offer.get("price", offer.get("lowPrice", spec.get("price"))))
        if price is not None:
            return price, _text(offer.get("priceCurrency", spec.get("priceCurrency")))
    return None, None


def _image(value: Any, base_url: str) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("url", value.get("contentUrl"))
    text = _text(value)
    return urljoin(base_url, text) if text else None


# ---- nodes to domain objects ----------------------------------------------------------------------


@dataclass(slots=True)
class ParsedPage:
    product: Node | None
    reviews: list[RawReview] = field(default_factory=list)
    next_url: str | None = None
    canonical: str | None = None
    title: str | None = None


def parse_page(content: str, url: str) -> ParsedPage:
    root = parse_html(content)
    if root is None:
        return ParsedPage(None)
    nodes = list(walk([*jsonld_nodes(root), *microdata_nodes(root, url)]))
    products = [
        n for n in nodes if types_of(n) & {"product", "productgroup", "productmodel", "individualproduct"}
    ]
    product = max(products, key=_product_score, default=None)  # first of the best on ties
    reviews = [r for n in nodes if any(t.endswith("review") for t in types_of(n)) if (r := _review(n))]
    parts = urlsplit(url)
    next_url = canonical = None
    for el in root.iter("link", "a"):
        rel = (el.get("rel") or "").lower().split()
        href = (el.get("href") or "").strip()
        if not href:
            continue
        target = urljoin(url, href)
        same_site = urlsplit(target)[:2] == parts[:2]
        if "next" in rel and next_url is None and same_site:
            next_url = target
        if "canonical" in rel and canonical is None and same_site:
            canonical = target
    title = _text(root.findtext(".//title"))
    return ParsedPage(product, _dedupe(reviews), next_url, canonical, title)


def _product_score(node: Node) -> int:
    return sum((bool(node.get("name")), 2 * bool(node.get("offers")), 2 * bool(node.get("aggregateRating")),
                3 * bool(node.get("review") or node.get("reviews")), bool(node.get("sku"))))  # fmt: skip


def _review(node: Node) -> RawReview | None:
    text = _text(node.get("reviewBody"), multiline=True) or _text(node.get("description"), multiline=True)
    title = _text(node.get("name")) or _text(node.get("headline"))
    if not text:
        text, title = title, None
    if not text:
        return None
    rating_node = _first(node.get("reviewRating"))
    rating = best = None
    if isinstance(rating_node, dict):
        rating, best = _number(rating_node.get("ratingValue")), _number(rating_node.get("bestRating"))
    else:
        rating = _number(rating_node)
    if best is None or best <= 0:
        # No bestRating: schema.org's default is 5; a larger value must be on a bigger scale.
        best = 5.0 if rating is None or rating <= 5 else 10.0 if rating <= 10 else 100.0
    identifier = _first(node.get("identifier"))
    if isinstance(identifier, dict):  # a PropertyValue
        identifier = identifier.get("value", identifier.get("@value"))
    review_id = _text(node.get("@id")) or _text(identifier)
    helpful = _number(node.get("upvoteCount"))
    return RawReview(
        text=text,
        site_review_id=review_id,
        rating=rating,
        rating_scale=max(1, round(best)),
        title=title,
        date=parse_date(_text(node.get("datePublished")) or _text(node.get("dateCreated"))),
        author=_text(node.get("author")),
        helpful=int(helpful) if helpful is not None else None,
    )


def _dedupe(reviews: list[RawReview]) -> list[RawReview]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for r in reviews:
        key = _review_key(r)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _review_key(r: RawReview) -> tuple[object, ...]:
    return ("id", r.site_review_id) if r.site_review_id else ("body", r.author, r.date, r.text)


def build_product(parsed: ParsedPage, url: str) -> Product:
    host = (urlsplit(url).hostname or "unknown").lower()
    node = parsed.product or {}
    sku = next((s for k in ("sku", "productID", "mpn", "gtin13", "gtin", "gtin14", "gtin12", "gtin8")
                if (s := _text(node.get(k)))), None)  # fmt: skip
    key = sku or hashlib.sha256((parsed.canonical or url.split("#")[0]).encode()).hexdigest()[:16]
    price, currency = _price(node.get("offers"))
    agg = _first(node.get("aggregateRating"))
    agg = agg if isinstance(agg, dict) else {}
    average, best = _number(agg.get("ratingValue")), _number(agg.get("bestRating")) or 5.0
    count = _number(agg.get("reviewCount")) or _number(agg.get("ratingCount"))
    category = _first(node.get("category"))
    return Product(
        product_id=make_product_id(host, key),
        site=host,
        url=url,
        title=_text(node.get("name")) or parsed.title,
        price=price,
        currency=currency,
        average_rating=round(average * 5.0 / best, 2) if average is not None and best > 0 else None,
        review_count=int(count) if count is not None else None,
        category=_text(category),
        image=_image(node.get("image"), url),
    )


def _unsupported(url: str) -> UnsupportedPage:
    from highpipe.crawl.registry import unsupported_message  # the registry imports this module lazily

    return UnsupportedPage(unsupported_message(url))


class SchemaOrgExtractor(Extractor):
    name = "web"
    needs_browser = False  # plain HTTP first; falls back to the browser per page (see pages())

    def matches(self, url: str) -> bool:
        return False

    def extract(self, content: str, url: str) -> Page:
        parsed = parse_page(content, url)
        if parsed.product is None and not parsed.reviews:
            raise _unsupported(url)
        product = build_product(parsed, url)
        return Page(1, product, parsed.reviews, product.review_count)

    async def pages(self, url: str, fetcher: Fetcher, limits: CrawlLimits) -> AsyncIterator[Page]:
        seen_urls = {url}
        seen_reviews: set[tuple[object, ...]] = set()
        collected = number = 0
        product: Product | None = None
        current: str | None = url
        browser = render_mode(fetcher) == "always"
        while current is not None and number < limits.max_pages and collected < limits.max_reviews:
            result = await (render(fetcher, current) if browser else fetcher.get(current))
            parsed = parse_page(result.text, result.url)
            if not number and not browser and not parsed.reviews and looks_script_rendered(result.text):
                # Reviews drawn by script: render this page in a browser, and the following ones too.
                # Without a browser this raises FetchError("needs_browser") rather than report 0 reviews.
                browser = True
                result = await render(fetcher, current)
                parsed = parse_page(result.text, result.url)
            number += 1
            if product is None:
                if parsed.product is None and not parsed.reviews:
                    raise _unsupported(current)
                product = build_product(parsed, result.url)
            fresh = [r for r in parsed.reviews if _review_key(r) not in seen_reviews]
            seen_reviews.update(_review_key(r) for r in fresh)
            fresh = fresh[: limits.max_reviews - collected]
            collected += len(fresh)
            yield Page(number, product, fresh, product.review_count)
            if not fresh or parsed.next_url in seen_urls:
                break
            current = parsed.next_url
            if current is not None:
                seen_urls.add(current)
