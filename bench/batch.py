"""Batch benchmark: clean_reviews + daily_aggregates on synthetic reviews, with DuckDB alongside as a reference.

Writes one ingest day of N synthetic reviews (default 1,000,000; review dates over 90 days, 3% duplicates,
5% rejects) into a temporary lake, runs both Spark jobs into a temporary DuckDB warehouse, and reports wall
time, peak memory (the Spark JVM's high-water RSS and this process's) and rows/s. Then DuckDB computes the
same product x day x aspect aggregates straight from the same raw Parquet in one SQL statement, and the
report gives the ratio and whether both found the same cells and mention counts.

    uv run python bench/batch.py [--reviews 1000000] [--driver-memory 2g]
Writes bench/results/batch.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from highpipe.batch.clean import SPONSORED_PATTERN, CleanRules
from highpipe.batch.runner import run_jobs
from highpipe.batch.session import spark_session
from highpipe.batch.synthetic import synthetic_day
from highpipe.warehouse import open_warehouse

DAY = date(2026, 11, 1)
RESULTS = Path(__file__).resolve().parent / "results" / "batch.json"

# The clean + aggregate rules in DuckDB SQL (RE2 has no lookahead: `(?![a-z])` becomes `([^a-z]|$)`).
REFERENCE_SQL = """
WITH raw AS (
    SELECT * FROM read_parquet($raw, hive_partitioning = true, union_by_name = true) WHERE dt = $day
), latest AS (
    SELECT * FROM raw QUALIFY row_number() OVER (
        PARTITION BY review_uid ORDER BY ingested_at DESC NULLS LAST, job_id DESC NULLS LAST, text DESC NULLS LAST) = 1
), normal AS (
    SELECT *, trim(regexp_replace(regexp_replace(coalesce(text, ''), '[\\x{200B}-\\x{200D}\\x{2060}\\x{FEFF}\\x{AD}]', '', 'g'),
                   '\\s+', ' ', 'g')) AS t
    FROM latest
), valid AS (
    SELECT review_uid, product_id,
           CASE WHEN rating BETWEEN 1 AND 5 THEN rating END AS rating,
           coalesce(CASE WHEN date >= TIMESTAMPTZ '2000-01-01 00:00:00+00' AND date <= ingested_at + INTERVAL 1 DAY
                         THEN CAST(timezone($tz, date) AS DATE) END, CAST($day AS DATE)) AS review_date
    FROM normal
    WHERE t <> '' AND length(regexp_replace(t, '[^\\p{L}\\p{N}]', '', 'g')) >= $min_chars
      AND NOT regexp_matches(t, $sponsored) AND trim(coalesce(product_id, '')) <> ''
), analyses AS (
    SELECT * FROM read_parquet($analyses, hive_partitioning = true, union_by_name = true)
    QUALIFY row_number() OVER (PARTITION BY review_uid ORDER BY ingested_at DESC NULLS LAST, dt DESC) = 1
), mentions AS (
    SELECT v.review_uid, v.product_id, v.rating, v.review_date, unnest(a.aspects) AS m
    FROM valid v JOIN analyses a USING (review_uid)
), per_review AS (
    SELECT review_date, product_id, review_uid, m.aspect_id AS aspect_id, count(*) AS mentions,
           sum(CAST(lower(m.polarity) = 'positive' AS INT)) AS positive, any_value(rating) AS rating
    FROM mentions WHERE m.aspect_id IS NOT NULL GROUP BY ALL
)
SELECT review_date, product_id, aspect_id, sum(mentions) AS mentions, count(*) AS reviews,
       sum(positive) AS positive, avg(rating) AS avg_rating
FROM per_review GROUP BY ALL
"""


def jvm_peak_rss_mb(spark: Any) -> float | None:
    """The Spark driver JVM's peak resident memory (VmHWM), read before the session stops."""
    proc = getattr(spark.sparkContext._gateway, "proc", None)
    if proc is None:
        return None
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(lake: str, reviews: int, out: Any) -> None:
    start = time.perf_counter()
    stats = synthetic_day(Path(lake), DAY, reviews=reviews)
    out.put({"stats": stats.__dict__, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()})


