"""FallbackFetcher: plain HTTP first, a headless browser when an extractor asks for one; and the factory.

`FallbackFetcher(http, browser_factory, mode)` is a Fetcher (``get`` = the HTTP fetcher) that is also a
`crawl.render.Renderer` (``render`` = a browser fetcher, made and started on the first render of the
job and stopped with the job). ``mode`` is the ``HIGHPIPE_USE_BROWSER`` setting:

- ``never``: no browser; a page that needs one fails with ``needs_browser``;
- ``auto`` (default): the generic extractor tries HTTP and renders only when reviews are drawn by script;
  sites whose extractor declares ``needs_browser`` always render;
- ``always``: the generic extractor renders every page (site extractors keep their JSON endpoints).

`fetcher_factory(settings, pool)` builds the crawl worker's per-job fetcher:
``RobotsFetcher(FallbackFetcher(HttpFetcher, BrowserFetcher over the shared pool))``. One job = one
fetcher = one httpx cookie jar and one leased browser, so nothing a site set for one job reaches another.
`browser_pool(settings)` makes the pool (no browser starts until the first render); close it at shutdown.
"""

from __future__ import annotations

from collections.abc import Callable

from highpipe.adapters.fetch.browser_config import BrowserConfig
from highpipe.adapters.fetch.browser_pool import BrowserPool
from highpipe.config import Settings
from highpipe.crawl.render import RENDER_MODES, RenderMode
from highpipe.ports.fetch import Fetcher, FetchResult


class FallbackFetcher(Fetcher):
    def __init__(
        self, http: Fetcher, browser_factory: Callable[[], Fetcher] | None, *, mode: RenderMode = "auto"
    ) -> None:
        if mode not in RENDER_MODES:
            raise ValueError(f"use_browser must be one of {', '.join(RENDER_MODES)}, not {mode!r}")
        self.http = http
        self._browser_factory = browser_factory
        self._mode: RenderMode = mode if browser_factory is not None else "never"
        self._browser: Fetcher | None = None

    @property
    def render_mode(self) -> RenderMode:
        return self._mode

    @property
    def browser(self) -> Fetcher | None:
        """The job's browser fetcher, once a page has been rendered."""
        return self._browser

    async def start(self) -> None:
        await self.http.start()

    async def stop(self) -> None:
        browser, self._browser = self._browser, None
        try:
            if browser is not None:
                await browser.stop()
        finally:
            await self.http.stop()

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        return await self.http.get(url, headers=headers)

    async def render(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        if self._browser is None:
            if self._browser_factory is None or self._mode == "never":
                from highpipe.crawl.render import needs_browser_error

                raise needs_browser_error(url)
            browser = self._browser_factory()
            await browser.start()
            self._browser = browser
        return await self._browser.get(url, headers=headers)


def use_browser_mode(settings: Settings) -> RenderMode:
    mode = str(getattr(settings, "use_browser", "auto")).strip().lower()
    if mode not in RENDER_MODES:
        raise ValueError(f"HIGHPIPE_USE_BROWSER must be one of {', '.join(RENDER_MODES)}, not {mode!r}")
    return mode


def browser_pool(settings: Settings) -> BrowserPool | None:
    """The process's browser pool (None when HIGHPIPE_USE_BROWSER=never); starts nothing yet."""
    if use_browser_mode(settings) == "never":
        return None
    return BrowserPool(BrowserConfig.from_settings(settings), allow_hosts=settings.allow_hosts)


def fetcher_factory(settings: Settings, pool: BrowserPool | None) -> Callable[[], Fetcher]:
    """Per-job fetchers: robots.txt → HTTP (HTTP/2, own cookie jar) with a browser fallback over `pool`."""
    mode = use_browser_mode(settings) if pool is not None else "never"

    def make() -> Fetcher:
        from highpipe.adapters.fetch.browser import BrowserFetcher
        from highpipe.adapters.fetch.http import HttpFetcher
        from highpipe.crawl.robots import RobotsFetcher

        browser: Callable[[], Fetcher] | None = None
        if pool is not None:
            browser = lambda: BrowserFetcher(pool, max_bytes=settings.fetch_max_bytes)  # noqa: E731
        fallback = FallbackFetcher(HttpFetcher(settings), browser, mode=mode)
        return RobotsFetcher(fallback, user_agent=settings.user_agent, enabled=settings.respect_robots)

    return make
