"""Exports of an analysis: CSV (formula-injection safe, UTF-8 with BOM for Excel) and JSON.

Exports carry the masked reviewer name only, never a raw name.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from highpipe.domain.models import Job, Report
from highpipe.ports.store import ReviewRow

COLUMNS = [
    "review_id",
    "date",
    "rating",
    "author",
    "sentiment",
    "sentiment_score",
    "aspects",
    "emotions",
    "text",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A spreadsheet cannot run a cell that starts with = + - @ (or tab/CR): prefix those with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def review_record(row: ReviewRow) -> dict[str, object]:
    r, a = row.review, row.analysis
    return {
        "review_id": r.review_uid,
        "date": r.date.isoformat() if r.date else "",
        "rating": r.rating if r.rating is not None else "",
        "author": r.author_display or "",
        "sentiment": a.sentiment.label if a else "",
        "sentiment_score": round(a.sentiment.score, 3) if a else "",
        "aspects": "; ".join(f"{m.aspect_id}:{m.polarity}" for m in a.aspects) if a else "",
        "emotions": ", ".join(a.emotions) if a else "",
        "text": r.text,
    }


def to_csv(rows: Sequence[ReviewRow]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in rows:
        rec = review_record(row)
        writer.writerow([safe_cell(rec[c]) for c in COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_json(job: Job, report: Report | None, rows: Sequence[ReviewRow]) -> bytes:
    reviews = []
    for row in rows:
        item = row.review.model_dump(mode="json", exclude={"author_hash"})
        item["analysis"] = row.analysis.model_dump(mode="json") if row.analysis else None
        reviews.append(item)
    doc = {
        "job": job.model_dump(mode="json", exclude={"client"}),
        "report": report.model_dump(mode="json") if report else None,
        "reviews": reviews,
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
