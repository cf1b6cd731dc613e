"""The HighPipe demo shop as a FastAPI app: a small Korean shop with deterministic reviews.

Routes, all under `prefix` (and under whatever the app is mounted at: links use the request's root_path):

- `GET /` catalogue HTML (`?all=1` also lists the hidden failure products)
- `GET /search?q=<keywords>` search results HTML (`li.search-item`; see `search_results_page`)
- `GET /products/{pid}` product page; its review list is rendered by inline script from the JSON API
- `GET /products/{pid}/reviews?page=N` the same reviews server-rendered, 20 a page, schema.org microdata
  and `rel=next` links (for the generic schema.org extractor)
- `GET /products/{pid}/live?page=N` the same reviews, 20 a page, inserted by inline script from the JSON API
  (microdata and `rel=next` added by the script too): empty to plain HTTP, full in a browser (`live_page.py`)
- `GET /products/{pid}/image.svg` a generated product image
- `GET /api/products` JSON list (`?all=1` as above); `GET /api/products/{pid}` metadata JSON
- `GET /api/products/{pid}/reviews?page=N&size=M` JSON `{product_id, page, size, total, total_pages,
  reviews}`, newest first; page >= 1, 1 <= size <= 100 (default 20), else 422; a page past the end is empty.

Failure products (see catalog.py): `blocked` answers 403 with a bot-check page on its review routes,
`flaky` 503 once on review page 2, `broken` 500 on review page 2 always, `empty` has no reviews and
`slow` waits `slow_delay_s` per review page. Reviews are generated on first request per product and
cached in the app instance (`app.state.demo_shop`).

`highpipe demo-shop` runs it standalone via `run()`, under the same `/demo` prefix as inside `serve`, so
product URLs look alike (`http://127.0.0.1:8001/demo/products/tee`).
"""

from __future__ import annotations

import asyncio
import math
from html import escape
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from highpipe.demo_shop import pages
from highpipe.demo_shop.catalog import ProductSpec
from highpipe.demo_shop.live_page import live_review_page
from highpipe.demo_shop.shop import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, DemoShop, ReviewsUnavailable

HTML_PAGE_SIZE = 20

PageQ = Annotated[int, Query(ge=1, description="1-based page number")]
SizeQ = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="reviews per page")]
SearchQ = Annotated[str, Query(max_length=200, description="keywords; any word may match")]
AllQ = Annotated[bool, Query(alias="all", description="1/true = include the hidden test products")]


def search_results_page(query: str, results: list[dict[str, object]], base: str) -> str:
    """The search page: one `li.search-item` per product (title, price, rating and review count also as
    data-value attributes so a parser need not read formatted text)."""
    rows = []
    for r in results:
        rating = r["average_rating"]
        rows.append(
            f'<li class="search-item" data-product-id="{escape(str(r["id"]))}">'
            f'<a class="item-link" href="{escape(str(r["url"]))}">'
            f'<img class="item-image" src="{escape(str(r["image"]))}" alt="">'
            f'<span class="item-title">{escape(str(r["title"]))}</span></a> '
            f'<span class="item-price" data-value="{r["price"]}">{int(str(r["price"])):,}원</span> '
            f'<span class="item-rating" data-value="{rating if rating is not None else ""}">'
            f"★{rating if rating is not None else '-'}</span> "
            f'<span class="item-reviews" data-value="{r["review_count"]}">({r["review_count"]})</span></li>'
        )
    listing = (
        f'<ul class="search-results">{"".join(rows)}</ul>'
        if rows
        else '<p class="search-no-result">검색 결과가 없습니다 / No products found.</p>'
    )
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        f"<title>검색: {escape(query)} - HighPipe 데모 상점</title></head><body>"
        f'<form action="{escape(base)}/search"><input name="q" value="{escape(query)}">'
        f"<button>검색 / Search</button></form>{listing}</body></html>"
    )


def list_products(base_url: str, *, include_hidden: bool = False) -> list[dict[str, object]]:
    """The catalogue with absolute URLs, e.g. base_url="http://127.0.0.1:8000/demo"."""
    return DemoShop().catalogue(base_url.rstrip("/"), include_hidden=include_hidden)


