"""The composition root: reads Settings, builds the adapters, wires the services.

`bootstrap(settings, **overrides)` builds everything; nothing is built at import time. Tests pass
fakes or memory backends as overrides (bus=, store=, cache=, lake=, analyzer=, fetcher_factory=).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from highpipe.adapters import registry
from highpipe.adapters.fetch import fallback
from highpipe.adapters.fetch.browser_pool import BrowserPool
from highpipe.config import Settings
from highpipe.crawl.base import CrawlLimits
from highpipe.domain.events import TOPIC_ANALYZED, TOPIC_COLLECTED, TOPIC_EVENTS, TOPIC_REQUESTED
from highpipe.observability import Metrics
from highpipe.ports.analyzer import Analyzer
from highpipe.ports.bus import Bus
from highpipe.ports.cache import Cache
from highpipe.ports.fetch import Fetcher
from highpipe.ports.lake import Lake
from highpipe.ports.llm import LLM
from highpipe.ports.store import Store
from highpipe.services.analyze import AnalyzeService
from highpipe.services.crawl import CrawlService
from highpipe.services.events import Emitter
from highpipe.services.jobs import JobService
from highpipe.services.sink import SinkService

log = logging.getLogger(__name__)
Role = Literal["crawl", "analyze", "sink"]
ALL_ROLES: tuple[Role, ...] = ("crawl", "analyze", "sink")


def _default_analyzer() -> Analyzer:
    from highpipe.analysis.engine import LocalAnalyzer

    return LocalAnalyzer.load()


@dataclass
class Container:
    settings: Settings
    bus: Bus
    store: Store
    cache: Cache
    lake: Lake | None
    metrics: Metrics
    fetcher_factory: Callable[[], Fetcher]
    analyzer_factory: Callable[[], Analyzer]
    emitter: Emitter
    jobs: JobService
    llm: LLM | None = None
    browser_pool: BrowserPool | None = None
    roles: tuple[Role, ...] = ()
    _analyzer: Analyzer | None = None
    _started: bool = False
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = self.analyzer_factory()
        return self._analyzer

    async def start(self, roles: tuple[Role, ...] = ALL_ROLES) -> None:
        """Start the backends, then subscribe the given worker roles (none for a pure API process)."""
        await self.store.start()
        await self.cache.start()
        if self.lake is not None:
            await self.lake.start()
        await self.bus.start()
        if self.llm is not None:
            await self.llm.start()  # no network call: a server that is down cannot block start-up
        self._started = True
        self.roles = roles
        s = self.settings
        if "sink" in roles:
            sink = SinkService(
                self.store,
                self.cache,
                self.lake,
                self.emitter,
                s.base_url,
                s.card_min_mentions,
                self.metrics,
                self.llm,
            )
            await self.bus.subscribe(TOPIC_EVENTS, "sink-events", sink.record_event)
            await self.bus.subscribe(TOPIC_ANALYZED, "sink", sink.handle_analyzed)
            await self.bus.subscribe(TOPIC_COLLECTED, "sink-lake", sink.handle_collected)
        if "analyze" in roles:
            analyze = AnalyzeService(
                self.store,
                self.bus,
                self.emitter,
                self.analyzer,
                s.analyze_batch_size,
                s.card_min_mentions,
                self.metrics,
            )
            await self.bus.subscribe(TOPIC_COLLECTED, "analyze", analyze.handle)
        if "crawl" in roles:
            await self.bus.subscribe(TOPIC_REQUESTED, "crawl", self.crawl_service().handle)

    def crawl_service(self, bus: Bus | None = None) -> CrawlService:
        """The crawl use case from the settings, publishing on `bus` (default: the container's). The bus
        worker and the crawler HTTP service (which records what it publishes) both build it here."""
        s = self.settings
        return CrawlService(
            self.store,
            bus or self.bus,
            self.emitter,
            self.fetcher_factory,
            s.author_salt,
            CrawlLimits(max_reviews=s.max_reviews, max_pages=s.max_pages),
            self.metrics,
            s.max_upload_bytes,
            Path(s.upload_dir),
            s.crawl_time_budget_s,
        )

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        await self.bus.stop()
        if self.llm is not None:
            await self.llm.stop()
        if self.lake is not None:
            await self.lake.stop()
        await self.cache.stop()
        await self.store.stop()
        if self.browser_pool is not None:
            await self.browser_pool.close()


def bootstrap(settings: Settings | None = None, **overrides: Any) -> Container:
    settings = settings or Settings()
    metrics: Metrics = overrides.get("metrics") or Metrics()
    bus: Bus = overrides.get("bus") or registry.create(
        "bus", settings.bus_url, max_attempts=settings.bus_max_attempts
    )
    store: Store = overrides.get("store") or registry.create("store", settings.database_url)
    metrics.watch(bus=bus, store=store)  # dead letters and the DB pool, read at each scrape
    cache: Cache | None = overrides.get("cache")
    if cache is None:
        cache = registry.create("cache", settings.cache_url)
        if not settings.cache_url.startswith("memory:"):
            # A shared cache server (Redis) that goes away must not take the API down: degrade instead.
            from highpipe.adapters.cache.degrading import DegradingCache

            cache = DegradingCache(cache)
    lake: Lake | None
    if "lake" in overrides:
        lake = overrides["lake"]
    else:
        lake = None
        if settings.lake_url:
            lake = registry.load_class("lake", settings.lake_url)(settings.lake_url)
            if settings.lake_flush_rows > 0:  # batched writes: a few large files, not one per message
                from highpipe.adapters.lake.buffered import BufferedLake

                lake = BufferedLake(
                    lake,  # type: ignore[arg-type]
                    flush_rows=settings.lake_flush_rows,
                    flush_s=settings.lake_flush_seconds,
                    compact_files=settings.lake_compact_files,
                )

    # Per-job fetchers: robots.txt -> httpx (HTTP/2, own cookie jar) with the headless-browser fallback.
    # The browser pool is shared by the process and starts nothing until a page needs rendering.
    pool = None if "fetcher_factory" in overrides else fallback.browser_pool(settings)

    llm: LLM | None = overrides.get("llm")
    if llm is None and settings.llm_url:
        llm = registry.create("llm", settings.llm_url, metrics=metrics)
    emitter = Emitter(bus)
    container = Container(
        settings=settings,
        bus=bus,
        store=store,
        cache=cache,
        lake=lake,
        metrics=metrics,
        fetcher_factory=overrides.get("fetcher_factory") or fallback.fetcher_factory(settings, pool),
        browser_pool=pool,
        analyzer_factory=overrides.get("analyzer_factory") or _default_analyzer,
        emitter=emitter,
        jobs=JobService(store, bus, emitter),
        llm=llm,
    )
    if "analyzer" in overrides:
        container._analyzer = overrides["analyzer"]
    return container