def _reference(lake: str, out: Any) -> None:
    import duckdb

    rules = CleanRules()
    root = Path(lake)
    params = {
        "raw": str(root / "raw" / "reviews" / "*" / "*" / "*.parquet"),
        "analyses": str(root / "curated" / "review_analyses" / "*" / "*" / "*.parquet"),
        "day": DAY.isoformat(),
        "tz": rules.day_timezone,
        "min_chars": rules.min_chars,
        "sponsored": SPONSORED_PATTERN.replace("(?![a-z])", "([^a-z]|$)"),
    }
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    start = time.perf_counter()
    con.execute(f"CREATE TABLE ref AS {REFERENCE_SQL}", params)
    seconds = time.perf_counter() - start
    cells, mentions = con.execute("SELECT count(*), sum(mentions) FROM ref").fetchone() or (0, 0)
    con.close()
    out.put({"seconds": seconds, "cells": int(cells), "mentions": int(mentions or 0), "peak_mb": _peak_mb()})


def in_child(target: Any, *args: Any) -> dict[str, Any]:
    """Run `target` in a fresh process (spawned: no JVM state), so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--driver-memory", default="2g")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="highpipe-batch-bench-"))
    try:
        lake = work / "lake"
        generated = in_child(_generate, str(lake), args.reviews)
        stats = generated["stats"]
        lake_mb = sum(p.stat().st_size for p in lake.rglob("*.parquet")) / 2**20

        start = time.perf_counter()
        spark = spark_session("highpipe-bench", driver_memory=args.driver_memory)
        session_s = time.perf_counter() - start
        warehouse_url = f"duckdb:///{work}/warehouse.duckdb"
        results = run_jobs(
            ["clean_reviews", "daily_aggregates"],
            DAY,
            lake_url=str(lake),
            warehouse_url=warehouse_url,
            spark=spark,
        )
        jvm_mb = jvm_peak_rss_mb(spark)
        spark.stop()
        jobs_s = sum(r.seconds for r in results)
        store = open_warehouse(warehouse_url)
        spark_cells = store.query(
            f"SELECT count(*), sum(mentions) FROM {store.qualify('agg_product_day_aspect')}"  # noqa: S608
        ).rows[0]
        store.close()

        ref = in_child(_reference, str(lake))
        ref_s = ref["seconds"]
        report = {
            "benchmark": "batch: clean_reviews + daily_aggregates (Spark local[*]) vs the same aggregates in DuckDB",
            "reviews": stats["reviews"],
            "unique_reviews": stats["unique_reviews"],
            "aspect_mentions_in_lake": stats["aspect_mentions"],
            "lake_parquet_mb": round(lake_mb, 1),
            "generate_s": round(generated["seconds"], 1),
            "spark_session_start_s": round(session_s, 1),
            "jobs": [r.as_dict() | {"affected_dates": len(r.affected_dates)} for r in results],
            "spark_wall_s": round(jobs_s, 1),
            "spark_rows_per_s": round(stats["reviews"] / jobs_s),
            "spark_driver_jvm_peak_rss_mb": round(jvm_mb, 0) if jvm_mb else None,
            "spark_python_driver_peak_rss_mb": round(_peak_mb(), 0),
            "spark_cells": int(spark_cells[0]),
            "spark_mentions": int(spark_cells[1] or 0),
            "duckdb_reference_s": round(ref_s, 2),
            "duckdb_rows_per_s": round(stats["reviews"] / ref_s),
            "duckdb_process_peak_rss_mb": round(ref["peak_mb"], 0),
            "duckdb_cells": ref["cells"],
            "duckdb_mentions": ref["mentions"],
            "same_result": ref["cells"] == int(spark_cells[0])
            and ref["mentions"] == int(spark_cells[1] or 0),
            "spark_to_duckdb_ratio": round(jobs_s / ref_s, 1),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
            },
            "driver_memory": args.driver_memory,
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        print(json.dumps(report, ensure_ascii=False, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
