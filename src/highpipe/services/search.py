"""Keyword search use case: fetch a site's search page through the crawl Fetcher (SSRF guard, robots.txt
and politeness apply), parse it into candidate products and rank them for the user to pick one.

Used by `highpipe search` and `GET /api/search`. Limits: one search page per call, at most `limit`
candidates returned. Errors: `UnsupportedPage` for an unknown site or a page that is no search page,
`FetchError` for fetch failures (blocked, robots.txt, private address, ...).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from highpipe.crawl.search import DEFAULT_DEMO_BASE, Candidate, parse_search, rank, search_url
from highpipe.ports.fetch import Fetcher

MAX_CANDIDATES = 50


async def search_products(
    site: str,
    keyword: str,
    fetcher: Fetcher,
    *,
    demo_base: str = DEFAULT_DEMO_BASE,
    limit: int = MAX_CANDIDATES,
) -> list[Candidate]:
    """Ranked candidates for `keyword` on `site`; the fetcher is started and stopped here."""
    url = search_url(site, keyword, demo_base=demo_base)
    await fetcher.start()
    try:
        result = await fetcher.get(url)
    finally:
        await fetcher.stop()
    return rank(parse_search(site, result.text, result.url), keyword)[: max(limit, 0)]


def candidate_json(candidate: Candidate) -> dict[str, Any]:
    return asdict(candidate)
