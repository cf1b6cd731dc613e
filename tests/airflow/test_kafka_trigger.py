"""The event-driven DAG's trigger against a real Kafka broker: what dag.test() cannot run.

The trigger is the one the DAG declares (its AssetWatcher's MessageQueueTrigger, same apply function and
connection id) with one change: a topic of its own, so that the test neither sees nor consumes the requests
of other HighPipe processes sharing the broker. A malformed message is skipped; the request after it becomes
the trigger event whose payload would start the DAG run. Still untested here: a triggerer process turning
that event into an asset event and a scheduled run (needs a running scheduler and triggerer).
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from typing import Any

import pytest

from conftest import need


def _bootstrap() -> str:
    url = need("HIGHPIPE_TEST_KAFKA_URL")
    return url.removeprefix("kafka://").split("?")[0]


def _produce(bootstrap: str, topic: str, messages: list[tuple[str, bytes]]) -> None:
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)]).values():
        future.result(timeout=30)
    producer = Producer({"bootstrap.servers": bootstrap, "compression.type": "lz4"})  # as HighPipe's bus
    for key, value in messages:
        producer.produce(topic, key=key.encode(), value=value)
    assert producer.flush(30) == 0


def _delete_topic(bootstrap: str, topic: str) -> None:
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept alive until its futures resolve
    for future in admin.delete_topics([topic]).values():
        future.result(timeout=30)


def test_a_request_on_the_topic_becomes_the_trigger_event(
    dagbag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger

    bootstrap = _bootstrap()
    topic = f"highpipe-airflow-test-{uuid.uuid4().hex[:12]}.analysis.requested"
    group = f"highpipe-airflow-test-{uuid.uuid4().hex[:12]}"
    conn = {
        "conn_type": "kafka",
        "extra": {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_HIGHPIPE_KAFKA", json.dumps(conn))
    (asset,) = dagbag.get_dag("highpipe_analysis_from_kafka").schedule
    _, kwargs = asset.watchers[0].trigger.serialize()
    trigger = MessageQueueTrigger(scheme="kafka", **{**kwargs, "topics": [topic]})

    job_id = str(uuid.uuid4())
    request = {
        "version": 1,
        "job_id": job_id,
        "url": "http://127.0.0.1/demo/products/tee",
        "upload_path": None,
        "options": {},
    }
    _produce(bootstrap, topic, [("garbage", b"not a request"), (job_id, json.dumps(request).encode())])

    async def first_event() -> Any:
        events = trigger.run()
        try:
            return await asyncio.wait_for(anext(events), timeout=60)
        finally:
            await events.aclose()
            await trigger.trigger.cleanup()

    try:
        event = asyncio.run(first_event())
    finally:
        _delete_topic(bootstrap, topic)
    assert event.payload == {"job_id": job_id, "url": request["url"], "upload": False}
    assert os.environ["AIRFLOW_CONN_HIGHPIPE_KAFKA"]  # the DAG's connection id is what the trigger used
