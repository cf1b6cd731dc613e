"""highpipe_analysis and highpipe_analysis_from_kafka with dag.test() against the real embedded HighPipe.

Covered: a full run in the original flow (the job created with external dispatch, the crawler service
mounted at /crawler called for it, the three waits, the summary), a crawler that cannot be reached and one
that refuses (each marks the job failed with a reason), a stage timeout that marks the job failed with a
reason, a job that fails on its own (the site blocks), and the Kafka-started DAG given the request through
the run conf. Not covered by dag.test(): the AssetWatcher starting a run from a triggerer (dag.test has no
triggerer) — test_kafka_trigger.py runs the DAG's trigger itself against a real broker instead.
"""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from conftest import task_state, xcom

FAST = {"poll_s": 0.3}


def test_a_requested_analysis_runs_to_its_report(
    dagbag: Any, http: httpx.Client, demo: dict[str, str]
) -> None:
    expected = {p["id"]: p["review_count"] for p in http.get("/api/demo/products").json()}["towel"]
    run = dagbag.get_dag("highpipe_analysis").test(run_conf={"url": demo["towel"], **FAST})
    assert str(run.state) == "success"
    job_id = xcom(run, "submit_analysis")
    summary = xcom(run, "summarize")
    status = http.get(f"/api/analyses/{job_id}").json()
    assert status["job"]["status"] == "completed"
    assert status["job"]["options"]["dispatch"] == "external"  # no crawl worker took it
    assert status["stages"] == {"collect": "finished", "analyze": "finished", "report": "finished"}
    report = http.get(f"/api/analyses/{job_id}/report").json()
    assert summary["job_id"] == job_id and summary["total_reviews"] == report["total_reviews"] == expected
    assert report["analyzed_reviews"] == expected == 150
    # the crawler service (mounted at /crawler by `highpipe serve`) did the crawl
    crawl = xcom(run, "request_crawl")
    assert crawl["job_id"] == job_id and crawl["status_url"].endswith(f"/crawler/crawl/{crawl['id']}")
    done = http.get(f"/crawler/crawl/{crawl['id']}").json()
    assert (done["status"], done["job_id"], done["collected"]) == ("completed", job_id, expected)
    negative = report["sentiment_counts"]["negative"] / sum(report["sentiment_counts"].values())
    assert summary["negative_share"] == round(negative, 4)
    assert xcom(run, "wait_collected")["stages"]["collect"] == "finished"


def _closed_port() -> int:
    with socket.socket() as s:  # bound then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("where", ["unreachable", "refusing"])
def test_a_failed_crawler_call_marks_the_job_failed_with_a_reason(
    dagbag: Any,
    http: httpx.Client,
    api_url: str,
    demo: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    crawler = f"http://127.0.0.1:{_closed_port()}" if where == "unreachable" else f"{api_url}/no-crawler"
    monkeypatch.setenv("HIGHPIPE_CRAWLER_URL", crawler)
    run = dagbag.get_dag("highpipe_analysis").test(run_conf={"url": demo["towel"], **FAST})
    assert str(run.state) == "failed" and task_state(run, "request_crawl") == "failed"
    assert task_state(run, "wait_collected") == "upstream_failed"
    job = http.get(f"/api/analyses/{xcom(run, 'submit_analysis')}").json()["job"]
    assert job["status"] == "failed" and job["collected"] == 0
    assert crawler in job["failure_reason"] and " / " in job["failure_reason"]  # Korean / English
    if where == "unreachable":
        assert job["failure_code"] == "crawler_unreachable"
    else:  # POST /no-crawler/crawl on HighPipe's API: 404
        assert job["failure_code"] == "crawler_rejected" and "HTTP 404" in job["failure_reason"]


def test_a_stage_timeout_marks_the_job_failed_with_a_reason(
    dagbag: Any, http: httpx.Client, demo: dict[str, str]
) -> None:
    # the slow product answers each review page (<= 100 reviews) after 0.3 s: 400 cannot come in 0.3 s
    conf = {"url": demo["slow"], "max_reviews": 400, "collect_timeout_s": 0.3, **FAST}
    run = dagbag.get_dag("highpipe_analysis").test(run_conf=conf)
    assert str(run.state) == "failed"
    assert task_state(run, "wait_collected") == "failed"
    assert task_state(run, "summarize") == "upstream_failed"
    job = http.get(f"/api/analyses/{xcom(run, 'submit_analysis')}").json()["job"]
    assert job["status"] == "failed" and job["failure_code"] == "timeout_collected"
    assert "0.3" in job["failure_reason"] and " / " in job["failure_reason"]  # Korean / English


def test_a_job_that_fails_on_its_own_fails_the_run_with_its_reason(
    dagbag: Any, http: httpx.Client, demo: dict[str, str]
) -> None:
    run = dagbag.get_dag("highpipe_analysis").test(run_conf={"url": demo["blocked"], **FAST})
    assert str(run.state) == "failed" and task_state(run, "wait_collected") == "failed"
    job = http.get(f"/api/analyses/{xcom(run, 'submit_analysis')}").json()["job"]
    assert job["status"] == "failed" and not job["failure_code"].startswith("timeout")


def test_the_kafka_started_dag_watches_a_job_it_did_not_submit(
    dagbag: Any, http: httpx.Client, demo: dict[str, str]
) -> None:
    created = http.post("/api/analyses", json={"url": demo["sneakers"]})
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    run = dagbag.get_dag("highpipe_analysis_from_kafka").test(run_conf={"job_id": job_id, **FAST})
    assert str(run.state) == "success"
    assert xcom(run, "requested_job") == job_id
    assert xcom(run, "summarize")["job_id"] == job_id
    assert http.get(f"/api/analyses/{job_id}").json()["job"]["status"] == "completed"