def create_app(prefix: str = "", *, slow_delay_s: float = 0.3) -> FastAPI:
    prefix = prefix.rstrip("/")
    app = FastAPI(
        title="HighPipe demo shop",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    shop = DemoShop(slow_delay_s=slow_delay_s)
    app.state.demo_shop = shop
    router = APIRouter(prefix=prefix)

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/") + prefix

    def spec_or_404(pid: str) -> ProductSpec:
        spec = shop.spec(pid)
        if spec is None:
            raise HTTPException(404, detail=f"상품을 찾을 수 없습니다 / product not found: {pid}")
        return spec

    async def guard(spec: ProductSpec, page: int, request: Request) -> Response | None:
        if spec.behaviour == "slow":
            await asyncio.sleep(shop.slow_delay_s)
        try:
            shop.check_page(spec, page)
        except ReviewsUnavailable as exc:
            if exc.status == 403:
                return HTMLResponse(pages.bot_check_page(root(request)), status_code=403)
            return JSONResponse({"detail": exc.reason}, status_code=exc.status)
        return None

    @router.get("/", response_class=HTMLResponse)
    async def catalogue(request: Request, show_all: AllQ = False) -> HTMLResponse:
        base = root(request)
        return HTMLResponse(pages.catalogue_page(shop.catalogue(base, include_hidden=show_all), base))

    @router.get("/search", response_class=HTMLResponse)
    async def search_page(request: Request, q: SearchQ = "") -> HTMLResponse:
        base = root(request)
        return HTMLResponse(search_results_page(q, shop.search(q, base), base))

    @router.get("/products/{pid}", response_class=HTMLResponse)
    async def product_page(pid: str, request: Request) -> HTMLResponse:
        spec = shop.spec(pid)
        if spec is None:
            return HTMLResponse(pages.not_found_page(root(request)), status_code=404)
        return HTMLResponse(pages.product_page(spec, shop.metadata(spec, root(request)), root(request)))

    @router.get("/products/{pid}/reviews", response_class=HTMLResponse)
    async def review_list_page(pid: str, request: Request, page: PageQ = 1) -> Response:
        spec = shop.spec(pid)
        if spec is None:
            return HTMLResponse(pages.not_found_page(root(request)), status_code=404)
        refused = await guard(spec, page, request)
        if refused is not None:
            return refused
        everything = shop.reviews(spec)
        chunk = everything[(page - 1) * HTML_PAGE_SIZE : page * HTML_PAGE_SIZE]
        total_pages = math.ceil(len(everything) / HTML_PAGE_SIZE)
        meta = shop.metadata(spec, root(request))
        return HTMLResponse(pages.review_list_page(spec, meta, chunk, page, total_pages, root(request)))

    @router.get("/products/{pid}/live", response_class=HTMLResponse)
    async def live_page(pid: str, request: Request, page: PageQ = 1) -> HTMLResponse:
        spec = shop.spec(pid)
        if spec is None:
            return HTMLResponse(pages.not_found_page(root(request)), status_code=404)
        meta = shop.metadata(spec, root(request))
        return HTMLResponse(live_review_page(spec, meta, page, root(request)))

    @router.get("/products/{pid}/image.svg")
    async def product_image(pid: str) -> Response:
        spec = spec_or_404(pid)
        return Response(pages.product_image(spec), media_type="image/svg+xml")

    @router.get("/api/products")
    async def api_products(request: Request, show_all: AllQ = False) -> list[dict[str, object]]:
        return shop.catalogue(root(request), include_hidden=show_all)

    @router.get("/api/products/{pid}")
    async def api_product(pid: str, request: Request) -> dict[str, object]:
        return shop.metadata(spec_or_404(pid), root(request))

    @router.get("/api/products/{pid}/reviews")
    async def api_reviews(
        pid: str, request: Request, page: PageQ = 1, size: SizeQ = DEFAULT_PAGE_SIZE
    ) -> Response:
        spec = spec_or_404(pid)
        refused = await guard(spec, page, request)
        if refused is not None:
            return refused
        return JSONResponse(shop.page(spec, page, size))

    app.include_router(router)
    return app


def run(host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the demo shop alone (blocking) at http://host:port/demo/."""
    import uvicorn  # imported here: only the standalone command needs a server

    app = create_app("/demo")

    @app.get("/", include_in_schema=False)
    async def to_demo() -> RedirectResponse:
        return RedirectResponse("/demo/")

    uvicorn.run(app, host=host, port=port)
