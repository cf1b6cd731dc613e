"""Conversions between the SQL store's rows and the domain models, and the event de-duplication key.

Pure functions (no I/O): what goes into each table's columns and how a row becomes a model again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from pydantic_core import to_jsonable_python
from sqlalchemy import Column

from highpipe.adapters.store.tables import jobs, reviews
from highpipe.domain.events import Envelope
from highpipe.domain.models import Job, Product, Report, Review, ReviewAnalysis

JOB_FIELDS: Final = tuple(Job.model_fields)
REVIEW_FIELDS: Final = tuple(Review.model_fields)
PRODUCT_FIELDS: Final = tuple(Product.model_fields)
JOB_COLUMNS: Final[tuple[Column[Any], ...]] = tuple(jobs.c[name] for name in JOB_FIELDS)
REVIEW_COLUMNS: Final[tuple[Column[Any], ...]] = tuple(reviews.c[name] for name in REVIEW_FIELDS)


def job_values(job: Job) -> dict[str, Any]:
    values = job.model_dump(exclude={"options"})
    # `options` is free-form: make it plain JSON now rather than fail inside the driver.
    values["options"] = to_jsonable_python(job.options)
    return values


def job_from_row(row: Mapping[Any, Any]) -> Job:
    return Job.model_validate({name: row[name] for name in JOB_FIELDS})


def product_values(product: Product, now: datetime) -> dict[str, Any]:
    return {**product.model_dump(), "updated_at": now}


def product_from_row(row: Mapping[Any, Any]) -> Product:
    return Product.model_validate({name: row[name] for name in PRODUCT_FIELDS})


def review_values(review: Review, now: datetime) -> dict[str, Any]:
    return {**review.model_dump(), "first_seen_at": now}


def review_from_row(row: Mapping[Any, Any]) -> Review:
    return Review.model_validate({name: row[name] for name in REVIEW_FIELDS})


def analysis_values(analysis: ReviewAnalysis, now: datetime) -> dict[str, Any]:
    return {
        "review_uid": analysis.review_uid,
        "sentiment": analysis.sentiment.label,
        "sentiment_score": analysis.sentiment.score,
        "model_version": analysis.model_version,
        "payload": analysis.model_dump(mode="json"),
        "updated_at": now,
    }


def aspect_values(analysis: ReviewAnalysis) -> list[dict[str, Any]]:
    """One row per distinct (aspect, polarity) the review mentions: enough to filter on."""
    pairs = sorted({(m.aspect_id, m.polarity) for m in analysis.aspects})
    return [{"review_uid": analysis.review_uid, "aspect_id": a, "polarity": p} for a, p in pairs]


def emotion_values(analysis: ReviewAnalysis) -> list[dict[str, Any]]:
    """One row per distinct emotion id the analysis lists (the emotion filter's index)."""
    return [{"review_uid": analysis.review_uid, "emotion": e} for e in sorted(set(analysis.emotions))]


def analysis_from_payload(payload: Any) -> ReviewAnalysis | None:
    return None if payload is None else ReviewAnalysis.model_validate(payload)


def report_values(report: Report, now: datetime) -> dict[str, Any]:
    return {"job_id": report.job_id, "payload": report.model_dump(mode="json"), "created_at": now}


def as_utc(ts: datetime) -> datetime:
    """Naive datetimes are taken as UTC, as the tables' UtcDateTime does."""
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def dedupe_key(event_type: str, ts: datetime, data: Any) -> str:
    """Same type, instant and data (canonical JSON) -> same key: a redelivered event is recognised."""
    canonical = json.dumps(
        [event_type, as_utc(ts).isoformat(), data],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_values(event: Envelope, seq: int) -> dict[str, Any]:
    data = to_jsonable_python(event.data)
    return {
        "job_id": event.job_id,
        "seq": seq,
        "version": event.version,
        "type": event.type,
        "ts": event.ts,
        "data": data,
        "dedupe_key": dedupe_key(event.type, event.ts, data),
    }


def event_from_row(row: Mapping[Any, Any]) -> Envelope:
    return Envelope.model_validate(
        {name: row[name] for name in ("version", "type", "job_id", "seq", "ts", "data")}
    )
