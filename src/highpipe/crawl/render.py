"""Browser rendering as the extractors see it: who can render, when a page needs it, and the error if not.

A fetcher that can also render pages in a browser has `render_mode` ("never" | "auto" | "always") and
`render(url)` (the `Renderer` protocol; `adapters.fetch.fallback.FallbackFetcher` is one, and
`RobotsFetcher` passes both through). Extractors never import the browser adapter:

- `render_mode(fetcher)`: "never" for a fetcher without the capability;
- `render(fetcher, url)`: the rendered page, or `FetchError(code="needs_browser")` with a sentence a
  user understands when no browser is available;
- `for_extractor(fetcher, extractor)`: a site whose `needs_browser` is True gets a fetcher whose `get()`
  renders;
- `looks_script_rendered(html)`: the heuristic behind the generic extractor's fallback — executable
  script on the page *and* either an empty review-like container (id/class containing review, 리뷰,
  후기, comment), an empty single-page-app root (`#root`, `#app`, `#__next`, `#__nuxt`), or script that
  talks about reviews.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol, runtime_checkable

from highpipe.crawl.base import Extractor
from highpipe.crawl.schema_org_markup import parse_html
from highpipe.ports.fetch import Fetcher, FetchError, FetchResult

RenderMode = Literal["never", "auto", "always"]
RENDER_MODES: tuple[RenderMode, ...] = ("never", "auto", "always")

_REVIEWISH = re.compile(r"review|리뷰|후기|comment|rating", re.I)
_SPA_ROOTS = frozenset({"root", "app", "__next", "__nuxt", "main-app"})
_JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module", "text/ecmascript"})
_CONTAINERS = frozenset({"div", "section", "ul", "ol", "article", "main", "tbody", "table"})


@runtime_checkable
class Renderer(Protocol):
    @property
    def render_mode(self) -> RenderMode: ...

    async def render(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult: ...


def render_mode(fetcher: Fetcher) -> RenderMode:
    return fetcher.render_mode if isinstance(fetcher, Renderer) else "never"


def needs_browser_error(url: str) -> FetchError:
    return FetchError(
        "이 페이지는 리뷰를 스크립트로 그리는 것으로 보이는데, 브라우저 수집이 꺼져 있거나 설치되지 않았습니다 "
        "(HIGHPIPE_USE_BROWSER) / The reviews on this page appear to be drawn by script, and browser "
        f"rendering is off or not installed (HIGHPIPE_USE_BROWSER): {url}",
        code="needs_browser",
    )


async def render(fetcher: Fetcher, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
    if isinstance(fetcher, Renderer) and fetcher.render_mode != "never":
        return await fetcher.render(url, headers=headers)
    raise needs_browser_error(url)


class BrowserView(Fetcher):
    """`get()` renders through the wrapped fetcher (for extractors that declare `needs_browser`)."""

    def __init__(self, inner: Fetcher) -> None:
        self.inner = inner

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        return await render(self.inner, url, headers=headers)


def for_extractor(fetcher: Fetcher, extractor: Extractor) -> Fetcher:
    return BrowserView(fetcher) if extractor.needs_browser else fetcher


def looks_script_rendered(html: str) -> bool:
    """True when the page probably fills its reviews in by script (see the module docstring)."""
    root = parse_html(html)
    if root is None:
        return False
    scripts = [s for s in root.iter("script") if (s.get("type") or "").strip().lower() in _JS_TYPES]
    if not scripts:
        return False
    for el in root.iter(*_CONTAINERS):
        ident = f"{el.get('id') or ''} {el.get('class') or ''}"
        empty = len(el) == 0 and not (el.text or "").strip()
        if not empty:
            continue
        if (el.get("id") or "") in _SPA_ROOTS or _REVIEWISH.search(ident):
            return True
    return any(_REVIEWISH.search(f"{s.get('src') or ''} {s.text or ''}") for s in scripts)
