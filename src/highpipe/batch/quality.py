"""Data-quality checks for one ingest day, read from the warehouse (no Spark needed): row counts, null rates,
freshness and consistency. `check_quality` raises `DataQualityError` naming every failed check.

Checks (thresholds in `Thresholds`, CLI options of `highpipe batch quality`):
- `freshness`: clean_reviews and daily_aggregates both ran for the day, aggregates after the cleaning;
- `row_count`: at least `min_rows` raw reviews were ingested that day;
- `valid_share`: at least `min_valid_share` of the day's unique reviews passed the hard checks;
- `null_rate:<column>`: missing keys, products, ratings and dates stay under their maximum share;
- `consistency`: per aggregated day (the day's window, `window_days` back), the product aggregates hold as many
  mentions as fact_review_aspect has rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from highpipe.warehouse.base import Warehouse


@dataclass(frozen=True, slots=True)
class Thresholds:
    min_rows: int = 1
    min_valid_share: float = 0.5
    max_missing_key: float = 0.0
    max_missing_product: float = 0.01
    max_null_rating: float = 0.5
    max_null_date: float = 0.5
    window_days: int = 31


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class DayMetrics:
    day: date
    rows_raw: int = 0
    rows_unique: int = 0
    valid: int = 0
    missing_key: int = 0
    missing_product: int = 0
    null_rating: int = 0
    null_date: int = 0
    clean_finished: datetime | None = None
    aggregates_finished: datetime | None = None
    inconsistent_days: tuple[tuple[int, int, int], ...] = ()  # (date_key, agg mentions, fact rows)


class DataQualityError(RuntimeError):
    def __init__(self, day: date, failures: list[Check]) -> None:
        self.day = day
        self.failures = failures
        reasons = "; ".join(f"{c.name}: {c.detail}" for c in failures)
        super().__init__(f"데이터 품질 검사 실패 / data-quality check failed for {day}: {reasons}")


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate(metrics: DayMetrics, limits: Thresholds = Thresholds()) -> list[Check]:
    """Every check's verdict for one day (pure: metrics in, verdicts out)."""
    checks: list[Check] = []
    day = metrics.day
    if metrics.clean_finished is None:
        checks.append(Check("freshness", False, f"clean_reviews has not run for {day}"))
    elif metrics.aggregates_finished is None:
        checks.append(Check("freshness", False, f"daily_aggregates has not run for {day}"))
    elif metrics.aggregates_finished < metrics.clean_finished:
        checks.append(
            Check("freshness", False, f"daily_aggregates for {day} is older than clean_reviews: re-run it")
        )
    else:
        checks.append(
            Check("freshness", True, f"aggregates of {metrics.aggregates_finished:%Y-%m-%d %H:%M} UTC")
        )
    checks.append(
        Check(
            "row_count",
            metrics.rows_raw >= limits.min_rows,
            f"{metrics.rows_raw} raw reviews ingested (minimum {limits.min_rows})",
        )
    )
    valid = _share(metrics.valid, metrics.rows_unique)
    checks.append(
        Check(
            "valid_share",
            metrics.rows_unique > 0 and valid >= limits.min_valid_share,
            f"{metrics.valid}/{metrics.rows_unique} reviews valid ({valid:.1%}, minimum {limits.min_valid_share:.0%})",
        )
    )
    for name, count, limit in (
        ("review_uid", metrics.missing_key, limits.max_missing_key),
        ("product_id", metrics.missing_product, limits.max_missing_product),
        ("rating", metrics.null_rating, limits.max_null_rating),
        ("date", metrics.null_date, limits.max_null_date),
    ):
        rate = _share(count, metrics.rows_unique)
        checks.append(
            Check(f"null_rate:{name}", rate <= limit, f"{count} null ({rate:.1%}, maximum {limit:.0%})")
        )
    if metrics.inconsistent_days:
        sample = ", ".join(f"{k}: {a} vs {f}" for k, a, f in metrics.inconsistent_days[:5])
        checks.append(Check("consistency", False, f"aggregate mentions differ from fact rows ({sample})"))
    else:
        checks.append(Check("consistency", True, "aggregates match the facts"))
    return checks


def collect_metrics(warehouse: Warehouse, day: date, window_days: int = 31) -> DayMetrics:
    """The metrics of one ingest day, from review_quality_daily, batch_run and the facts."""
    q = warehouse.qualify
    sums = warehouse.query(
        "SELECT coalesce(sum(rows_raw), 0), coalesce(sum(rows_unique), 0), coalesce(sum(valid), 0), "  # noqa: S608
        "coalesce(sum(missing_key), 0), coalesce(sum(missing_product), 0), coalesce(sum(null_rating), 0), "
        f"coalesce(sum(null_date), 0) FROM {q('review_quality_daily')} WHERE ingest_date = $1",
        [day],
    ).rows[0]
    runs: dict[str, Any] = {
        str(job): finished
        for job, finished in warehouse.query(
            f"SELECT job, finished_at FROM {q('batch_run')} WHERE partition_date = $1",  # noqa: S608
            [day],
        ).rows
    }
    first = _key(day - timedelta(days=window_days))
    last = _key(day)
    differing = warehouse.query(
        "SELECT coalesce(a.date_key, f.date_key), coalesce(a.n, 0), coalesce(f.n, 0) FROM "  # noqa: S608
        f"(SELECT date_key, sum(mentions) AS n FROM {q('agg_product_day_aspect')} "
        "WHERE date_key BETWEEN $1 AND $2 GROUP BY date_key) a FULL OUTER JOIN "
        f"(SELECT date_key, count(*) AS n FROM {q('fact_review_aspect')} "
        "WHERE date_key BETWEEN $1 AND $2 GROUP BY date_key) f ON a.date_key = f.date_key "
        "WHERE coalesce(a.n, 0) <> coalesce(f.n, 0) ORDER BY 1",
        [first, last],
    ).rows
    rows_raw, rows_unique, valid, missing_key, missing_product, null_rating, null_date = (
        int(v) for v in sums
    )
    return DayMetrics(
        day,
        rows_raw=rows_raw,
        rows_unique=rows_unique,
        valid=valid,
        missing_key=missing_key,
        missing_product=missing_product,
        null_rating=null_rating,
        null_date=null_date,
        clean_finished=runs.get("clean_reviews"),
        aggregates_finished=runs.get("daily_aggregates"),
        inconsistent_days=tuple((int(k), int(a), int(f)) for k, a, f in differing),
    )


def _key(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def check_quality(warehouse: Warehouse, day: date, limits: Thresholds = Thresholds()) -> list[Check]:
    """All checks for `day`; raises DataQualityError (listing each failure) when any fails."""
    checks = evaluate(collect_metrics(warehouse, day, limits.window_days), limits)
    failures = [c for c in checks if not c.ok]
    if failures:
        raise DataQualityError(day, failures)
    return checks
