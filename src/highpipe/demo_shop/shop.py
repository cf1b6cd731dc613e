"""The demo shop's state: one instance per app, generating each product's reviews on first use and caching them.

No module-level state: two apps (or two tests) never share caches or the `flaky` product's memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from highpipe.demo_shop.catalog import PRODUCT_BY_ID, PRODUCTS, ProductSpec
from highpipe.demo_shop.generator import DemoReview, average_rating, generate_reviews, rating_skeleton

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


class ReviewsUnavailable(Exception):
    """A review page the shop refuses to serve on purpose (the failure products)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(slots=True)
class _Stats:
    average: float | None
    distribution: dict[str, int]


@dataclass(slots=True)
class DemoShop:
    slow_delay_s: float = 0.3
    _reviews: dict[str, list[DemoReview]] = field(default_factory=dict)
    _stats: dict[str, _Stats] = field(default_factory=dict)
    _flaky_failed: set[str] = field(default_factory=set)

    @staticmethod
    def spec(pid: str) -> ProductSpec | None:
        return PRODUCT_BY_ID.get(pid)

    def generated(self) -> list[str]:
        """Ids of the products whose reviews this instance has generated so far (laziness is observable)."""
        return list(self._reviews)

    def reviews(self, spec: ProductSpec) -> list[DemoReview]:
        cached = self._reviews.get(spec.pid)
        if cached is None:
            cached = self._reviews[spec.pid] = generate_reviews(spec)
        return cached

    def stats(self, spec: ProductSpec) -> _Stats:
        cached = self._stats.get(spec.pid)
        if cached is None:
            skeleton = rating_skeleton(spec)  # cheap: the catalogue never generates review text
            dist = {str(s): 0 for s in range(1, 6)}
            for _, stars in skeleton:
                dist[str(stars)] += 1
            cached = self._stats[spec.pid] = _Stats(average_rating(skeleton), dist)
        return cached

    def summary(self, spec: ProductSpec, base: str) -> dict[str, object]:
        """The catalogue entry; `base` is prepended to paths (a root path or an absolute base URL)."""
        return {
            "id": spec.pid,
            "title": spec.title,
            "brand": spec.brand,
            "category": spec.category,
            "price": spec.price,
            "currency": "KRW",
            "average_rating": self.stats(spec).average,
            "review_count": spec.review_count,
            "url": f"{base}/products/{spec.pid}",
            "api_url": f"{base}/api/products/{spec.pid}",
            "image": f"{base}/products/{spec.pid}/image.svg",
        }

    def catalogue(self, base: str, *, include_hidden: bool = False) -> list[dict[str, object]]:
        return [self.summary(p, base) for p in PRODUCTS if include_hidden or not p.hidden]

    def search(self, query: str, base: str) -> list[dict[str, object]]:
        """Visible products whose title, brand or category contain any word of `query`, those matching
        more words first (then catalogue order); the search page's rows."""
        words = [w for w in query.lower().split() if w]
        scored = []
        for position, spec in enumerate(p for p in PRODUCTS if not p.hidden):
            haystack = f"{spec.title} {spec.brand} {spec.category}".lower()
            hits = sum(w in haystack for w in words)
            if hits:
                scored.append((-hits, position, spec))
        return [self.summary(spec, base) for _, _, spec in sorted(scored, key=lambda t: t[:2])]

    def metadata(self, spec: ProductSpec, base: str) -> dict[str, object]:
        meta = self.summary(spec, base)
        meta["rating_distribution"] = self.stats(spec).distribution
        meta["description"] = spec.description
        meta["options"] = {name: list(values) for name, values in spec.options}
        meta["reviews_url"] = f"{base}/api/products/{spec.pid}/reviews"
        return meta

    def check_page(self, spec: ProductSpec, page: int) -> None:
        """Raise ReviewsUnavailable where a failure product is meant to fail for this page."""
        if spec.behaviour == "blocked":
            raise ReviewsUnavailable(403, "bot check")
        if spec.behaviour == "broken" and page == 2:
            raise ReviewsUnavailable(500, "internal error on page 2")
        if spec.behaviour == "flaky" and page == 2 and spec.pid not in self._flaky_failed:
            self._flaky_failed.add(spec.pid)
            raise ReviewsUnavailable(503, "temporarily unavailable; try again")

    def page(self, spec: ProductSpec, page: int, size: int) -> dict[str, object]:
        """One page of reviews, newest first; a page past the end is empty, not an error."""
        size = max(1, min(size, MAX_PAGE_SIZE))
        reviews = self.reviews(spec)
        total = len(reviews)
        chunk = reviews[(page - 1) * size : page * size]
        return {
            "product_id": spec.pid,
            "page": page,
            "size": size,
            "total": total,
            "total_pages": math.ceil(total / size),
            "reviews": [r.to_json() for r in chunk],
        }
