"""Every DAG file imports without errors, and each DAG is shaped as documented (no server needed)."""

from __future__ import annotations

from typing import Any

from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger
from airflow.sdk.module_loading import import_string

from conftest import DAG_IDS


def test_every_dag_file_imports_cleanly(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(DAG_IDS) <= set(dagbag.dag_ids)
    for dag_id in DAG_IDS:
        dag = dagbag.get_dag(dag_id)
        assert "highpipe" in dag.tags and dag.description and dag.doc_md, dag_id


def test_analysis_dags_share_the_flow(dagbag: Any) -> None:
    for dag_id, first in (
        ("highpipe_analysis", ["submit_analysis", "request_crawl"]),  # the DAG calls the crawler service
        ("highpipe_analysis_from_kafka", ["requested_job"]),  # it watches jobs submitted by others
    ):
        dag = dagbag.get_dag(dag_id)
        order = [t.task_id for t in dag.topological_sort()]
        assert order == [*first, "wait_collected", "wait_analyzed", "wait_completed", "summarize"], dag_id
        assert {"collect_timeout_s", "analyze_timeout_s", "complete_timeout_s", "poll_s"} <= set(dag.params)
    analysis = dagbag.get_dag("highpipe_analysis")
    assert analysis.schedule is None
    assert analysis.get_task("wait_collected").upstream_task_ids == {"submit_analysis", "request_crawl"}


def test_the_event_driven_dag_watches_the_kafka_request_topic(dagbag: Any) -> None:
    dag = dagbag.get_dag("highpipe_analysis_from_kafka")
    (asset,) = dag.schedule
    assert asset.name == "highpipe_analysis_requests"
    (watcher,) = asset.watchers
    # MessageQueueTrigger(scheme="kafka") resolves to the Kafka provider's trigger, as the triggerer runs it
    classpath, kwargs = watcher.trigger.serialize()
    assert classpath == "airflow.providers.apache.kafka.triggers.await_message.AwaitMessageTrigger"
    assert kwargs["topics"] == ["analysis.requested"]
    assert kwargs["kafka_config_id"] == "highpipe_kafka"
    # the triggerer imports the apply function by name: it must resolve (the DAG folder is on sys.path)
    assert callable(import_string(kwargs["apply_function"]))
    assert MessageQueueTrigger(scheme="kafka", **kwargs).serialize() == (classpath, kwargs)


def test_schedules(dagbag: Any) -> None:
    refresh = dagbag.get_dag("highpipe_watchlist_refresh")
    etl = dagbag.get_dag("highpipe_daily_etl")
    assert refresh.timetable.expression == "0 */6 * * *" and refresh.max_active_runs == 1
    assert etl.timetable.expression == "30 1 * * *"
    assert str(refresh.timetable.timezone.name) == "Asia/Seoul"
    assert [t.task_id for t in etl.topological_sort()] == [
        "clean_reviews",
        "daily_aggregates",
        "quality_checks",
    ]
    assert etl.get_task("quality_checks").retries == 0
    assert refresh.get_task("alerts").outlets[0].name == "highpipe_negative_share_alerts"
