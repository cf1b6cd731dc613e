"""Keyword search result pages -> candidate products a user can pick to analyse (Coupang, Naver).

Built in 2026-11 against the search pages as public scrapers and saved pages describe them; UNVERIFIED
against the live sites until someone runs it there. No I/O here: fetch `search_url(site, keyword)`
with the crawl Fetcher (robots.txt applies: Coupang's may well forbid /np/search) and hand the text to
`parse_search(site, content)`; `rank(candidates, keyword)` orders them for display.

- Coupang (`https://www.coupang.com/np/search?q=<kw>&channel=user&page=N&listSize=36`): the classic
  list `li.search-product` (name `.name`, price `.price-value`, rating `em.rating`, count
  `.rating-total-count` "(12345)", link `a.search-product-link`, image `.search-product-wrap-img`),
  or the newer CSS-module list (`li.ProductUnit_productUnit__*`, `ProductUnit_productName__*`,
  `Price_priceValue__*`, `ProductRating_star__*` width %, `ProductRating_ratingCount__*`). Ads
  (`search-product__ad-badge`, `AdMark_*`) are dropped; links are reduced to the canonical
  `/vp/products/<id>?itemId=&vendorItemId=`.
- Naver (`https://search.shopping.naver.com/search/all?query=<kw>&pagingIndex=N&pagingSize=40`): the
  `<script id="__NEXT_DATA__">` JSON, `props.pageProps.initialState.products.list[].item` with
  productTitle, price / lowPrice, scoreInfo, reviewCount (or reviewCountSum), mallProductUrl / crUrl,
  imageUrl; items with an `adId` are ads and dropped. Also the Naver Shopping Open API answer
  (`{"items": [{title, link, image, lprice}]}`, titles carry <b> tags; no rating or review count).
- The HighPipe demo shop (`<demo base>/search?q=<kw>`, e.g. http://127.0.0.1:8000/demo/search?q=티셔츠):
  `li.search-item` rows with `a.item-link`, `.item-title`, and data-value on `.item-price`,
  `.item-rating`, `.item-reviews`; built alongside the shop, so verified.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from highpipe.crawl.base import UnsupportedPage
from highpipe.crawl.coupang import product_url as coupang_product_url
from highpipe.crawl.schema_org_markup import parse_html
from highpipe.crawl.shop_common import (
    Element,
    absolute,
    class_prefix,
    dig,
    elements,
    find_text,
    first,
    first_of,
    has_class,
    integer,
    number,
)

SEARCH_SITES = ("coupang", "naver", "demo")
DEFAULT_DEMO_BASE = "http://127.0.0.1:8000/demo"
_WIDTH_RE = re.compile(r"width\s*:\s*([\d.]+)\s*%")


@dataclass(frozen=True, slots=True)
class Candidate:
    title: str
    price: float | None
    rating: float | None
    review_count: int | None
    url: str
    image: str | None = None


def search_url(site: str, keyword: str, page: int = 1, *, demo_base: str = DEFAULT_DEMO_BASE) -> str:
    """The search page to fetch; `demo_base` is where the demo shop lives (only for site "demo")."""
    site = _site(site)
    if site == "demo":
        return f"{demo_base.rstrip('/')}/search?{urlencode({'q': keyword})}"
    if site == "coupang":
        query = {"q": keyword, "channel": "user", "page": page, "listSize": 36}
        return f"https://www.coupang.com/np/search?{urlencode(query)}"
    query = {"query": keyword, "pagingIndex": page, "pagingSize": 40, "sort": "rel"}
    return f"https://search.shopping.naver.com/search/all?{urlencode(query)}"


def parse_search(site: str, content: str, page_url: str | None = None) -> list[Candidate]:
    """Candidates in page order, ads left out; UnsupportedPage if `content` is no search page.
    `page_url` (the fetched page's URL) makes the demo shop's relative links absolute."""
    name = _site(site)
    if name == "demo":
        return _demo(content, page_url)
    return _coupang(content) if name == "coupang" else _naver(content)


def rank(candidates: list[Candidate], keyword: str) -> list[Candidate]:
    """Titles containing more of the keyword's words first, then those with reviews to analyse, then
    the site's own order (its relevance ranking)."""
    words = [w for w in keyword.lower().split() if w]

    def key(item: tuple[int, Candidate]) -> tuple[int, int, int]:
        position, c = item
        title = c.title.lower()
        return (-sum(w in title for w in words), 0 if c.review_count else 1, position)

    return [c for _, c in sorted(enumerate(candidates), key=key)]


def _site(site: str) -> str:
    name = site.strip().lower()
    aliases = {
        "쿠팡": "coupang",
        "네이버": "naver",
        "smartstore": "naver",
        "naver_shopping": "naver",
        "데모": "demo",
    }
    name = aliases.get(name, name)
    if name not in SEARCH_SITES:
        raise UnsupportedPage(
            f"검색을 지원하지 않는 사이트입니다: {site} (지원: {', '.join(SEARCH_SITES)}) / "
            f"keyword search is not supported for {site!r} (supported: {', '.join(SEARCH_SITES)})"
        )
    return name


# ---- Coupang ---------------------------------------------------------------------------------------


def _coupang_link(href: str | None) -> str | None:
    if not href:
        return None
    url = urljoin("https://www.coupang.com/", href)
    m = re.search(r"/vp/products/(\d+)", urlsplit(url).path)
    if not m:
        return None
    query = parse_qs(urlsplit(url).query)
    item, vendor = (query.get("itemId") or [""])[0], (query.get("vendorItemId") or [""])[0]
    return coupang_product_url(m.group(1), item or None, vendor or None)


def _coupang_item(li: Element) -> Candidate | None:
    link = first(li, ".//a[contains(@href, '/vp/products/')]")
    url = _coupang_link(link.get("href") if link is not None else None)
    title = find_text(li, f".//*[{has_class('name')}]") or find_text(
        li, f".//*[{class_prefix('ProductUnit_productName')}]"
    )
    if url is None or title is None:
        return None
    price = find_text(li, f".//*[{has_class('price-value')}]") or find_text(
        li, f".//*[{class_prefix('Price_priceValue')}]"
    )
    rating = number(find_text(li, f".//em[{has_class('rating')}]"))
    if rating is None:
        star = first(li, f".//*[{class_prefix('ProductRating_star')}]")
        m = _WIDTH_RE.search(star.get("style") or "") if star is not None else None
        rating = round(float(m.group(1)) / 20, 1) if m else None
    count = find_text(li, f".//*[{has_class('rating-total-count')}]") or find_text(
        li, f".//*[{class_prefix('ProductRating_ratingCount')}]"
    )
    img = first_of(li, f".//img[{has_class('search-product-wrap-img')}]", ".//img")
    image = (img.get("data-img-src") or img.get("src")) if img is not None else None
    return Candidate(title, number(price), rating, integer(count), url, absolute(image))


def _coupang(content: str) -> list[Candidate]:
    root = parse_html(content)
    items = (
        elements(
            root, f"//li[{has_class('search-product')}] | //li[{class_prefix('ProductUnit_productUnit')}]"
        )
        if root is not None
        else []
    )
    if not items:
        if root is not None and ("search-no-result" in content or "검색결과가 없습니다" in content):
            return []
        raise UnsupportedPage("쿠팡 검색 결과 페이지가 아닙니다 / not a Coupang search result page")
    out = []
    for li in items:
        ad = has_class("search-product__ad-badge")
        if elements(li, f"self::*[{ad}] | .//*[{has_class('ad-badge')}] | .//*[{class_prefix('AdMark_')}]"):
            continue
        candidate = _coupang_item(li)
        if candidate is not None:
            out.append(candidate)
    return out


# ---- Naver -----------------------------------------------------------------------------------------


def _naver_json(content: str) -> Any:
    text = content.lstrip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return None
    root = parse_html(content)
    script = first(root, "//script[@id='__NEXT_DATA__']") if root is not None else None
    if script is None or not script.text:
        return None
    try:
        return json.loads(script.text)
    except json.JSONDecodeError:
        return None


def _plain(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(unescape(re.sub(r"<[^>]+>", "", value)).split()) or None


def _naver(content: str) -> list[Candidate]:
    data = _naver_json(content)
    listing = dig(data, "props", "pageProps", "initialState", "products", "list")
    if isinstance(listing, list):
        out = []
        for entry in listing:
            item = dig(entry, "item") if isinstance(dig(entry, "item"), dict) else entry
            if not isinstance(item, dict) or item.get("adId"):
                continue
            title = _plain(item.get("productTitle") or item.get("productName"))
            url = item.get("mallProductUrl") or item.get("crUrl") or item.get("productUrl")
            if not title or not isinstance(url, str):
                continue
            price = number(item.get("price")) or number(item.get("lowPrice"))
            count = integer(item.get("reviewCount") or item.get("reviewCountSum"))
            image = item.get("imageUrl")
            rating = number(item.get("scoreInfo"))
            out.append(Candidate(title, price, rating, count, url, image if isinstance(image, str) else None))
        return out
    items = dig(data, "items")
    if isinstance(items, list):  # the Open API: no rating, no review count
        return [
            Candidate(title, number(i.get("lprice")), None, None, i["link"], _plain(i.get("image")))
            for i in items
            if isinstance(i, dict) and (title := _plain(i.get("title"))) and isinstance(i.get("link"), str)
        ]
    raise UnsupportedPage("네이버 쇼핑 검색 결과가 아닙니다 / not a Naver Shopping search result")


# ---- the HighPipe demo shop --------------------------------------------------------------------------


def _demo(content: str, page_url: str | None) -> list[Candidate]:
    """`li.search-item` rows of the demo shop's /demo/search page (values in data-value attributes)."""
    root = parse_html(content)
    if root is None:
        raise UnsupportedPage("데모 상점 검색 페이지가 아닙니다 / not a demo-shop search page")
    items = elements(root, f"//li[{has_class('search-item')}]")
    if not items:
        if elements(root, f"//*[{has_class('search-no-result')}]"):
            return []
        raise UnsupportedPage("데모 상점 검색 페이지가 아닙니다 / not a demo-shop search page")
    out = []
    for li in items:
        link = first(li, f".//a[{has_class('item-link')}]")
        title = find_text(li, f".//*[{has_class('item-title')}]")
        if link is None or not link.get("href") or title is None:
            continue

        def value(name: str, li: Element = li) -> str | None:
            el = first(li, f".//*[{has_class(name)}]")
            return el.get("data-value") if el is not None else None

        img = first(li, ".//img")
        out.append(
            Candidate(
                title,
                number(value("item-price")),
                number(value("item-rating")),
                integer(value("item-reviews")),
                urljoin(page_url or "", str(link.get("href"))),
                urljoin(page_url or "", str(img.get("src"))) if img is not None else None,
            )
        )
    return out


def candidates_text(candidates: list[Candidate]) -> str:
    """One line per candidate, for a terminal (`highpipe search`)."""
    lines = []
    for n, c in enumerate(candidates, start=1):
        price = f"{c.price:,.0f}원" if c.price is not None else "-"
        rating = f"★{c.rating:.1f}" if c.rating is not None else "★-"
        count = f"({c.review_count:,})" if c.review_count is not None else ""
        lines.append(f"{n:>2}. {c.title} | {price} | {rating}{count} | {c.url}")
    return "\n".join(lines)
