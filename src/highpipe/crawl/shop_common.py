"""Shared pieces of the shop extractors (Coupang, Naver, Amazon, 11st): HTML lookups, numbers, dates,
embedded JSON, and the bookkeeping that stops a walk at the limits or at a page with nothing new.

Nothing here does I/O. Korean shops print dates without a zone; they are Korea Standard Time, so
`kst_datetime` reads them as +09:00 (and converts zoned values and epoch milliseconds to +09:00 too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from lxml import etree

from highpipe.crawl.base import CrawlLimits
from highpipe.crawl.schema_org import build_product, parse_page
from highpipe.crawl.schema_org_markup import parse_date
from highpipe.domain.models import Product
from highpipe.domain.raw import RawReview
from highpipe.ports.fetch import FetchError

KST = timezone(timedelta(hours=9), "KST")
Element = etree._Element


@dataclass(slots=True)
class ShopReview(RawReview):
    """A RawReview with what shops add and the domain model has no field for yet."""

    verified_purchase: bool | None = None
    attachments: list[str] = field(default_factory=list)


# ---- HTML ----------------------------------------------------------------------------------------


def has_class(name: str) -> str:
    """XPath predicate body: the element's class list contains `name` (lxml has no CSS selectors here)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def class_prefix(prefix: str) -> str:
    """XPath predicate body: some class starts with `prefix` (CSS-module names carry a hash suffix)."""
    return f"contains(concat(' ', normalize-space(@class)), ' {prefix}')"


def elements(el: Element, xpath: str) -> list[Element]:
    """The elements an XPath finds (typed: lxml's xpath() may return anything)."""
    found = el.xpath(xpath)
    return [item for item in found if isinstance(item, etree._Element)] if isinstance(found, list) else []


def strings(el: Element, xpath: str) -> list[str]:
    """The attribute values / text nodes an XPath finds (`.//@data-review-id`), as plain strings."""
    found = el.xpath(xpath)
    return [str(item) for item in found if isinstance(item, str | bytes)] if isinstance(found, list) else []


def first(el: Element, xpath: str) -> Element | None:
    found = elements(el, xpath)
    return found[0] if found else None


def first_of(el: Element, *xpaths: str) -> Element | None:
    """The first element found by the first XPath that finds one (elements must not be `or`-ed: an
    element with no children is falsy)."""
    for xpath in xpaths:
        found = first(el, xpath)
        if found is not None:
            return found
    return None


def text_of(el: Element | None) -> str | None:
    """The element's text, whitespace collapsed; None when empty."""
    if el is None:
        return None
    return " ".join(itertext(el).split()) or None


def itertext(el: Element) -> str:
    """All text under `el`, concatenated (lxml's itertext() is typed as yielding bytes too)."""
    return "".join(str(t) for t in el.itertext())


def multiline_text(el: Element | None) -> str | None:
    """Text keeping the line breaks a reviewer typed (<br>, <p>, <div>), each line whitespace-collapsed."""
    if el is None:
        return None
    parts: list[str] = []

    def visit(node: Element) -> None:
        if isinstance(node.tag, str) and node.tag.lower() in ("script", "style"):
            return
        if isinstance(node.tag, str) and node.tag.lower() == "br":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            visit(child)
            if isinstance(child.tag, str) and child.tag.lower() in ("p", "div", "li"):
                parts.append("\n")
            if child.tail:
                parts.append(child.tail)

    visit(el)
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line) or None


def find_text(el: Element, xpath: str) -> str | None:
    return text_of(first(el, xpath))


def meta(root: Element, name: str) -> str | None:
    """<meta property|name="name" content="..."> (Open Graph and friends)."""
    for node in root.iter("meta"):
        if name in (node.get("property"), node.get("name"), node.get("itemprop")):
            value = (node.get("content") or "").strip()
            if value:
                return value
    return None


def absolute(url: str | None, scheme: str = "https") -> str | None:
    """Protocol-relative image URLs (//thumbnail...) made absolute."""
    if not url:
        return None
    return f"{scheme}:{url}" if url.startswith("//") else url


