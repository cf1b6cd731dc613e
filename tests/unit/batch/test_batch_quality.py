"""Data-quality checks: the pure verdicts, the metrics read from a warehouse, and `highpipe batch quality`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from highpipe.batch.quality import (
    DataQualityError,
    DayMetrics,
    Thresholds,
    check_quality,
    collect_metrics,
    evaluate,
)
from highpipe.entrypoints.cli_batch import batch_app
from highpipe.warehouse import open_warehouse
from highpipe.warehouse.base import ReplacePartitions, RowsSource, Upsert
from highpipe.warehouse.migrations import COLUMNS

DAY = date(2026, 11, 1)
HEALTHY = DayMetrics(
    DAY,
    rows_raw=120,
    rows_unique=100,
    valid=90,
    null_rating=10,
    null_date=5,
    clean_finished=datetime(2026, 11, 2, 1, 0),
    aggregates_finished=datetime(2026, 11, 2, 1, 5),
)


def failed(metrics: DayMetrics, limits: Thresholds = Thresholds()) -> dict[str, str]:
    return {c.name: c.detail for c in evaluate(metrics, limits) if not c.ok}


def test_a_healthy_day_passes_every_check() -> None:
    checks = evaluate(HEALTHY)
    assert all(c.ok for c in checks)
    assert {c.name for c in checks} >= {
        "freshness",
        "row_count",
        "valid_share",
        "null_rate:rating",
        "consistency",
    }


@pytest.mark.parametrize(
    ("change", "check", "words"),
    [
        ({"clean_finished": None}, "freshness", "clean_reviews has not run"),
        ({"aggregates_finished": None}, "freshness", "daily_aggregates has not run"),
        ({"aggregates_finished": datetime(2026, 11, 2, 0, 0)}, "freshness", "older than clean_reviews"),
        ({"rows_raw": 0, "rows_unique": 0, "valid": 0}, "row_count", "0 raw reviews"),
        ({"valid": 30}, "valid_share", "30/100"),
        ({"null_rating": 80}, "null_rate:rating", "80 null"),
        ({"missing_key": 1}, "null_rate:review_uid", "1 null"),
        ({"inconsistent_days": ((20261031, 7, 9),)}, "consistency", "20261031: 7 vs 9"),
    ],
)
def test_each_failure_names_itself(change: dict[str, object], check: str, words: str) -> None:
    failures = failed(replace(HEALTHY, **change))  # type: ignore[arg-type]
    assert check in failures
    assert words in failures[check]


def test_thresholds_are_configurable() -> None:
    assert "null_rate:rating" in failed(replace(HEALTHY, null_rating=30), Thresholds(max_null_rating=0.2))
    assert "row_count" in failed(HEALTHY, Thresholds(min_rows=1_000))


def _seed(url: str, *, agg_after_clean: bool, mentions: int) -> None:
    store = open_warehouse(url)
    store.migrate()
    quality = (DAY, "demo", 12, 10, 2, 0, 1, 0, 0, 0, 0, 0, 9, 1, 0, 3)
    clean_at, agg_at = datetime(2026, 11, 2, 1, 0), datetime(2026, 11, 2, 1 if agg_after_clean else 0, 30)
    runs = [
        ("clean_reviews", DAY, clean_at, clean_at, 12, 9, 0),
        ("daily_aggregates", DAY, agg_at, agg_at, 10, 9, 1),
    ]
    fact = [(20261101, f"demo:r{i}", "demo:p", "size", "positive", 1.0, 5.0) for i in range(3)]
    agg = [(20261101, "demo:p", "size", mentions, 3, 3, 0, 0, 5.0)]
    store.load(
        [
            ReplacePartitions(
                "review_quality_daily",
                "ingest_date",
                [DAY],
                COLUMNS["review_quality_daily"],
                RowsSource([quality]),
            ),
            Upsert("batch_run", ["job", "partition_date"], COLUMNS["batch_run"], RowsSource(runs)),
            ReplacePartitions(
                "fact_review_aspect", "date_key", [20261101], COLUMNS["fact_review_aspect"], RowsSource(fact)
            ),
            ReplacePartitions(
                "agg_product_day_aspect",
                "date_key",
                [20261101],
                COLUMNS["agg_product_day_aspect"],
                RowsSource(agg),
            ),
        ]
    )
    store.close()


def test_metrics_come_from_the_warehouse(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    _seed(url, agg_after_clean=True, mentions=3)
    store = open_warehouse(url)
    metrics = collect_metrics(store, DAY)
    assert (metrics.rows_raw, metrics.rows_unique, metrics.valid, metrics.null_rating) == (12, 10, 9, 1)
    assert metrics.inconsistent_days == ()
    assert next(c.name for c in check_quality(store, DAY)) == "freshness"
    with pytest.raises(DataQualityError, match="row_count"):
        check_quality(store, date(2026, 11, 2))  # nothing ran for that day


def test_cli_exits_1_with_every_reason(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    _seed(url, agg_after_clean=False, mentions=5)
    result = CliRunner().invoke(batch_app, ["quality", "--date", "2026-11-01", "--warehouse", url])
    assert result.exit_code == 1
    assert "freshness" in result.stderr and "older than clean_reviews" in result.stderr
    assert "consistency" in result.stderr and "20261101: 5 vs 3" in result.stderr

    ok_url = f"duckdb:///{tmp_path}/ok.duckdb"
    _seed(ok_url, agg_after_clean=True, mentions=3)
    passed = CliRunner().invoke(batch_app, ["quality", "--date", "2026-11-01", "--warehouse", ok_url])
    assert passed.exit_code == 0, passed.output
    assert "✓ row_count: 12 raw reviews" in passed.stdout


def test_cli_without_a_warehouse_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        batch_app, ["quality", "--date", "2026-11-01", "--warehouse", f"duckdb:///{tmp_path}/none.duckdb"]
    )
    assert result.exit_code == 1
    assert "cannot check quality" in result.stderr
    bad_date = CliRunner().invoke(batch_app, ["quality", "--date", "11/01/2026"])
    assert bad_date.exit_code == 2
