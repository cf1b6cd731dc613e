"""Whole analysis jobs over the shop extractors: the crawl worker, the analyzer and the sink, in-process,
with a RobotsFetcher over replayed fixture pages (nothing leaves the process).

Shows what users see: a Coupang job collects every review with its KST date and finishes; an Amazon
job stopped by the sign-in wall fails with that reason, keeping the product page's reviews; a shop
whose robots.txt forbids the review endpoint fails with the robots reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from tests.conftest import make_settings
from tests.fakes import KeywordAnalyzer

from highpipe.bootstrap import ALL_ROLES, Container, bootstrap
from highpipe.crawl.amazon import product_url as amazon_product_url
from highpipe.crawl.amazon import reviews_url as amazon_reviews_url
from highpipe.crawl.coupang import json_reviews_url, product_url
from highpipe.crawl.replay import Answer, ReplayFetcher
from highpipe.crawl.robots import RobotsFetcher
from highpipe.crawl.shop_common import KST
from highpipe.domain.jobs import is_final
from highpipe.domain.models import Job

SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
UA = "HighPipeBot/0.1 (+review analysis)"
PID = "7335597976"
COUPANG = product_url(PID)
ASIN = "B0C7XK2N5Q"

RunJob = Callable[[str, dict[str, Answer]], Awaitable[tuple[Job, Container]]]


@pytest.fixture
async def run_job(tmp_path: Path) -> AsyncIterator[RunJob]:
    containers: list[Container] = []

    async def run(url: str, pages: dict[str, Answer]) -> tuple[Job, Container]:
        container = bootstrap(
            make_settings(tmp_path, 8000),
            analyzer=KeywordAnalyzer(),
            fetcher_factory=lambda: RobotsFetcher(ReplayFetcher(pages), user_agent=UA),
        )
        containers.append(container)
        await container.start(ALL_ROLES)
        job = await container.jobs.start_url(url, options={"max_reviews": 100})
        for _ in range(400):
            current = await container.store.get_job(job.job_id)
            if current is not None and is_final(current.status):
                return current, container
            await asyncio.sleep(0.025)
        raise AssertionError("the job did not finish")

    yield run
    for container in containers:
        await container.stop()


async def test_coupang_job_collects_and_finishes(run_job: RunJob) -> None:
    pages: dict[str, Answer] = {
        COUPANG: SITES / "coupang" / "product.html",
        json_reviews_url(PID, 1): SITES / "coupang" / "reviews_p2.json",  # a short page: the last one
    }
    job, container = await run_job(COUPANG, pages)
    assert job.status == "completed", job.failure_reason
    assert (job.product_id, job.collected) == (f"coupang:{PID}", 2)
    rows = await container.store.job_rows(job.job_id)
    reviews = sorted((r.review for r in rows), key=lambda r: r.review_uid)
    assert [r.review_uid for r in reviews] == ["coupang:550870011", "coupang:551001200"]
    assert reviews[0].date is not None and reviews[0].date.astimezone(KST).day == 11  # 2026-10-11 KST
    assert (reviews[0].rating, reviews[0].author_display, reviews[0].helpful) == (1.0, "김*진", 7)
    product = await container.store.get_product(f"coupang:{PID}")
    assert product is not None and product.title == "스텐리 클래식 진공 보온병 1L"


async def test_amazon_sign_in_wall_fails_the_job_with_partial_results(run_job: RunJob) -> None:
    pages: dict[str, Answer] = {
        amazon_product_url("com", ASIN): SITES / "amazon" / "dp.html",
        amazon_reviews_url("com", ASIN): SITES / "amazon" / "signin.html",
    }
    job, container = await run_job(f"https://www.amazon.com/dp/{ASIN}", pages)
    assert job.status == "failed" and job.failure_code == "blocked_by_site"
    assert (
        job.failure_reason is not None and "sign in" in job.failure_reason and "로그인" in job.failure_reason
    )
    assert "3 reviews collected" in job.failure_reason
    assert len(await container.store.job_rows(job.job_id)) == 3  # kept, and analysed


async def test_robots_forbidding_the_review_endpoint_fails_the_job(run_job: RunJob) -> None:
    pages: dict[str, Answer] = {
        "https://www.coupang.com/robots.txt": "User-agent: *\nDisallow: /next-api/\nDisallow: /vp/product/\n",
        COUPANG: SITES / "coupang" / "product.html",
    }
    job, _ = await run_job(COUPANG, pages)
    assert job.status == "failed" and job.failure_code == "robots"
    assert job.failure_reason is not None and "robots.txt" in job.failure_reason
