"""Terminal rendering of a report (Rich) and the per-review JSONL output of `highpipe analyze --out`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from highpipe.domain.models import Report
from highpipe.domain.vocab import EMOTION_BY_ID
from highpipe.ports.store import ReviewRow

OUTPUT_SCHEMA_VERSION = 1


def review_id(uid: str, site: str) -> str:
    """The id a user knows: an uploaded file's own `id` (stored as upload:<file hash>:<id>), else the uid."""
    if site == "upload":
        parts = uid.split(":", 2)
        if len(parts) == 3:
            return parts[2]
    return uid


def review_line(row: ReviewRow) -> dict[str, Any]:
    r, a = row.review, row.analysis
    return {
        "schema_version": OUTPUT_SCHEMA_VERSION,
        "review_id": review_id(r.review_uid, r.site),
        "review_uid": r.review_uid,
        "text": r.text,
        "rating": r.rating,
        "date": r.date.isoformat() if r.date else None,
        "author": r.author_display,
        "sentiment": {"label": a.sentiment.label, "score": round(a.sentiment.score, 4)} if a else None,
        "aspects": [
            {"aspect_id": m.aspect_id, "aspect": m.aspect, "polarity": m.polarity, "clause": m.clause}
            for m in (a.aspects if a else [])
        ],
        "emotions": list(a.emotions) if a else [],
        "source_line": r.source_line,
    }


def write_jsonl(path: Path, rows: Sequence[ReviewRow]) -> int:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(review_line(row), ensure_ascii=False) + "\n")
    return len(rows)


def print_report(console: Console, report: Report) -> None:
    title = report.product.title if report.product and report.product.title else report.job_id
    score = "–" if report.score is None else f"{report.score:.0f}"
    console.rule(f"[bold]{title}")
    console.print(f"점수 / Score: [bold]{score}[/] / 100   리뷰 / Reviews: {report.total_reviews}")
    if report.empty_reason:
        console.print(f"[yellow]{report.empty_reason}")
    shares = report.sentiment_shares
    console.print(
        f"긍정 {shares.get('positive', 0):.0%} · 부정 {shares.get('negative', 0):.0%} · 중립 {shares.get('neutral', 0):.0%}"
    )
    if report.aspects:
        table = Table("측면 / Aspect", "언급", "긍정", "부정", title="측면별 / By aspect")
        for asp in report.aspects[:15]:
            table.add_row(asp.aspect, str(asp.mentions), str(asp.positive), str(asp.negative))
        console.print(table)
    if report.emotions:
        emo = ", ".join(
            f"{EMOTION_BY_ID[k].ko if k in EMOTION_BY_ID else k} {v}"
            for k, v in sorted(report.emotions.items(), key=lambda kv: -kv[1])
        )
        console.print(f"감정 / Emotions: {emo}")
    for card in report.cards[:8]:
        console.print(
            f"[bold]{card.label}[/] 언급 {card.mentions} · [green]긍정 {card.positive_share:.0%}[/] · "
            f"[red]부정 {card.negative_share:.0%}[/]"
        )
        for quote in card.quotes[:2]:
            colour = "green" if quote.polarity == "positive" else "red"
            console.print(f"   [{colour}]“{quote.text}”[/] [dim]({quote.review_uid})[/]")
    if report.summary:
        console.rule("요약 / Summary")
        for sentence in report.summary:
            console.print(f"• {sentence.text}")
    if report.skipped_rows:
        console.print(f"[yellow]건너뛴 행 / Skipped rows: {len(report.skipped_rows)}")
        for row in report.skipped_rows[:10]:
            console.print(f"   line {row.get('line')}: {row.get('reason')}")
