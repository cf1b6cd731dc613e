"""Scheduled re-analysis of the products on HighPipe's watchlist, with the negative-share alert.

Every six hours (Asia/Seoul): list `GET /api/watchlist`, then for each item (dynamic task mapping) submit an
incremental re-analysis of its URL (`POST /api/analyses`: only pages with new reviews are fetched), wait
for it to complete (`complete_timeout_s`; a timeout marks that job failed), and record it with
`POST /api/watchlist/{id}/refreshes`. HighPipe compares it with the item's previous analysis and returns an
alert when the negative share rose sharply (by default >= 15 percentage points, both analyses with >= 20
reviews; params `alert_rise_pp` and `alert_min_reviews`).

The `alerts` task collects them and, when there is at least one, emits an asset event on
`highpipe_negative_share_alerts` whose extra is `{"alerts": [...]}`: DAGs scheduled on that asset (a
notifier, a report) run on it. One failing product fails only its own mapped task; the others are recorded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, Asset, Param, task
from airflow.sdk.exceptions import AirflowSkipException
from highpipe_common.client import HighPipeClient
from highpipe_common.tasks import DEFAULT_PARAMS, wait_milestone

NEGATIVE_SHARE_ALERTS = Asset("highpipe_negative_share_alerts")

with DAG(
    dag_id="highpipe_watchlist_refresh",
    description="관심 상품 재수집·재분석 / Re-crawl and re-analyse tracked products, alert on negative rises",
    schedule="0 */6 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Seoul"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=5),
    tags=["highpipe"],
    params={
        "max_reviews": Param(None, type=["null", "integer"], minimum=1),
        "full": Param(False, type="boolean", description="re-crawl every page instead of only new ones"),
        "alert_rise_pp": Param(15, type="number", exclusiveMinimum=0, maximum=100),
        "alert_min_reviews": Param(20, type="integer", minimum=1),
        "complete_timeout_s": Param(1800, type="number", minimum=0.1, description="seconds per product"),
        "poll_s": Param(DEFAULT_PARAMS["poll_s"], type="number", minimum=0.1),
    },
    doc_md=__doc__,
) as dag:

    @task
    def tracked_products() -> list[dict[str, Any]]:
        with HighPipeClient() as client:
            items = client.watchlist()
        return [{"id": i["id"], "url": i["url"], "label": i.get("label")} for i in items]

    @task(max_active_tis_per_dagrun=4, map_index_template="{{ task.op_kwargs['item']['url'] }}")
    def refresh(item: dict[str, Any], **context: Any) -> dict[str, Any]:
        params = context["params"]
        with HighPipeClient() as client:
            job_id = client.submit(
                item["url"], max_reviews=params.get("max_reviews"), full=bool(params.get("full"))
            )
        wait_milestone(job_id, "completed", params)
        with HighPipeClient() as client:
            result = client.record_refresh(
                item["id"],
                job_id,
                rise_pp=float(params["alert_rise_pp"]),
                min_reviews=int(params["alert_min_reviews"]),
            )
        return {
            "watch_id": item["id"],
            "url": item["url"],
            "job_id": job_id,
            "negative_share": result["negative_share"],
            "reviews": result["reviews"],
            "alert": result["alert"],
        }

    @task(trigger_rule="all_done", outlets=[NEGATIVE_SHARE_ALERTS])
    def alerts(results: list[dict[str, Any] | None], **context: Any) -> list[dict[str, Any]]:
        """The sharp rises of this run; an asset event carries them when there are any."""
        found = [r["alert"] for r in results if r and r.get("alert")]
        if not found:
            raise AirflowSkipException("no sharp rise of the negative share in this run")
        context["outlet_events"][NEGATIVE_SHARE_ALERTS].extra = {"alerts": found}
        return found

    alerts(refresh.expand(item=tracked_products()))
