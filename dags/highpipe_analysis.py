"""HighPipe's analysis request flow as Airflow DAGs: submit (or pick up) an analysis and watch it finish.

- `highpipe_analysis`: the original request flow, triggered through Airflow's API with a conf such as
  `{"url": "https://...", "max_reviews": 500}`: creates the job (`POST /api/analyses` with
  `"dispatch": "external"`: no crawl worker takes it), calls the crawler service for it
  (`POST {crawler}/crawl {"job_id", "url"}`; Variable `highpipe_crawler_url`, else env
  HIGHPIPE_CRAWLER_URL, else `<HighPipe URL>/crawler`), which publishes the reviews on the bus for the
  analysis workers; then waits for collection, analysis and completion, each with its own timeout. A
  crawler call that fails (unreachable, 4xx/5xx) or a timeout marks the job failed with a reason and
  fails the run.
- `highpipe_analysis_from_kafka`: event-driven. An AssetWatcher runs a MessageQueueTrigger on HighPipe's
  Kafka request topic (`analysis.requested`, or env HIGHPIPE_KAFKA_REQUEST_TOPIC when the bus uses a
  topic prefix) through the Airflow connection `highpipe_kafka`; each request message becomes an asset
  event whose payload (`{"job_id", "url", "upload"}`) starts a run, which waits for that job the same way.
  Jobs come from whoever submitted them (web app, CLI, API); this DAG only watches and enforces timeouts.

Params (both DAGs): `collect_timeout_s`, `analyze_timeout_s`, `complete_timeout_s`, `poll_s`.
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger
from airflow.sdk import DAG, Asset, AssetWatcher, Param, task
from highpipe_common.messages import request_from_context
from highpipe_common.tasks import DEFAULT_PARAMS, analysis_flow, request_crawl, submit_analysis

REQUEST_TOPIC = os.environ.get("HIGHPIPE_KAFKA_REQUEST_TOPIC", "analysis.requested")
KAFKA_CONN_ID = "highpipe_kafka"
START = pendulum.datetime(2026, 1, 1, tz="Asia/Seoul")
TIMEOUT_PARAMS: dict[str, Any] = {
    name: Param(value, type="number", minimum=0.1, description="seconds")
    for name, value in DEFAULT_PARAMS.items()
}

with DAG(
    dag_id="highpipe_analysis",
    description="상품 리뷰 분석 요청 / Analyse one product URL and wait for the report",
    schedule=None,
    start_date=START,
    catchup=False,
    max_active_runs=16,
    tags=["highpipe"],
    params={
        "url": Param("", type="string", description="product page URL"),
        "max_reviews": Param(None, type=["null", "integer"], minimum=1),
        "full": Param(False, type="boolean", description="re-crawl every page (no incremental stop)"),
        **TIMEOUT_PARAMS,
    },
    doc_md=__doc__,
) as analysis_dag:
    job = submit_analysis()
    analysis_flow(job, after=request_crawl(job))


analysis_requests = Asset(
    "highpipe_analysis_requests",
    watchers=[
        AssetWatcher(
            name="highpipe_kafka_analysis_requested",
            trigger=MessageQueueTrigger(
                scheme="kafka",
                topics=[REQUEST_TOPIC],
                kafka_config_id=KAFKA_CONN_ID,
                apply_function="highpipe_common.messages.analysis_request",
                poll_timeout=1,
                poll_interval=1,
            ),
        )
    ],
)

with DAG(
    dag_id="highpipe_analysis_from_kafka",
    description="Kafka 분석 요청 감시 / Watch each analysis requested on Kafka until it ends",
    schedule=[analysis_requests],
    start_date=START,
    catchup=False,
    max_active_runs=32,
    tags=["highpipe", "event-driven"],
    params=TIMEOUT_PARAMS,
    doc_md=__doc__,
) as kafka_dag:

    @task
    def requested_job(**context: Any) -> str:
        """The job id of the request that started this run (asset event payload, else run conf)."""
        return str(request_from_context(context)["job_id"])

    analysis_flow(requested_job())
