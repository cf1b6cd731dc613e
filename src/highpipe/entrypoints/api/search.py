"""GET /api/search?q=<keyword>&site=coupang|naver|demo: candidate products from a shop's search page.

Answers `{"site", "query", "candidates": [{title, price, rating, review_count, url, image}]}`, ranked
(titles matching more of the keyword first). One search page per request, at most 50 candidates.
Errors: 422 for an empty `q` or an unknown `site` (the message lists the supported ones), 502 when the
site cannot be fetched or its page is not a search page (with the reason). Searching the demo shop
needs it mounted on this server (`serve`); it is fetched at the server's own configured address, never
at a Host header's, and the SSRF guard applies as for every crawl.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from highpipe.crawl.base import UnsupportedPage
from highpipe.crawl.search import SEARCH_SITES
from highpipe.entrypoints.api.deps import Auth, ContainerDep, RateLimited
from highpipe.ports.fetch import FetchError
from highpipe.services.search import candidate_json, search_products

router = APIRouter(prefix="/api/search", tags=["search"], dependencies=[Auth])
_ALIASES = {"쿠팡": "coupang", "네이버": "naver", "smartstore": "naver", "데모": "demo"}


@router.get("", dependencies=[RateLimited])
async def search(
    request: Request,
    container: ContainerDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="keyword(s)")],
    site: Annotated[str, Query(description="coupang | naver | demo")] = "coupang",
) -> dict[str, Any]:
    keyword = " ".join(q.split())
    if not keyword:
        raise HTTPException(422, detail="검색어를 입력해 주세요 / The search keyword `q` is empty.")
    name = _ALIASES.get(site.strip().lower(), site.strip().lower())
    supported = ", ".join(SEARCH_SITES)
    if name not in SEARCH_SITES:
        raise HTTPException(
            422,
            detail=f"검색을 지원하지 않는 사이트입니다: {site} (지원: {supported}) / "
            f"keyword search is not supported for {site!r}; supported: {supported}",
        )
    settings = container.settings
    if name == "demo" and not request.app.state.demo_mounted:
        raise HTTPException(
            422, detail="이 서버에는 데모 상점이 없습니다 / The demo shop is not mounted on this server."
        )
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    try:
        found = await search_products(
            name, keyword, container.fetcher_factory(), demo_base=f"http://{host}:{settings.port}/demo"
        )
    except FetchError as exc:
        raise HTTPException(502, detail={"reason": exc.reason, "code": exc.code}) from exc
    except UnsupportedPage as exc:
        raise HTTPException(502, detail={"reason": str(exc), "code": "unsupported_page"}) from exc
    return {"site": name, "query": keyword, "candidates": [candidate_json(c) for c in found]}
