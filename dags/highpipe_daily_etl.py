"""HighPipe's daily batch: the Spark jobs, the warehouse load and the data-quality checks.

Once a day (01:30 Asia/Seoul) for the previous day `{{ ds }}`:

1. `highpipe batch run clean_reviews --date D`   (lake raw -> curated reviews, Spark)
2. `highpipe batch run daily_aggregates --date D` (aggregates, loaded into the warehouse)
3. `highpipe batch quality --date D`              (row counts, null rates, freshness)

Each step runs the app's CLI as a subprocess: the binary is env HIGHPIPE_BIN, else the repository's
`.venv/bin/highpipe` (the repository is found from this file), so Airflow and HighPipe keep separate
environments; the subprocess inherits the worker's environment (HIGHPIPE_LAKE_URL, HIGHPIPE_WAREHOUSE_URL,
...). A failed quality check exits 1 with its reasons: the task fails without retries and its error
message lists them. The Spark steps retry once (a lost executor, say).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, task
from highpipe_common.batch import run_highpipe

with DAG(
    dag_id="highpipe_daily_etl",
    description="일일 배치: 정제·집계·품질 검사 / Daily Spark jobs, warehouse load and data-quality checks",
    schedule="30 1 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Seoul"),
    catchup=False,
    max_active_runs=1,
    tags=["highpipe", "batch"],
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    doc_md=__doc__,
) as dag:

    @task(execution_timeout=timedelta(hours=2))
    def clean_reviews(ds: str) -> str:
        return run_highpipe(["batch", "run", "clean_reviews", "--date", ds])

    @task(execution_timeout=timedelta(hours=2))
    def daily_aggregates(ds: str) -> str:
        return run_highpipe(["batch", "run", "daily_aggregates", "--date", ds])

    @task(retries=0, execution_timeout=timedelta(minutes=30))
    def quality_checks(ds: str) -> str:
        return run_highpipe(["batch", "quality", "--date", ds], what="data-quality check")

    clean_reviews() >> daily_aggregates() >> quality_checks()
