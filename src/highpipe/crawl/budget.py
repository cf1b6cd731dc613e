"""A crawl job's time budget and its crawl rate.

`TimeBudget(seconds)` bounds a whole crawl: `next_page(pages)` awaits the extractor's next page but
raises `BudgetSpent` once the budget is used up — also in the middle of a slow fetch, which is
cancelled — so the caller can stop, keep what it has, and say why (`reason(collected)`). The
caller's own work between pages (storing, publishing) is never cut. Budgets come from the request
option ``time_budget_s`` or the ``crawl_time_budget_s`` setting (`budget_seconds`).

`CrawlRate` is pages/s and reviews/s since the crawl started, for progress events and job stats.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field

from highpipe.crawl.base import Page

DEFAULT_BUDGET_S = 900.0
MAX_BUDGET_S = 6 * 3600.0


class BudgetSpent(Exception):
    pass


def budget_seconds(options: Mapping[str, object], default: float | None) -> float:
    """The job's budget: a positive finite ``time_budget_s`` option (capped), else `default`."""
    value = options.get("time_budget_s")
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
        return min(float(value), MAX_BUDGET_S)
    return float(default) if default and default > 0 else DEFAULT_BUDGET_S


@dataclass(slots=True)
class TimeBudget:
    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def remaining(self) -> float:
        return self.started + self.seconds - self.clock()

    async def next_page(self, pages: AsyncIterator[Page]) -> Page:
        """The next page; StopAsyncIteration at the end; BudgetSpent when time is up."""
        remaining = self.remaining
        if remaining <= 0:
            raise BudgetSpent
        timer = asyncio.timeout(remaining)
        try:
            async with timer:
                return await anext(pages)
        except TimeoutError:
            if timer.expired():
                raise BudgetSpent from None
            raise  # a timeout of the extractor's own: the caller reports it as such

    def reason(self) -> str:
        shown = f"{self.seconds:g}"
        return (
            f"수집 시간 예산({shown}초)을 다 써서 수집을 멈췄습니다. 모은 리뷰는 분석했습니다 / The crawl's time "
            f"budget ({shown} s) was used up, so collection stopped; the reviews collected were analysed"
        )


@dataclass(slots=True)
class CrawlRate:
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    pages: int = 0
    reviews: int = 0

    def __post_init__(self) -> None:
        self.started = self.clock()

    def add(self, pages: int, reviews: int) -> None:
        self.pages += pages
        self.reviews += reviews

    @property
    def elapsed_s(self) -> float:
        return max(self.clock() - self.started, 1e-6)

    def pages_per_s(self) -> float:
        return round(self.pages / self.elapsed_s, 2)

    def reviews_per_s(self) -> float:
        return round(self.reviews / self.elapsed_s, 1)

    def stats(self) -> dict[str, float | int]:
        return {
            "pages": self.pages,
            "reviews": self.reviews,
            "seconds": round(self.elapsed_s, 2),
            "pages_per_s": self.pages_per_s(),
            "reviews_per_s": self.reviews_per_s(),
        }
