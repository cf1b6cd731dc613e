"""The Kafka request parser and the run's request lookup (pure functions of the DAG helpers)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from highpipe_common.messages import analysis_request, parse_request, request_from_context


def _msg(value: bytes | None) -> Any:
    return SimpleNamespace(value=lambda: value)


def test_a_request_message_gives_its_job() -> None:
    body = {
        "version": 1,
        "job_id": "j-1",
        "url": "https://shop.example/p",
        "upload_path": None,
        "options": {},
    }
    assert analysis_request(_msg(json.dumps(body).encode())) == {
        "job_id": "j-1",
        "url": "https://shop.example/p",
        "upload": False,
    }
    upload = {**body, "url": None, "upload_path": "/data/u.csv"}
    assert parse_request(json.dumps(upload)) == {"job_id": "j-1", "url": None, "upload": True}


@pytest.mark.parametrize(
    "value",
    [
        None,
        b"",
        b"not json",
        b"[1, 2]",
        b'{"version": 2, "job_id": "j"}',
        b'{"version": 1}',
        b'{"version": 1, "job_id": ""}',
        b"\xff\xfe",
    ],
)
def test_anything_else_is_skipped(value: bytes | None) -> None:
    assert analysis_request(_msg(value)) is None


def test_the_run_takes_its_job_from_the_asset_event_else_the_conf() -> None:
    event = SimpleNamespace(extra={"from_trigger": True, "payload": {"job_id": "from-kafka", "url": None}})
    context: dict[str, Any] = {
        "triggering_asset_events": {"asset": [event]},
        "dag_run": SimpleNamespace(conf={"job_id": "x"}),
    }
    assert request_from_context(context)["job_id"] == "from-kafka"
    context = {"triggering_asset_events": {}, "dag_run": SimpleNamespace(conf={"job_id": "from-conf"})}
    assert request_from_context(context)["job_id"] == "from-conf"
    with pytest.raises(ValueError, match="no analysis request"):
        request_from_context({"dag_run": SimpleNamespace(conf={})})
