"""Running a batch job for one day: read the lake, transform (clean.py / aggregates.py), load the warehouse.

`run_job("clean_reviews", day, lake_url=…, warehouse_url=…)`:
  raw/reviews dt=day -> clean/reviews dt=day (Spark overwrites that partition) -> review_quality_daily for
  that ingest day, replaced in one transaction with the job's `batch_run` record.
`run_job("daily_aggregates", day, …)`:
  clean/reviews + curated/review_analyses (+ curated/products for categories) -> the touched review days'
  facts, aggregates and dims, replaced partition by partition (`date_key`) in ONE transaction.
Both are idempotent: a re-run for the same day with the same lake gives the same warehouse.
The entry points (`highpipe batch run`, jobs/*.py for spark-submit) only parse arguments and call this.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final

from highpipe.warehouse import open_warehouse
from highpipe.warehouse.base import LoadReport, ReplacePartitions, RowsSource, Step, Upsert, Warehouse
from highpipe.warehouse.migrations import COLUMNS

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from highpipe.batch.clean import CleanRules

log = logging.getLogger(__name__)

JOBS: Final = ("clean_reviews", "daily_aggregates")
CLEAN_DATASET: Final = ("clean", "reviews")
_PARTITIONED: Final = (
    "fact_review",
    "fact_review_aspect",
    "agg_product_day_aspect",
    "agg_category_day_aspect",
)
_DIM_KEYS: Final = {"dim_product": ["product_id"], "dim_aspect": ["aspect_id"]}


@dataclass
class JobResult:
    job: str
    day: date
    rows_in: int
    rows_out: int
    affected_dates: list[date] = field(default_factory=list)
    seconds: float = 0.0
    loaded: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "job": self.job,
            "date": self.day.isoformat(),
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "affected_dates": [d.isoformat() for d in self.affected_dates],
            "seconds": round(self.seconds, 2),
            "loaded": self.loaded,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _run_record(job: str, day: date, started: datetime, rows_in: int, rows_out: int, dates: int) -> Step:
    row = (job, day, started, _now(), rows_in, rows_out, dates)
    return Upsert("batch_run", ["job", "partition_date"], COLUMNS["batch_run"], RowsSource([row]))


def run_clean_reviews(
    spark: SparkSession, warehouse: Warehouse, root: str, day: date, rules: CleanRules | None = None
) -> JobResult:
    from highpipe.batch.clean import CleanRules, clean_reviews, quality_metrics
    from highpipe.batch.lake import conform_reviews, read_dataset

    started, clock = _now(), time.perf_counter()
    raw = read_dataset(spark, root, "raw", "reviews", dt=day, conform=conform_reviews)
    metrics: list[dict[str, object]] = []
    if raw is not None:
        cleaned = clean_reviews(raw, rules or CleanRules())
        layer, dataset = CLEAN_DATASET
        cleaned.write.mode("overwrite").partitionBy("source", "dt").parquet(f"{root}/{layer}/{dataset}")
        written = read_dataset(spark, root, layer, dataset, dt=day)
        if written is not None:  # read back what was written: the metrics describe the stored partition
            metrics = [r.asDict() for r in quality_metrics(written).collect()]
    rows_in = sum(int(str(m["rows_raw"])) for m in metrics)
    rows_out = sum(int(str(m["valid"])) for m in metrics)
    columns = COLUMNS["review_quality_daily"]
    rows = RowsSource([tuple(m[c] for c in columns) for m in metrics])
    steps: list[Step] = [
        ReplacePartitions("review_quality_daily", "ingest_date", [day], columns, rows),
        _run_record("clean_reviews", day, started, rows_in, rows_out, 0),
    ]
    report = warehouse.load(steps)
    return JobResult(
        "clean_reviews", day, rows_in, rows_out, [], time.perf_counter() - clock, report.inserted
    )


def run_daily_aggregates(spark: SparkSession, warehouse: Warehouse, root: str, day: date) -> JobResult:
    from highpipe.batch.aggregates import daily_aggregates
    from highpipe.batch.lake import (
        ANALYSIS_FIELDS,
        conform_analyses,
        conform_products,
        empty_frame,
        read_dataset,
    )
    from highpipe.batch.stage import Stager

    started, clock = _now(), time.perf_counter()
    clean = read_dataset(spark, root, *CLEAN_DATASET)
    if clean is None:
        report = warehouse.load([_run_record("daily_aggregates", day, started, 0, 0, 0)])
        return JobResult("daily_aggregates", day, 0, 0, [], time.perf_counter() - clock, report.inserted)
    analyses = read_dataset(spark, root, "curated", "review_analyses", conform=conform_analyses)
    if analyses is None:
        analyses = empty_frame(spark, ANALYSIS_FIELDS)
    products = read_dataset(spark, root, "curated", "products", conform=conform_products)
    rows_in = clean.filter(clean["dt"] == day.isoformat()).count()
    result = daily_aggregates(clean, analyses, products, day)
    stager = Stager(warehouse)
    try:
        keys = [d.year * 10000 + d.month * 100 + d.day for d in result.dates]
        steps: list[Step] = []
        if keys:
            for table, frame in result.frames().items():
                source = stager.stage(frame, table)
                if table in _PARTITIONED:
                    steps.append(ReplacePartitions(table, "date_key", keys, COLUMNS[table], source))
                else:
                    steps.append(Upsert(table, _DIM_KEYS[table], COLUMNS[table], source))
            steps.append(Upsert("dim_date", ["date_key"], COLUMNS["dim_date"], RowsSource(result.dim_date)))

        def record(done: LoadReport) -> list[Step]:
            # rows_out is known once the facts are in; the record still commits with them
            written = done.inserted.get("fact_review", 0)
            return [_run_record("daily_aggregates", day, started, rows_in, written, len(keys))]

        report = warehouse.load(steps, then=record)
    finally:
        result.release()
        stager.cleanup()
    rows_out = report.inserted.get("fact_review", 0)
    seconds = time.perf_counter() - clock
    return JobResult("daily_aggregates", day, rows_in, rows_out, result.dates, seconds, report.inserted)


def run_jobs(
    jobs: Sequence[str],
    day: date,
    *,
    lake_url: str,
    warehouse_url: str,
    spark: SparkSession | None = None,
    rules: CleanRules | None = None,
) -> list[JobResult]:
    """Run jobs in order for one day; builds (and then stops) a SparkSession unless one is given or active."""
    unknown = [j for j in jobs if j not in JOBS]
    if unknown:
        raise ValueError(f"unknown batch job(s) {unknown}: choose from {list(JOBS)} or 'all'")
    from pyspark.sql import SparkSession

    from highpipe.batch.lake import configure, spark_root
    from highpipe.batch.session import spark_session

    root, hadoop = spark_root(lake_url)
    # Stop the session afterwards only if this call started it (not a caller's, not a test suite's).
    own = spark is None and SparkSession.getActiveSession() is None
    session = spark or spark_session("highpipe-" + "-".join(jobs))
    warehouse = open_warehouse(warehouse_url)
    results: list[JobResult] = []
    try:
        configure(session, hadoop)
        warehouse.migrate()
        for job in jobs:
            log.info("batch job %s for %s: lake %s, warehouse %s", job, day, root, warehouse.url.redacted())
            if job == "clean_reviews":
                results.append(run_clean_reviews(session, warehouse, root, day, rules))
            else:
                results.append(run_daily_aggregates(session, warehouse, root, day))
    finally:
        warehouse.close()
        if own:
            session.stop()
    return results


def submit_main(job: str, argv: Sequence[str] | None = None) -> None:
    """The body of jobs/<job>.py under spark-submit: parse `--date/--lake/--warehouse`, run, print JSON."""
    import argparse
    import json
    import os

    parser = argparse.ArgumentParser(prog=f"spark-submit jobs/{job}.py")
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="ingest day, YYYY-MM-DD")
    parser.add_argument("--lake", default=os.environ.get("HIGHPIPE_LAKE_URL", ".highpipe/lake"))
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("HIGHPIPE_WAREHOUSE_URL", "duckdb:///.highpipe/warehouse.duckdb"),
    )
    args = parser.parse_args(argv)
    for result in run_jobs([job], args.date, lake_url=args.lake, warehouse_url=args.warehouse):
        print(json.dumps(result.as_dict(), ensure_ascii=False))
