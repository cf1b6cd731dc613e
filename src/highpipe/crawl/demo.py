"""Extractor for the built-in HighPipe demo shop (highpipe.demo_shop), through its JSON API.

- URL: any host, path ending in `demo/products/<pid>` (the product page) or `demo/api/products/<pid>`,
  e.g. `http://127.0.0.1:8000/demo/products/tee`. The shop lives under `/demo` both inside
  `highpipe serve` and standalone (`highpipe demo-shop`), so the path alone identifies it.
- Walk: `GET <base>/api/products/<pid>` for the product, then `<base>/api/products/<pid>/reviews?page=N&size=100`
  until `total_pages`, an empty page, or the CrawlLimits (max_pages pages, max_reviews reviews).
- Product ids are `demo:<pid>`, site `demo`; ratings are 1-5 stars; dates carry their +09:00 offset.
- `needs_browser` is False. The shop's script-rendered page `/demo/products/<pid>/live` is not matched
  here: it is the generic extractor's browser-fallback test bed.
- Fetch failures (the `blocked` product's 403, `broken`'s 500, ...) are the fetcher's FetchError and
  propagate unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from highpipe.crawl.base import CrawlLimits, Extractor, Page, UnsupportedPage
from highpipe.crawl.schema_org_markup import parse_date
from highpipe.domain.identity import product_id
from highpipe.domain.models import Product
from highpipe.domain.raw import RawReview
from highpipe.ports.fetch import Fetcher

SITE = "demo"
PAGE_SIZE = 100
_PATH_RE = re.compile(
    r"^(?P<base>(?:.*/)?demo)/(?P<api>api/)?products/(?P<pid>[^/?#]+)(?P<reviews>/reviews)?/?$"
)


def _match(url: str) -> re.Match[str] | None:
    parts = urlsplit(url)
    return _PATH_RE.match(parts.path) if parts.scheme in ("http", "https") else None


def _split(url: str) -> tuple[str, str] | None:
    """(shop base URL, product id) for a demo-shop URL, else None."""
    m = _match(url)
    if not m:
        return None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, m["base"], "", "")), m["pid"]


async def _get_json(fetcher: Fetcher, url: str) -> dict[str, Any]:
    result = await fetcher.get(url)
    try:
        data = json.loads(result.text)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise UnsupportedPage(
            f"데모 상점 API가 JSON을 돌려주지 않았습니다 / the demo-shop API did not answer JSON: {url}"
        )
    return data


class DemoShopExtractor(Extractor):
    name = "demo"
    needs_browser = False  # reads the JSON API the product page's own script reads

    def matches(self, url: str) -> bool:
        m = _match(url)
        # The product page and its API; /demo/products/<pid>/reviews (no api/) is server-rendered HTML
        # with microdata, left to the schema.org extractor.
        return m is not None and not (m["reviews"] and not m["api"])

    async def pages(self, url: str, fetcher: Fetcher, limits: CrawlLimits) -> AsyncIterator[Page]:
        split = _split(url)
        if split is None:
            raise UnsupportedPage(f"데모 상점 상품 주소가 아닙니다 / not a demo-shop product URL: {url}")
        base, pid = split
        api = f"{base}/api/products/{quote(pid, safe='')}"
        meta = await _get_json(fetcher, api)
        product = _product(meta, pid, url)
        size = max(1, min(PAGE_SIZE, limits.max_reviews))
        collected = 0
        page_no = 1
        while page_no <= limits.max_pages and collected < limits.max_reviews:
            data = await _get_json(fetcher, f"{api}/reviews?page={page_no}&size={size}")
            reviews = [_review(r) for r in data.get("reviews", [])][: limits.max_reviews - collected]
            collected += len(reviews)
            yield Page(page_no, product, reviews, _int(data.get("total")))
            if not reviews or page_no >= (_int(data.get("total_pages")) or 0):
                break
            page_no += 1

    def extract(self, content: str, url: str) -> Page:
        """Parse a saved reviews-JSON page (or the product-metadata JSON, giving a page with no reviews)."""
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise UnsupportedPage(
                "데모 상점 상품 페이지는 리뷰를 스크립트로 그립니다. 리뷰 JSON(/api/products/<id>/reviews)을 "
                "저장해 주세요 / the demo product page renders reviews by script; save the reviews JSON "
                "(/api/products/<id>/reviews) instead"
            ) from exc
        if not isinstance(data, dict):
            raise UnsupportedPage(f"데모 상점 JSON이 아닙니다 / not demo-shop JSON: {url}")
        split = _split(url)
        pid = str(data.get("product_id") or data.get("id") or (split[1] if split else ""))
        if not pid:
            raise UnsupportedPage(f"상품 id를 찾지 못했습니다 / no product id in the demo-shop JSON: {url}")
        if "reviews" not in data:
            return Page(1, _product(data, pid, url), [], _int(data.get("review_count")))
        reviews = [_review(r) for r in data["reviews"]]
        product = Product(product_id=product_id(SITE, pid), site=SITE, url=url)
        return Page(_int(data.get("page")) or 1, product, reviews, _int(data.get("total")))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _product(meta: dict[str, Any], pid: str, page_url: str) -> Product:
    image = meta.get("image")
    if isinstance(image, str) and image.startswith("/"):
        parts = urlsplit(page_url)
        image = f"{parts.scheme}://{parts.netloc}{image}"
    return Product(
        product_id=product_id(SITE, pid),
        site=SITE,
        url=page_url,
        title=meta.get("title"),
        price=_float(meta.get("price")),
        currency=meta.get("currency"),
        average_rating=_float(meta.get("average_rating")),
        review_count=_int(meta.get("review_count")),
        category=meta.get("category"),
        image=image if isinstance(image, str) else None,
    )


def _review(item: dict[str, Any]) -> RawReview:
    return RawReview(
        text=str(item.get("content") or ""),
        site_review_id=str(item["id"]) if item.get("id") is not None else None,
        rating=_float(item.get("rating")),
        rating_scale=5,
        title=item.get("title") or None,
        date=parse_date(item.get("date")),
        author=item.get("author") or None,
        option=item.get("option") or None,
        helpful=_int(item.get("helpful")),
    )
