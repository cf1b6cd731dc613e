"""Reading schema.org markup out of HTML: JSON-LD and microdata into one node shape, plus date parsing.

Both syntaxes become plain dicts in JSON-LD's shape (`@type`, `@id`, property -> value or list), so the
schema.org extractor reads one structure. JSON-LD: single objects, lists and `@graph`; comments, CDATA
wrappers and trailing commas tolerated; `{"@id": ...}` references resolved by `walk`. Microdata: follows
the WHATWG algorithm (itemscope, itemprop, itemref, itemid; URL properties made absolute) except that
a property's element is always crawled once, so itemref cycles cannot loop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

Node = dict[str, Any]

_DATE_RE = re.compile(
    r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})(?:\s*일)?"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_URL_ATTR = {"audio": "src", "embed": "src", "iframe": "src", "img": "src", "source": "src", "track": "src",
             "video": "src", "a": "href", "area": "href", "link": "href", "object": "data"}  # fmt: skip
_MAX_DEPTH = 24


def parse_date(value: object) -> datetime | None:
    """ISO 8601 or Korean forms (2026.03.05, 2026년 3월 5일 14:02) -> aware datetime; naive means UTC."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = _parse_loose(text)
    else:
        return None
    if parsed is None or not 1990 <= parsed.year <= 2100:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_loose(text: str) -> datetime | None:
    m = _DATE_RE.search(text)
    if not m:
        return None
    y, mo, d, hh, mm, ss, tz = m.groups()
    iso = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(hh or 0):02d}:{int(mm or 0):02d}:{int(ss or 0):02d}"
    if tz:
        iso += "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def parse_html(content: str) -> etree._Element | None:
    if not content.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(content.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def jsonld_nodes(root: etree._Element) -> list[Any]:
    out: list[Any] = []
    for script in root.iter("script"):
        if not (script.get("type") or "").strip().lower().startswith("application/ld+json"):
            continue
        text = (script.text or "").strip()
        # Some sites wrap the JSON in HTML comments or CDATA markers, or leave trailing commas.
        text = re.sub(r"^\s*(<!--|(//\s*)?<!\[CDATA\[)|(-->|(//\s*)?\]\]>)\s*$", "", text).strip()
        for candidate in (text, re.sub(r",\s*([}\]])", r"\1", text)):
            try:
                out.append(json.loads(candidate, strict=False))
                break
            except json.JSONDecodeError:
                continue
    return out


def _prop_value(el: etree._Element, base_url: str) -> str:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag == "meta" or el.get("content") is not None:
        # `content` on other elements is not microdata proper, but shops use it for machine values.
        return el.get("content") or ""
    if tag in _URL_ATTR:
        raw = (el.get(_URL_ATTR[tag]) or "").strip()
        return urljoin(base_url, raw) if raw else ""
    if tag in ("data", "meter") and el.get("value") is not None:
        return el.get("value") or ""
    if tag == "time" and el.get("datetime"):
        return el.get("datetime") or ""
    return str(el.xpath("string()"))


def _microdata_item(el: etree._Element, by_id: dict[str, etree._Element], base: str, depth: int) -> Node:
    node: Node = {}
    if types := (el.get("itemtype") or "").split():
        node["@type"] = types
    if itemid := (el.get("itemid") or "").strip():
        node["@id"] = itemid
    # A stack, popped from the end: children in document order first, then the itemref'd elements.
    refs = [by_id[r] for r in (el.get("itemref") or "").split() if r in by_id and by_id[r] is not el]
    pending = refs[::-1] + [c for c in reversed(el) if isinstance(c.tag, str)]
    # Holding the elements keeps lxml's proxies alive, so their ids cannot be reused mid-walk.
    visited: dict[int, etree._Element] = {}
    while pending:
        cur = pending.pop()
        if id(cur) in visited:
            continue
        visited[id(cur)] = cur
        is_item = cur.get("itemscope") is not None
        if names := (cur.get("itemprop") or "").split():
            if is_item and depth < _MAX_DEPTH:
                value: Any = _microdata_item(cur, by_id, base, depth + 1)
            else:
                value = _prop_value(cur, base)
            for name in names:
                node.setdefault(name.rsplit("/", 1)[-1], []).append(value)
        if not is_item:
            pending.extend(c for c in reversed(cur) if isinstance(c.tag, str))
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in node.items()}


def microdata_nodes(root: etree._Element, base_url: str) -> list[Node]:
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    by_id = {str(el.get("id")): el for el in elements if el.get("id")}
    top = [el for el in elements if el.get("itemscope") is not None and el.get("itemprop") is None]
    return [_microdata_item(el, by_id, base_url, 0) for el in top]


def walk(values: list[Any]) -> Iterator[Node]:
    """Every object in the documents, depth first in document order, `{"@id": x}` references resolved."""
    index: dict[str, Node] = {}
    stack: list[Any] = list(values)
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if isinstance(v.get("@id"), str) and len(v) > 1:
                index.setdefault(v["@id"], v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    seen: set[int] = set()
    todo: list[Any] = list(reversed(values))
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            if set(v) == {"@id"} and isinstance(v["@id"], str):
                v = index.get(v["@id"], v)
            if id(v) in seen:
                continue
            seen.add(id(v))
            yield v
            todo.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            todo.extend(reversed(v))


def types_of(node: Node) -> set[str]:
    raw = node.get("@type", node.get("type"))
    names = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/#:]", n.strip())[-1].lower() for n in names if isinstance(n, str) and n.strip()}
