"""The Selenium fetcher against real headless Chromium (Debian's chromium + chromedriver), on loopback.

One browser pool serves the module (a second, tiny one checks recycling and the page timeout). The site
is the demo shop plus a few test pages on a free loopback port; the browser's only way out is the guard
proxy, whose connector dials 127.0.0.1:<site port> and nothing else (see browser_support.py).
Selenium Manager is replaced by a function that records calls: it must never run.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.webdriver.common.selenium_manager import SeleniumManager

from highpipe.adapters.fetch.browser import BrowserFetcher
from highpipe.adapters.fetch.browser_config import BrowserConfig
from highpipe.adapters.fetch.browser_pool import BrowserPool
from highpipe.adapters.fetch.fallback import fetcher_factory
from highpipe.bootstrap import ALL_ROLES, bootstrap
from highpipe.domain.jobs import is_final
from highpipe.ports.fetch import FetchError
from tests.conftest import make_settings
from tests.fakes import KeywordAnalyzer, LoopbackOnly
from tests.integration.browser_support import Site, SiteServer, StubResolver, require_browser


@dataclass
class World:
    site: Site
    pool: BrowserPool
    connector: LoopbackOnly
    manager_calls: list[object]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    require_browser()
    calls: list[object] = []
    patch = pytest.MonkeyPatch()
    patch.setattr(SeleniumManager, "binary_paths", lambda self, args: calls.append(args) or {})
    server = SiteServer()
    connector = LoopbackOnly(server.site.port)
    pool = BrowserPool(
        BrowserConfig(pool_size=1, page_timeout_s=20),
        resolver=StubResolver(),
        allow_hosts=[f"127.0.0.1:{server.site.port}"],
        connect=connector,
    )
    try:
        yield World(server.site, pool, connector, calls)
    finally:
        asyncio.run(pool.close())
        server.close()
        patch.undo()
    assert connector.violations == [], "the browser tried to reach a non-allowed address"
    assert server.site.trip_hits == [], "a refused loopback port got a connection"
    assert calls == [], "Selenium Manager ran"


async def test_the_rendered_dom_holds_the_reviews_drawn_by_script(world: World) -> None:
    fetcher = BrowserFetcher(world.pool)
    try:
        result = await fetcher.get(world.site.url("/demo/products/perfume/live"))
    finally:
        await fetcher.stop()
    assert (result.status, result.url) == (200, world.site.url("/demo/products/perfume/live"))
    assert result.headers["x-highpipe-rendered"] == "browser"
    assert result.text.startswith("<!DOCTYPE html>")
    assert result.text.count('itemtype="https://schema.org/Review"') == 20
    assert 'rel="next"' in result.text and 'data-state="loaded"' in result.text


async def test_the_demo_shop_through_the_browser_path_end_to_end(world: World, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, world.site.port, use_browser="auto")
    container = bootstrap(
        settings, analyzer=KeywordAnalyzer(), fetcher_factory=fetcher_factory(settings, world.pool)
    )
    await container.start(ALL_ROLES)
    try:
        job = await container.jobs.start_url(world.site.url("/demo/products/towel/live"), options={})
        async with asyncio.timeout(60):
            while not is_final((current := await container.store.get_job(job.job_id) or job).status):
                await asyncio.sleep(0.05)
        rows = await container.store.job_rows(job.job_id)
    finally:
        await container.stop()
    assert current.status == "completed", current.failure_reason
    assert (current.product_id, current.collected) == ("127.0.0.1:towel", 150)
    assert len(rows) == 150 and all(r.analysis is not None for r in rows)
    assert current.options["crawl"]["pages"] == 8  # 20 reviews a page, each page rendered


async def test_sub_requests_to_internal_addresses_are_refused(world: World) -> None:
    fetcher = BrowserFetcher(world.pool)
    dialled_before = len(world.connector.dials)
    try:
        result = await fetcher.get(world.site.url("/ssrf/page"))
    finally:
        await fetcher.stop()
    assert result.status == 200 and "page rendered" in result.text
    refused = {r.url.split("//", 1)[1].split("/", 1)[0]: r.code for r in fetcher.refused}
    port, trip = world.site.port, world.site.trip_port
    expected = {
        f"127.0.0.1:{trip}", "169.254.169.254", f"[::1]:{port}", "10.1.2.3", "10.0.0.7:443",
        f"rebind.test:{port}", "meta.test", "ten.test:443", f"v6.test:{port}", f"[::ffff:7f00:1]:{trip}",
    }  # fmt: skip
    assert expected <= set(refused), sorted(refused)
    assert set(refused.values()) == {"blocked_address"}
    # The allowed image and the same-site redirect passed; the redirect's target did not.
    assert len(world.connector.dials) > dialled_before
    assert any("169.254.169.254/latest/" in r.url for r in fetcher.refused)


@pytest.mark.parametrize(
    "path",
    [
        "http://127.0.0.1:{trip}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/demo/",
        "http://10.0.0.1/",
        "http://meta.test/",
        "http://rebind.test:{port}/demo/",
        "/ssrf/redirect?to=http://169.254.169.254/latest/",
        "/ssrf/redirect?to=http://127.0.0.1:{trip}/",
        "/ssrf/redirect?to=https://ten.test/",
    ],
)
async def test_navigation_to_internal_addresses_is_refused(world: World, path: str) -> None:
    path = path.format(port=world.site.port, trip=world.site.trip_port)
    url = path if path.startswith("http") else world.site.url(path)
    fetcher = BrowserFetcher(world.pool)
    try:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(url)
    finally:
        await fetcher.stop()
    assert caught.value.code == "blocked_address", caught.value.reason
    assert "HIGHPIPE_ALLOW_HOSTS" in caught.value.reason


async def test_cookies_and_storage_never_cross_jobs(world: World) -> None:
    job_a = BrowserFetcher(world.pool)
    try:
        await job_a.get(world.site.url("/cookie/set"))
        seen_by_a = (await job_a.get(world.site.url("/cookie/show"))).text
    finally:
        await job_a.stop()
    job_b = BrowserFetcher(world.pool)  # the pool has one driver: job B gets the same browser
    try:
        seen_by_b = (await job_b.get(world.site.url("/cookie/show"))).text
    finally:
        await job_b.stop()
    assert "job=secret-cookie" in seen_by_a and "secret-storage" in seen_by_a
    assert "secret-cookie" not in seen_by_b and "secret-storage" not in seen_by_b


async def test_errors_keep_the_http_fetchers_codes(world: World) -> None:
    fetcher = BrowserFetcher(world.pool)
    try:
        with pytest.raises(FetchError) as missing:
            await fetcher.get(world.site.url("/demo/products/no-such-product"))
        with pytest.raises(FetchError) as invalid:
            await fetcher.get("file:///etc/passwd")
    finally:
        await fetcher.stop()
    assert missing.value.code == "http_4xx" and "404" in missing.value.reason
    assert invalid.value.code == "invalid_url"


async def test_drivers_are_recycled_after_n_pages_a_crash_and_survive_a_page_timeout(world: World) -> None:
    pool = BrowserPool(
        BrowserConfig(pool_size=1, max_pages_per_driver=2, page_timeout_s=1.5),
        resolver=StubResolver(),
        allow_hosts=[f"127.0.0.1:{world.site.port}"],
        connect=world.connector,
    )
    fetcher = BrowserFetcher(pool)
    try:
        for _ in range(3):
            assert (await fetcher.get(world.site.url("/demo/"))).status == 200
        assert pool.launched == 2  # the third page needed a fresh driver
        with pytest.raises(FetchError) as slow:
            await fetcher.get(world.site.url("/ssrf/slow"))
        assert slow.value.code == "timeout"
        (driver,) = pool.drivers()
        children = [
            int(p) for p in Path(f"/proc/{driver.pid}/task/{driver.pid}/children").read_text().split()
        ]
        for pid in children:  # kill Chromium under its chromedriver: the next page must still work
            os.kill(pid, signal.SIGKILL)
        assert (await fetcher.get(world.site.url("/demo/"))).status == 200
        assert pool.launched >= 3
        rss, pss = next(iter(pool.memory().values()))
        assert rss > pss > 10 * 1024 * 1024  # a real Chromium tree, measured
    finally:
        await fetcher.stop()
        await pool.close()
    assert pool.drivers() == []
