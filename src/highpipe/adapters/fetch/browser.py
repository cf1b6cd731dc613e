"""BrowserFetcher: the Fetcher port over headless Chromium — ``get(url)`` returns the *rendered* DOM.

For pages whose reviews are drawn by script. One ``get(url)``:

1. checks `url` with the SSRF guard before navigating (``invalid_url`` / ``blocked_address``);
2. on the job's leased driver (`BrowserPool`; taken at the first get, given back at `stop()`, so the
   job's cookies are its own), navigates with the page-load timeout (``timeout``). Every request of the
   page — redirect hops and sub-requests included — goes through the driver's `GuardProxy`;
3. waits until the page has settled: no fetch/XHR in flight and no DOM change for ``settle_quiet_ms``
   (at most ``settle_max_s``);
4. returns ``FetchResult(url=<final URL>, status=<document status>, headers={content-type: text/html;
   charset=utf-8, x-highpipe-rendered: browser}, body=<doctype + outerHTML, UTF-8>)``.

Errors match HttpFetcher's codes: a navigation the guard refused → ``blocked_address``; a Chrome error
page → ``unreachable``; document status 403/429 or a bot-check page → ``blocked_by_site``; other 4xx /
5xx → ``http_4xx`` / ``http_5xx``; DOM over ``fetch_max_bytes`` → ``too_large``. Sub-requests the guard
refused do not fail the page; they are listed in `refused` (and logged). A crashed browser is replaced
and the page tried once more. ``headers`` are sent with the navigation (CDP ``Network.setExtraHTTPHeaders``).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from highpipe.adapters.fetch import policy
from highpipe.adapters.fetch.browser_pool import BrowserPool, Driver
from highpipe.adapters.fetch.guard_proxy import Refusal
from highpipe.adapters.fetch.ssrf import check_target, unreachable
from highpipe.ports.fetch import Fetcher, FetchError, FetchResult

log = logging.getLogger(__name__)

SETTLE_SCRIPT = """
const [quietMs, maxMs, done] = arguments;
const start = Date.now();
(function poll() {
  const hp = window.__hp || {pending: 0, last: 0};
  const now = Date.now();
  const quiet = hp.pending === 0 && now - hp.last >= quietMs && document.readyState === "complete";
  if (quiet || now - start >= maxMs) { done({pending: hp.pending, waited_ms: now - start}); return; }
  setTimeout(poll, 50);
})();
"""
SNAPSHOT_SCRIPT = """
const nav = performance.getEntriesByType("navigation")[0];
const dt = document.doctype;
return {
  url: document.URL,
  status: nav && nav.responseStatus ? nav.responseStatus : 0,
  guard: !!document.querySelector('meta[name="highpipe-guard"]'),
  doctype: dt ? "<!DOCTYPE " + dt.name + ">" : "",
  html: document.documentElement ? document.documentElement.outerHTML : "",
};
"""
CRASH_MARKERS = ("invalid session id", "chrome not reachable", "tab crashed", "session deleted",
                 "disconnected", "no such window", "target window already closed")  # fmt: skip


class _Crashed(Exception):
    pass


class BrowserFetcher(Fetcher):
    """One job's browser: leases a driver from `pool` on first use and gives it back at `stop()`."""

    def __init__(self, pool: BrowserPool, *, max_bytes: int = 10 * 1024 * 1024) -> None:
        self._pool = pool
        self._max_bytes = max_bytes
        self._driver: Driver | None = None
        self.refused: list[Refusal] = []
        self.pages = 0

    async def start(self) -> None:
        return None  # the driver is leased lazily: a job that never renders never takes one

    async def stop(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            await self._pool.give_back(driver)

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        target = await check_target(url, self._pool.resolver, self._pool.allow_hosts)
        driver = await self._lease()
        if driver.pages >= self._pool.config.max_pages_per_driver:
            driver = self._driver = await self._pool.renew(driver)
        driver.origins.add(f"{target.url.scheme}://{target.url.netloc.decode('ascii')}")
        for attempt in (1, 2):
            try:
                snapshot, refused = await driver.call(functools.partial(self._render, driver, url, headers))
                break
            except _Crashed as exc:
                log.warning("browser crashed on %s (attempt %d): %s", url, attempt, exc)
                driver.broken = True
                if attempt == 2:
                    raise unreachable(target.host, f"the browser crashed twice: {exc}") from None
                driver = self._driver = await self._pool.renew(driver)
        self.pages += 1
        if refused:
            self.refused.extend(refused)
            for r in refused:
                log.info("browser sub-request refused on %s: %s (%s)", url, r.url, r.code)
        return self._result(snapshot, refused, target.host)

    async def _lease(self) -> Driver:
        if self._driver is None:
            self._driver = await self._pool.lease()
        return self._driver

    def _render(
        self, driver: Driver, url: str, headers: dict[str, str] | None
    ) -> tuple[dict[str, Any], list[Refusal]]:
        """Blocking: runs on the driver's own thread."""
        from selenium.common.exceptions import TimeoutException, WebDriverException
        from urllib3.exceptions import HTTPError as DriverLinkError

        wd = driver.webdriver
        config = self._pool.config
        mark = len(driver.listener.refused)
        driver.pages += 1
        driver.listener.open = True
        try:
            if headers:
                wd.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": dict(headers)})
            try:
                wd.get(url)
            except TimeoutException:
                _stop_loading(wd)
                raise policy.timeout_error(url, config.page_timeout_s) from None
            finally:
                if headers:
                    wd.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
            wd.execute_async_script(SETTLE_SCRIPT, config.settle_quiet_ms, int(config.settle_max_s * 1000))
            snapshot: dict[str, Any] = wd.execute_script(SNAPSHOT_SCRIPT)
        except (DriverLinkError, ConnectionError) as exc:  # chromedriver itself is gone
            raise _Crashed(f"{type(exc).__name__}: {exc}".splitlines()[0]) from None
        except WebDriverException as exc:
            text = str(exc).lower()
            if any(marker in text for marker in CRASH_MARKERS):
                raise _Crashed(str(exc).splitlines()[0]) from None
            # e.g. net::ERR_TUNNEL_CONNECTION_FAILED when the guard refused an https hop: judged below
            # like Chrome's own error page, with this navigation's refusals.
            snapshot = {"url": "chrome-error://navigation", "error": str(exc).splitlines()[0]}
        finally:
            driver.listener.open = False
        return snapshot, driver.listener.refusals_since(mark)

    def _result(self, snapshot: dict[str, Any], refused: list[Refusal], host: str) -> FetchResult:
        final_url = str(snapshot.get("url") or "")
        if snapshot.get("guard") or (final_url.startswith("chrome-error:") and refused):
            # A navigation hop was refused (an error page loads nothing, so the refusals are its own).
            first = next((r for r in refused if r.code == "blocked_address"), refused[0] if refused else None)
            reason = first.reason if first else "the navigation was refused by the SSRF guard"
            raise FetchError(reason, code=first.code if first else "blocked_address")
        if final_url.startswith("chrome-error:") or not final_url.startswith(("http:", "https:")):
            raise unreachable(host, str(snapshot.get("error") or "the browser could not load the page"))
        status = int(snapshot.get("status") or 200)
        body = (str(snapshot.get("doctype") or "") + str(snapshot.get("html") or "")).encode("utf-8")
        if len(body) > self._max_bytes:
            raise policy.too_large_error(self._max_bytes)
        if status in (403, 429):
            raise policy.blocked_by_site_error(status)
        if status >= 400:
            raise policy.http_error(status, final_url, 1)
        headers = {"content-type": "text/html; charset=utf-8", "x-highpipe-rendered": "browser"}
        if policy.looks_like_bot_check(headers["content-type"], body):
            raise policy.bot_check_error(status)
        return FetchResult(url=final_url, status=status, headers=headers, body=body)


def _stop_loading(wd: Any) -> None:
    try:
        wd.execute_script("window.stop();")
    except Exception as exc:  # best effort: the page may be wedged; the next get() navigates anyway
        log.debug("window.stop() failed: %s", exc)