# ---- numbers and dates ---------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def number(value: object) -> float | None:
    """The first number in a value: 12900, "12,900원", "4.5 out of 5" -> 4.5; None if there is none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    m = _NUMBER_RE.search(str(value))
    return float(m.group().replace(",", "")) if m else None


def integer(value: object) -> int | None:
    found = number(value)
    return int(found) if found is not None else None


def kst_datetime(value: object) -> datetime | None:
    """A shop's date as an aware datetime in KST: "2026.11.02", ISO with or without zone, epoch ms."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, KST)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    naive = not re.search(r"(Z|[+-]\d{2}:?\d{2})$", text)
    parsed = parse_date(text)  # naive input comes back as UTC; re-read it as KST
    if parsed is None:
        return None
    return parsed.replace(tzinfo=KST) if naive else parsed.astimezone(KST)


# ---- embedded JSON -------------------------------------------------------------------------------


def embedded_json(content: str, marker: str) -> Any:
    """The JSON value assigned right after `marker` in a page (`window.__PRELOADED_STATE__=`), or None."""
    at = content.find(marker)
    if at < 0:
        return None
    start = at + len(marker)
    while start < len(content) and content[start] in " \t\r\n=":
        start += 1
    body = content[start:]
    decoder = json.JSONDecoder()
    try:
        return decoder.raw_decode(body)[0]
    except json.JSONDecodeError:
        # serialize-javascript style state may carry bare `undefined`; JSON has no such value.
        cleaned = re.sub(r"(?<=[:,\[])\s*undefined(?=\s*[,}\]])", "null", body)
        try:
            return decoder.raw_decode(cleaned)[0]
        except json.JSONDecodeError:
            return None


def dig(data: Any, *path: str | int) -> Any:
    """data[path[0]][path[1]]... or None when any step is missing."""
    for key in path:
        if isinstance(key, int) and isinstance(data, list) and -len(data) <= key < len(data):
            data = data[key]
        elif isinstance(key, str) and isinstance(data, dict):
            data = data.get(key)
        else:
            return None
    return data


def find_key(data: Any, key: str, depth: int = 12) -> Any:
    """The first value under `key` anywhere in nested dicts/lists (depth-first), or None."""
    if depth < 0:
        return None
    if isinstance(data, dict):
        if data.get(key) not in (None, ""):
            return data[key]
        values: list[Any] = list(data.values())
    elif isinstance(data, list):
        values = data
    else:
        return None
    for value in values:
        found = find_key(value, key, depth - 1)
        if found is not None:
            return found
    return None


# ---- walking pages -------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """Counts what a walk has collected, drops reviews seen on an earlier page, applies the limits."""

    limits: CrawlLimits
    pages: int = 0
    collected: int = 0
    seen: set[str] = field(default_factory=set)

    @property
    def done(self) -> bool:
        return self.pages >= self.limits.max_pages or self.collected >= self.limits.max_reviews

    def take(self, reviews: Iterable[RawReview]) -> list[RawReview]:
        """The reviews not seen before, cut at max_reviews; counts one page."""
        fresh: list[RawReview] = []
        for review in reviews:
            key = review.site_review_id or f"{review.author}|{review.date}|{review.text}"
            if key not in self.seen:
                self.seen.add(key)
                fresh.append(review)
        fresh = fresh[: max(0, self.limits.max_reviews - self.collected)]
        self.collected += len(fresh)
        self.pages += 1
        return fresh


def blocked(reason_ko: str, reason_en: str, status: int | None = None) -> FetchError:
    """The error for a page that is a wall (sign-in, robot check) rather than content."""
    return FetchError(f"{reason_ko} / {reason_en}", code="blocked_by_site", status=status)


def schema_product(content: str, url: str) -> Product | None:
    """What the page's schema.org Product markup says (title, price, rating...), if it has any.

    Shops that embed JSON-LD give cleaner values than their CSS classes, so extractors read this first
    and fall back to markup; the product id it builds is the generic one and is replaced by the caller.
    """
    parsed = parse_page(content, url)
    return build_product(parsed, url) if parsed.product is not None else None
