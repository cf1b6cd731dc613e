"""A small pool of headless Chromium drivers (Selenium + Debian's chromium / chromedriver), reused across jobs.

- Binaries: ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` (Debian packages ``chromium`` and
  ``chromium-driver``; `make browser-deps` installs them). Both paths are passed explicitly (the
  driver through ``Service(executable_path=...)``), so Selenium Manager never runs or downloads anything.
- Each driver: a fresh ``--user-data-dir`` (removed when the driver quits), its own `GuardProxy` listener
  as its only proxy (``--proxy-bypass-list=<-loopback>`` sends even loopback through it), its own DNS
  switched off (``--host-resolver-rules``) and WebRTC limited to proxied traffic, so every byte the
  browser sends passes the SSRF guard. A page-load timeout bounds each navigation.
- Leases: a job takes one driver for its whole life (`lease`), so its cookies stay its own; when the job
  gives it back, cookies, cache and the storage of every origin it touched are cleared before the next
  job gets it. A driver is recycled (quit, replaced on demand) after ``max_pages_per_driver`` pages or
  when it crashed.
- Threads: every Selenium call for a driver runs on that driver's own single worker thread, so calls are
  serialised and a call abandoned by a cancelled task still finishes before the driver is reset. The pool
  uses no asyncio primitive, so it can be shared by several event loops (tests) over its life.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from highpipe.adapters.fetch.browser_config import (
    INIT_SCRIPT,
    BrowserConfig,
    browser_unavailable,
    chrome_args,
    process_tree_memory,
)
from highpipe.adapters.fetch.guard_proxy import Connector, GuardProxy, Listener
from highpipe.adapters.fetch.ssrf import Resolver, SystemResolver
from highpipe.ports.fetch import FetchError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(eq=False)
class Driver:
    """One Chromium + chromedriver, its proxy listener, profile folder and worker thread."""

    webdriver: Any
    listener: Listener
    profile: str
    executor: ThreadPoolExecutor
    pages: int = 0
    broken: bool = False
    origins: set[str] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int | None:
        process = getattr(getattr(self.webdriver, "service", None), "process", None)
        return int(process.pid) if process is not None else None

    async def call(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn)


class BrowserPool:
    """Up to `config.pool_size` drivers, launched on demand and reused by successive leases."""

    def __init__(
        self,
        config: BrowserConfig,
        *,
        resolver: Resolver | None = None,
        allow_hosts: Sequence[str] = (),
        connect: Connector | None = None,
    ) -> None:
        self.config = config
        self.resolver: Resolver = resolver or SystemResolver()
        self.allow_hosts = list(allow_hosts)
        self.proxy = GuardProxy(
            self.resolver, self.allow_hosts, connect=connect, connect_timeout_s=config.page_timeout_s
        )
        self._lock = threading.Lock()
        self._idle: list[Driver] = []
        self._busy: set[Driver] = set()
        self._launching = 0
        self._closed = False
        self.launched = 0
        self.recycled = 0

    # ---- leases ---------------------------------------------------------------------------------

    async def lease(self) -> Driver:
        """An idle driver, a new one if the pool is not full, else wait (up to acquire_timeout_s)."""
        deadline = time.monotonic() + self.config.acquire_timeout_s
        while True:
            with self._lock:
                if self._closed:
                    raise browser_unavailable("the browser pool is closed")
                if self._idle:
                    driver = self._idle.pop()
                    self._busy.add(driver)
                    return driver
                launch = len(self._busy) + self._launching < self.config.pool_size
                if launch:
                    self._launching += 1
            if launch:
                try:
                    driver = await asyncio.to_thread(self._launch)
                finally:
                    with self._lock:
                        self._launching -= 1
                with self._lock:
                    self._busy.add(driver)
                return driver
            if time.monotonic() >= deadline:
                raise FetchError(
                    "브라우저가 모두 사용 중입니다. 잠시 후 다시 시도하세요 / All browser slots are busy "
                    f"(pool of {self.config.pool_size}); try again later.",
                    code="timeout",
                )
            await asyncio.sleep(0.05)  # polling keeps the pool free of loop-bound primitives

    async def give_back(self, driver: Driver) -> None:
        """Return a leased driver: cleared for the next job, or quit if broken or worn out."""
        if not driver.broken and driver.pages < self.config.max_pages_per_driver and not self._closed:
            try:
                await driver.call(lambda: _reset(driver))
            except Exception as exc:  # a driver that cannot be reset is not given to another job
                log.warning("browser reset failed, recycling: %s", exc)
                driver.broken = True
        with self._lock:
            self._busy.discard(driver)
            keep = not driver.broken and driver.pages < self.config.max_pages_per_driver and not self._closed
            if keep:
                self._idle.append(driver)
        if not keep:
            await asyncio.to_thread(self._quit, driver)

    async def renew(self, driver: Driver) -> Driver:
        """Swap a leased driver for a fresh one (after a crash, or when it has served enough pages)."""
        with self._lock:
            self._busy.discard(driver)
            self._launching += 1
        await asyncio.to_thread(self._quit, driver)
        try:
            fresh = await asyncio.to_thread(self._launch)
        finally:
            with self._lock:
                self._launching -= 1
        with self._lock:
            self._busy.add(fresh)
        return fresh

    async def close(self) -> None:
        with self._lock:
            self._closed = True
            drivers = [*self._idle, *self._busy]
            self._idle.clear()
            self._busy.clear()
        for driver in drivers:
            await asyncio.to_thread(self._quit, driver)
        self.proxy.stop()

    # ---- introspection ----------------------------------------------------------------------------

    def drivers(self) -> list[Driver]:
        with self._lock:
            return [*self._idle, *self._busy]

    def memory(self) -> dict[int, tuple[int, int]]:
        """(RSS, PSS) bytes of each driver's process tree (chromedriver + chromium and its children)."""
        return {pid: process_tree_memory(pid) for d in self.drivers() if (pid := d.pid) is not None}

    # ---- driver life (blocking; called in threads) -------------------------------------------------

    def _launch(self) -> Driver:
        for path in (self.config.binary, self.config.driver):
            if not os.access(path, os.X_OK):
                raise browser_unavailable(
                    f"{path} is missing (install Debian's chromium and chromium-driver)"
                )
        from selenium import webdriver  # imported here: only the browser path needs Selenium
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        self.proxy.start()
        listener = self.proxy.open_listener()
        profile = tempfile.mkdtemp(prefix="highpipe-chromium-")
        options = Options()
        options.binary_location = self.config.binary
        for arg in chrome_args(self.config, proxy=listener.address, profile=profile):
            options.add_argument(arg)
        options.add_experimental_option(
            "prefs",
            {
                "webrtc.ip_handling_policy": "disable_non_proxied_udp",
                "webrtc.multiple_routes_enabled": False,
                "webrtc.nonproxied_udp_enabled": False,
                "intl.accept_languages": "ko-KR,ko,en-US,en",
            },
        )
        service = Service(executable_path=self.config.driver, log_output=subprocess.DEVNULL)
        try:
            wd = webdriver.Chrome(options=options, service=service)
            wd.set_page_load_timeout(self.config.page_timeout_s)
            wd.set_script_timeout(self.config.settle_max_s + 5)
            wd.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": INIT_SCRIPT})
            wd.execute_cdp_cmd("Network.enable", {})
        except Exception as exc:
            self.proxy.close_listener(listener)
            shutil.rmtree(profile, ignore_errors=True)
            raise browser_unavailable(f"{type(exc).__name__}: {exc}".splitlines()[0]) from None
        self.launched += 1
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="highpipe-browser")
        return Driver(webdriver=wd, listener=listener, profile=profile, executor=executor)

    def _quit(self, driver: Driver) -> None:
        self.recycled += 1
        try:
            driver.executor.submit(driver.webdriver.quit).result(30)
        except Exception as exc:  # the process may be gone already; the profile is removed regardless
            log.info("browser quit: %s", exc)
        driver.executor.shutdown(wait=False)
        self.proxy.close_listener(driver.listener)
        _remove_profile(driver.profile)


def _remove_profile(path: str) -> None:
    # Chromium's last processes may still write "Local State" just after chromedriver returns.
    for _ in range(20):
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.exists(path):
            return
        time.sleep(0.1)
    log.warning("could not remove the browser profile %s", path)


def _reset(driver: Driver) -> None:
    """Forget everything the last job left: cookies, cache and the storage of the origins it touched."""
    wd = driver.webdriver
    wd.get("about:blank")
    wd.execute_cdp_cmd("Network.clearBrowserCookies", {})
    wd.execute_cdp_cmd("Network.clearBrowserCache", {})
    wd.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
    for origin in driver.origins | driver.listener.origins:
        wd.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
    driver.origins.clear()
    driver.listener.origins.clear()
