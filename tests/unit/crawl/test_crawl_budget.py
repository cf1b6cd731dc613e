"""A crawl job's time budget: collection stops (mid-fetch if need be), the job says why, and what was
collected is still analysed and reported; progress events carry the crawl rate.

Jobs run in-process (crawl worker, analyzer, sink) over the demo shop through httpx.ASGITransport; the
`slow` product takes 0.3 s per review page, so a 0.8 s budget ends the crawl after a few pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from tests.conftest import make_settings
from tests.fakes import KeywordAnalyzer
from tests.unit.crawl.conftest import AsgiFetcher

from highpipe.bootstrap import ALL_ROLES, bootstrap
from highpipe.crawl.base import Page
from highpipe.crawl.budget import MAX_BUDGET_S, BudgetSpent, CrawlRate, TimeBudget, budget_seconds
from highpipe.domain.events import ProgressData
from highpipe.domain.jobs import is_final
from highpipe.domain.models import Job

BASE = "http://127.0.0.1/demo"


async def _run(
    tmp_path: Path, fetcher: Callable[[], AsgiFetcher], url: str, **options: object
) -> tuple[Job, list[ProgressData], bool]:
    container = bootstrap(make_settings(tmp_path, 8000), analyzer=KeywordAnalyzer(), fetcher_factory=fetcher)
    await container.start(ALL_ROLES)
    try:
        job = await container.jobs.start_url(url, options=dict(options))
        for _ in range(800):
            current = await container.store.get_job(job.job_id)
            if current is not None and is_final(current.status):
                break
            await asyncio.sleep(0.025)
        else:
            raise AssertionError("the job did not finish")
        events = await container.store.events_of_type(job.job_id, ["progress"])
        progress = [ProgressData.model_validate(e.data) for e in events]
        rows = await container.store.job_rows(job.job_id)
        analysed = all(r.analysis is not None for r in rows) and len(rows) == current.collected
        reported = await container.store.get_report(job.job_id) is not None
        return current, progress, analysed and reported
    finally:
        await container.stop()


async def test_a_spent_budget_stops_the_crawl_and_keeps_what_it_has(
    tmp_path: Path, asgi_fetcher: Callable[..., AsgiFetcher]
) -> None:
    job, progress, analysed_and_reported = await _run(
        tmp_path, asgi_fetcher, f"{BASE}/products/slow", time_budget_s=0.8, max_reviews=1000
    )
    assert job.status == "failed" and job.failure_code == "time_budget"
    assert 0 < job.collected < 1000  # 10 pages of 0.3 s cannot fit in 0.8 s
    assert job.failure_reason is not None
    assert "0.8" in job.failure_reason and f"{job.collected} reviews collected" in job.failure_reason
    assert "시간 예산" in job.failure_reason
    assert analysed_and_reported  # partial results are analysed and reported, like max_reviews
    stats = job.options["crawl"]
    assert stats["reviews"] == job.collected and stats["pages"] == max(p.pages for p in progress)
    assert stats["pages_per_s"] > 0 and stats["seconds"] < 2.0


async def test_progress_events_carry_the_crawl_rate(
    tmp_path: Path, asgi_fetcher: Callable[..., AsgiFetcher]
) -> None:
    job, progress, _ = await _run(tmp_path, asgi_fetcher, f"{BASE}/products/towel", time_budget_s=60)
    assert job.status == "completed" and job.collected == 150
    # The crawl worker's events (the first ones: collection runs ahead of analysis) carry its rate.
    assert progress[0].pages == 1 and progress[0].rate_per_s > 0
    assert job.options["crawl"]["reviews_per_s"] > 0


def test_budget_option_wins_and_bad_values_fall_back() -> None:
    assert budget_seconds({"time_budget_s": 30}, 600) == 30.0
    assert budget_seconds({}, 600) == 600.0
    for bad in (0, -5, "30", True, float("nan"), float("inf"), None):
        assert budget_seconds({"time_budget_s": bad}, 120) == 120.0
    assert budget_seconds({"time_budget_s": 10**9}, 120) == MAX_BUDGET_S


async def _pages(delays: list[float], error: Exception | None = None) -> AsyncIterator[Page]:
    for number, delay in enumerate(delays, 1):
        await asyncio.sleep(delay)
        yield Page(number, None)
    if error is not None:
        raise error


async def test_the_budget_cuts_a_slow_page_but_not_an_extractors_own_timeout() -> None:
    budget = TimeBudget(0.2)
    pages = _pages([0.0, 5.0])
    assert (await budget.next_page(pages)).number == 1
    started = asyncio.get_running_loop().time()
    with pytest.raises(BudgetSpent):
        await budget.next_page(pages)  # the 5 s page is cut when the budget runs out
    assert asyncio.get_running_loop().time() - started < 1.0
    with pytest.raises(BudgetSpent):
        await budget.next_page(_pages([0.0]))  # spent: no further page is even asked for
    own = TimeBudget(10).next_page(_pages([], TimeoutError()))
    with pytest.raises(TimeoutError):
        await own


def test_rate_counts_pages_and_reviews_per_second() -> None:
    now = [100.0]
    rate = CrawlRate(clock=lambda: now[0])
    rate.add(1, 20)
    rate.add(1, 20)
    now[0] = 104.0
    assert rate.stats() == {
        "pages": 2,
        "reviews": 40,
        "seconds": 4.0,
        "pages_per_s": 0.5,
        "reviews_per_s": 10.0,
    }
