"""Calling the crawler service for a job (the original flow: the DAG hands the crawl to the crawler).

`start_crawl` posts `{"job_id", "url"}` to the crawler service. A service that cannot be reached, or that
answers 502/503/504, is tried `attempts` times `retry_s` apart (a rolling restart, a pod not ready yet);
any other 4xx/5xx is final at once. When the call fails for good, the job is marked failed through
`POST /api/analyses/{id}/fail` with a reason naming the service and its answer (code
`crawler_unreachable`, `crawler_rejected` for 4xx, `crawler_error` for 5xx), and `CrawlerCallFailed` is
raised. A repeated call for a job the service is crawling answers that same crawl, so retrying after a
lost answer never starts a second one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

import httpx

from highpipe_common.client import CrawlerClient, HighPipeClient, HighPipeError

ATTEMPTS: Final = 3
RETRY_S: Final = 1.0
TRANSIENT: Final = frozenset({502, 503, 504})


class CrawlerCallFailed(Exception):
    """The crawler service did not take the job; the job has been marked failed with `reason`."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def unreachable_reason(base_url: str, error: Exception) -> str:
    return (
        f"수집 서비스에 연결할 수 없습니다 / The crawler service at {base_url} could not be reached "
        f"({type(error).__name__}: {str(error)[:200] or 'no detail'})."
    )


def answered_reason(base_url: str, error: HighPipeError) -> str:
    return (
        f"수집 서비스가 요청을 거절했습니다 (HTTP {error.status}) / The crawler service at {base_url} "
        f"answered {error.status}: {error.detail[:300]}"
    )


def start_crawl(
    api: HighPipeClient,
    crawler: CrawlerClient,
    job_id: str,
    url: str,
    *,
    max_reviews: int | None = None,
    attempts: int = ATTEMPTS,
    retry_s: float = RETRY_S,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """The crawler's answer (`{"id", "job_id", "status", ...}`); CrawlerCallFailed once the job is failed."""
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            return crawler.crawl_job(job_id, url, max_reviews=max_reviews)
        except httpx.TransportError as exc:  # refused, reset, timed out
            reason, code, transient = unreachable_reason(crawler.base_url, exc), "crawler_unreachable", True
        except HighPipeError as exc:
            reason = answered_reason(crawler.base_url, exc)
            code = "crawler_rejected" if exc.status < 500 else "crawler_error"
            transient = exc.status in TRANSIENT
        if not transient or attempt >= attempts:
            break
        sleep(retry_s)
    api.fail(job_id, reason, code)  # False: the job had ended meanwhile; the crawl still did not start
    raise CrawlerCallFailed(reason, code)
