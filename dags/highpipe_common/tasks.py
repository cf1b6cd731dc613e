"""The analysis-flow tasks shared by the DAGs (TaskFlow): submit, call the crawler, wait per milestone,
summarise.

Timeouts and the poll interval come from the DAG run's params (`collect_timeout_s`, `analyze_timeout_s`,
`complete_timeout_s`, `poll_s`), so a run can be given its own; `DEFAULT_PARAMS` holds the defaults.
"""

from __future__ import annotations

from typing import Any, Final

from airflow.sdk import task
from airflow.sdk.exceptions import AirflowFailException

from highpipe_common.client import CrawlerClient, HighPipeClient
from highpipe_common.crawling import CrawlerCallFailed, start_crawl
from highpipe_common.waiting import JobEnded, MilestoneTimeout, wait_for

DEFAULT_PARAMS: Final[dict[str, Any]] = {
    "collect_timeout_s": 900,
    "analyze_timeout_s": 900,
    "complete_timeout_s": 300,
    "poll_s": 2.0,
}
_TIMEOUT_PARAM: Final = {
    "collected": "collect_timeout_s",
    "analyzed": "analyze_timeout_s",
    "completed": "complete_timeout_s",
}


def _param(params: dict[str, Any], name: str) -> float:
    return float(params.get(name) or DEFAULT_PARAMS[name])


def wait_milestone(job_id: str, milestone: str, params: dict[str, Any]) -> dict[str, Any]:
    """Wait in the running task; a timeout or an ended job fails the task without retries."""
    with HighPipeClient() as client:
        try:
            status = wait_for(
                client,
                job_id,
                milestone,
                timeout_s=_param(params, _TIMEOUT_PARAM[milestone]),
                poll_s=_param(params, "poll_s"),
            )
        except (JobEnded, MilestoneTimeout) as exc:
            raise AirflowFailException(str(exc)) from exc
    job = status["job"]
    return {
        "job_id": job_id,
        "status": job["status"],
        "collected": job["collected"],
        "stages": status["stages"],
    }


@task(retries=2)
def submit_analysis(**context: Any) -> str:
    """POST /api/analyses with the run's `url` (and `max_reviews`, `full`) and `dispatch: external`: the
    job is created but no crawl worker takes it (request_crawl hands it to the crawler service)."""
    params = context["params"]
    url = str(params.get("url") or "").strip()
    if not url:
        raise AirflowFailException(
            "url 파라미터가 필요합니다 / The run needs a `url` param (the product page)."
        )
    with HighPipeClient() as client:
        return client.submit(
            url,
            max_reviews=params.get("max_reviews"),
            full=bool(params.get("full")),
            dispatch="external",
        )


@task
def request_crawl(job_id: str, **context: Any) -> dict[str, Any]:
    """POST {crawler}/crawl for the job (its own URL); a failed call marks the job failed (no retry: the
    job has ended). Returns the crawler's answer: the crawl id and its status URL."""
    with HighPipeClient() as api, CrawlerClient() as crawler:
        url = str(api.status(job_id)["job"]["source"])
        try:
            answer = start_crawl(api, crawler, job_id, url, max_reviews=context["params"].get("max_reviews"))
        except CrawlerCallFailed as exc:
            raise AirflowFailException(str(exc)) from exc
        return {**answer, "status_url": f"{crawler.base_url}/crawl/{answer['id']}"}


@task
def wait_collected(job_id: str, **context: Any) -> dict[str, Any]:
    return wait_milestone(job_id, "collected", context["params"])


@task
def wait_analyzed(job_id: str, **context: Any) -> dict[str, Any]:
    return wait_milestone(job_id, "analyzed", context["params"])


@task
def wait_completed(job_id: str, **context: Any) -> dict[str, Any]:
    return wait_milestone(job_id, "completed", context["params"])


@task
def summarize(job_id: str) -> dict[str, Any]:
    """The report's headline figures (what a downstream task or a person looks at first)."""
    with HighPipeClient() as client:
        report = client.report(job_id)
    counts = report["sentiment_counts"]
    analysed = sum(counts.values())
    return {
        "job_id": job_id,
        "total_reviews": report["total_reviews"],
        "analyzed_reviews": report["analyzed_reviews"],
        "new_reviews": report.get("new_reviews"),
        "score": report["score"],
        "negative_share": round(counts.get("negative", 0) / analysed, 4) if analysed else 0.0,
        "cards": len(report["cards"]),
        "report_url": f"{client.base_url}/api/analyses/{job_id}/report",
    }


def analysis_flow(job_id: Any, after: Any = None) -> Any:
    """Wire the waits and the summary after `job_id` (an XComArg) and `after` (a task that must succeed
    first, such as request_crawl); returns the summary's XComArg."""
    collected = wait_collected(job_id)
    analyzed = wait_analyzed(job_id)
    completed = wait_completed(job_id)
    summary = summarize(job_id)
    if after is not None:
        after >> collected
    collected >> analyzed >> completed >> summary
    return summary
