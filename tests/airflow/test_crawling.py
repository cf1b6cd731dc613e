"""start_crawl: the crawler call's retries and the reasons it fails a job with (recording fakes, no server)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from highpipe_common.client import HighPipeError
from highpipe_common.crawling import CrawlerCallFailed, start_crawl


class Crawler:
    """Answers (or raises) the given outcomes in turn and records each call."""

    base_url = "http://crawler.test:8010"

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[str, str, int | None]] = []

    def crawl_job(self, job_id: str, url: str, *, max_reviews: int | None = None) -> dict[str, Any]:
        self.calls.append((job_id, url, max_reviews))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return dict(outcome)


class Api:
    def __init__(self) -> None:
        self.failed: list[tuple[str, str, str]] = []

    def fail(self, job_id: str, reason: str, code: str) -> bool:
        self.failed.append((job_id, reason, code))
        return True


def _run(crawler: Crawler, api: Api, sleeps: list[float]) -> dict[str, Any]:
    return start_crawl(api, crawler, "j1", "http://shop/p", max_reviews=50, sleep=sleeps.append)  # type: ignore[arg-type]


def test_a_busy_crawler_is_tried_again_then_answers() -> None:
    crawler, api, sleeps = Crawler(HighPipeError(503, "busy"), {"id": "c1", "job_id": "j1"}), Api(), []
    assert _run(crawler, api, sleeps) == {"id": "c1", "job_id": "j1"}
    assert crawler.calls == [("j1", "http://shop/p", 50)] * 2 and sleeps == [1.0] and api.failed == []


def test_an_unreachable_crawler_fails_the_job_after_the_attempts() -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    crawler, api, sleeps = Crawler(refused, refused, refused), Api(), []
    with pytest.raises(CrawlerCallFailed) as caught:
        _run(crawler, api, sleeps)
    assert len(crawler.calls) == 3 and sleeps == [1.0, 1.0]
    ((job_id, reason, code),) = api.failed
    assert (job_id, code) == ("j1", "crawler_unreachable") and caught.value.reason == reason
    assert "http://crawler.test:8010" in reason and "Connection refused" in reason and " / " in reason


def test_a_refusal_fails_the_job_at_once_with_the_crawlers_answer() -> None:
    crawler, api, sleeps = Crawler(HighPipeError(409, "The job already ended (cancelled)")), Api(), []
    with pytest.raises(CrawlerCallFailed, match="answered 409: The job already ended"):
        _run(crawler, api, sleeps)
    assert len(crawler.calls) == 1 and sleeps == []
    assert [code for _, _, code in api.failed] == ["crawler_rejected"]


def test_a_crawler_error_is_final() -> None:
    crawler, api, sleeps = Crawler(HighPipeError(500, "Internal Server Error")), Api(), []
    with pytest.raises(CrawlerCallFailed) as caught:
        _run(crawler, api, sleeps)
    assert caught.value.code == "crawler_error" and len(crawler.calls) == 1 and sleeps == []
