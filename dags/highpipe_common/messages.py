"""Reading HighPipe's Kafka messages in Airflow's triggerer (the event-driven analysis DAG).

`analysis_request(message)` is the MessageQueueTrigger's `apply_function`: it gets a confluent-kafka
message from the `analysis.requested` topic and returns `{"job_id", "url", "upload"}` for a well-formed
request, or None (the trigger then skips the message). The value is HighPipe's JSON (`AnalysisRequested`,
schema version 1); the key is the job id.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_VERSION = 1


def parse_request(value: bytes | str | None) -> dict[str, Any] | None:
    """The request's job id and source from a message value; None for anything else."""
    if value is None:
        return None
    try:
        body = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or body.get("version") != SCHEMA_VERSION:
        return None
    job_id = body.get("job_id")
    if not isinstance(job_id, str) or not job_id:
        return None
    return {"job_id": job_id, "url": body.get("url"), "upload": body.get("upload_path") is not None}


def analysis_request(message: Any) -> dict[str, Any] | None:
    return parse_request(message.value())


def request_from_context(context: dict[str, Any]) -> dict[str, Any]:
    """The request that started this run: the triggering asset event's payload, else the run's conf."""
    for events in (context.get("triggering_asset_events") or {}).values():
        for event in events:
            payload = (event.extra or {}).get("payload")
            if isinstance(payload, dict) and payload.get("job_id"):
                return payload
    conf = context["dag_run"].conf or {}
    if conf.get("job_id"):
        return {"job_id": str(conf["job_id"]), "url": conf.get("url"), "upload": bool(conf.get("upload"))}
    raise ValueError("no analysis request: neither a triggering asset event nor a `job_id` in the run conf")
