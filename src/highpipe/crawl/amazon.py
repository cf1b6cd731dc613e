"""Amazon product reviews (amazon.com, .co.uk, .de, .co.jp and the other marketplaces).

Built in 2026-11 against Amazon's URL scheme and `data-hook` review markup as public scrapers and saved
pages show them; UNVERIFIED against the live site until someone runs it there. Since late 2024 Amazon
has shown the full review pages only to signed-in users, so expect the sign-in wall below.

- URLs: `https://www.amazon.<tld>/<slug>/dp/<ASIN>`, `/dp/<ASIN>`, `/gp/product/<ASIN>`,
  `/gp/aw/d/<ASIN>`, `/product-reviews/<ASIN>` (ASIN: 10 letters/digits).
- Walk: `GET https://www.amazon.<tld>/dp/<ASIN>` for the product and the top reviews it shows (page 1),
  then `GET /product-reviews/<ASIN>/?ie=UTF8&reviewerType=all_reviews&sortBy=recent&pageNumber=1` and
  the "Next page" link (`li.a-last a`, same host, same ASIN) until there is none, a page has no reviews,
  or the CrawlLimits. Reviews seen on an earlier page are not repeated.
- A sign-in page or robot check on any step raises `FetchError(code="blocked_by_site")` with a reason
  that says which; the crawl service keeps what was collected before it.
- Product id `amazon:<tld>:<ASIN>` (the same ASIN has different reviews per marketplace); review ids are
  Amazon's `R…` ids. Markup details in `amazon_markup.py`.
- `needs_browser` is False: review pages are server-rendered.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urlencode, urljoin, urlsplit

from highpipe.crawl.amazon_markup import AmazonProduct, next_page, parse, read_product, read_reviews
from highpipe.crawl.base import CrawlLimits, Extractor, Page, UnsupportedPage
from highpipe.crawl.shop_common import Element, Tally, elements, strings
from highpipe.domain.identity import product_id
from highpipe.domain.models import Product
from highpipe.ports.fetch import Fetcher

SITE = "amazon"
CURRENCIES = {
    "com": "USD", "ca": "CAD", "com.mx": "MXN", "com.br": "BRL", "co.uk": "GBP", "de": "EUR", "fr": "EUR",
    "it": "EUR", "es": "EUR", "nl": "EUR", "be": "EUR", "ie": "EUR", "se": "SEK", "pl": "PLN",
    "com.tr": "TRY", "ae": "AED", "sa": "SAR", "eg": "EGP", "in": "INR", "co.jp": "JPY", "sg": "SGD",
    "com.au": "AUD",
}  # fmt: skip
_ASIN_RE = re.compile(r"/(?:dp|gp/product|gp/aw/d|product-reviews)/([A-Z0-9]{10})(?=[/?#]|$)")


def parse_url(url: str) -> tuple[str, str] | None:
    """(marketplace tld, ASIN) for an Amazon product or review-page URL, else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.").removeprefix("smile.").removeprefix("m.")
    tld = host.removeprefix("amazon.")
    m = _ASIN_RE.search(parts.path)
    if parts.scheme not in ("http", "https") or not host.startswith("amazon.") or tld not in CURRENCIES:
        return None
    return (tld, m.group(1)) if m else None


def product_url(tld: str, asin: str) -> str:
    return f"https://www.amazon.{tld}/dp/{asin}"


def reviews_url(tld: str, asin: str, page: int = 1) -> str:
    query = {"ie": "UTF8", "reviewerType": "all_reviews", "sortBy": "recent", "pageNumber": page}
    return f"https://www.amazon.{tld}/product-reviews/{asin}/?{urlencode(query)}"


def _product(facts: AmazonProduct, tld: str, asin: str) -> Product:
    return Product(
        product_id=product_id(SITE, f"{tld}:{asin}"),
        site=SITE,
        url=product_url(tld, asin),
        title=facts.title,
        price=facts.price,
        currency=CURRENCIES[tld] if facts.price is not None else None,
        average_rating=facts.average_rating,
        review_count=facts.review_count,
        category=facts.category,
        image=facts.image,
    )


class AmazonExtractor(Extractor):
    name = "amazon"
    needs_browser = False

    def matches(self, url: str) -> bool:
        return parse_url(url) is not None

    async def pages(self, url: str, fetcher: Fetcher, limits: CrawlLimits) -> AsyncIterator[Page]:
        parsed = parse_url(url)
        if parsed is None:
            raise UnsupportedPage(f"Amazon 상품 주소가 아닙니다 / not an Amazon product URL: {url}")
        tld, asin = parsed
        result = await fetcher.get(product_url(tld, asin))
        root = parse(result.text, result.url)
        facts = read_product(root)
        if facts.title is None and not elements(root, "//*[@data-hook='review']"):
            raise UnsupportedPage(f"Amazon 상품 페이지가 아닙니다 / not an Amazon product page: {result.url}")
        product = _product(facts, tld, asin)
        tally = Tally(limits)
        yield Page(1, product, tally.take(list(read_reviews(root, tld))), product.review_count)
        current: str | None = reviews_url(tld, asin)
        seen = {current}
        number = 1
        while current is not None and not tally.done:
            result = await fetcher.get(current, headers={"Referer": product_url(tld, asin)})
            root = parse(result.text, result.url)
            reviews = read_reviews(root, tld)
            number += 1
            yield Page(number, product, tally.take(list(reviews)), product.review_count)
            current = self._next(root, current, asin)
            if not reviews or current in seen:
                break
            seen.add(current)

    @staticmethod
    def _next(root: Element, current: str, asin: str) -> str | None:
        """The "Next page" link, if it stays on this marketplace and this product's reviews."""
        href = next_page(root)
        if href is None:
            return None
        target = urljoin(current, href)
        same_host = urlsplit(target).netloc == urlsplit(current).netloc
        return target if same_host and f"/product-reviews/{asin}" in urlsplit(target).path else None

    def extract(self, content: str, url: str) -> Page:
        """A saved /dp/ page (product and its top reviews) or /product-reviews/ page."""
        root = parse(content, url)
        parsed = parse_url(url)
        facts = read_product(root)
        reviews = read_reviews(root, parsed[0] if parsed else "com")
        if not reviews and facts.title is None:
            raise UnsupportedPage("Amazon 상품/리뷰 페이지가 아닙니다 / not an Amazon product or review page")
        if parsed is None:
            canonical = strings(root, "//link[@rel='canonical']/@href")
            parsed = parse_url(str(canonical[0])) if canonical else None
        product = _product(facts, *parsed) if parsed else None
        return Page(1, product, list(reviews), facts.review_count)
