"""Site extractors: what each shop's pages look like, and how to walk its review pages.

An extractor turns a page (HTML or JSON) into a product and raw reviews, and knows how to find the
next page. It never does I/O itself except through the Fetcher it is given, so the SSRF guard and the
politeness limits always apply.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from highpipe.domain.models import Product
from highpipe.domain.raw import RawReview
from highpipe.ports.fetch import Fetcher


@dataclass(slots=True)
class Page:
    number: int
    product: Product | None
    reviews: list[RawReview] = field(default_factory=list)
    total_estimate: int | None = None


@dataclass(slots=True)
class CrawlLimits:
    max_reviews: int = 5_000
    max_pages: int = 500


class Extractor(ABC):
    name: str = ""
    needs_browser: bool = False

    @abstractmethod
    def matches(self, url: str) -> bool:
        """True if this extractor is specifically for this URL (the generic one matches nothing)."""

    @abstractmethod
    def pages(self, url: str, fetcher: Fetcher, limits: CrawlLimits) -> AsyncIterator[Page]:
        """Yield review pages in order until the reviews or the limits run out.

        Raises highpipe.ports.fetch.FetchError for fetch failures and
        highpipe.crawl.base.UnsupportedPage when the page is not one this extractor understands."""

    @abstractmethod
    def extract(self, content: str, url: str) -> Page:
        """Parse one saved page (for `highpipe crawl extract` and tests)."""


class UnsupportedPage(Exception):
    pass
