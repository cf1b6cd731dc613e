"""The jobs end to end on a Parquet lake and a DuckDB warehouse: run, re-run (idempotent), late data, CLI.

The lake is written the way docs/lake.md says (explicit schemas), plus one analyses file in the older
schemaless form (JSON text marked `highpipe.json`), which the jobs must still read.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark.sql import SparkSession
from typer.testing import CliRunner

from highpipe.batch.runner import run_jobs
from highpipe.batch.synthetic import analysis_table, review_table, write_part
from highpipe.entrypoints.cli_batch import batch_app
from highpipe.warehouse import open_warehouse

D1, D2 = date(2026, 11, 1), date(2026, 11, 2)


def review(
    uid: str, day: str, text: str, *, product: str = "demo:a", rating: float | None = 4.0, ingest: date = D1
) -> dict[str, Any]:
    return {
        "review_uid": uid,
        "product_id": product,
        "site": "demo",
        "text": text,
        "rating": rating,
        "date": datetime.fromisoformat(f"{day}T02:00:00+00:00"),
        "job_id": f"job-{ingest}",
        "ingested_at": datetime(ingest.year, ingest.month, ingest.day, 5, tzinfo=UTC),
    }


def aspects(*items: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"aspect_id": a, "aspect": a, "polarity": p, "clause": "…", "score": 0.9} for a, p in items]


def old_style_analyses(rows: list[tuple[str, str, list[dict[str, Any]]]]) -> pa.Table:
    """Analyses as the schemaless lake wrote them: `sentiment` and `aspects` as JSON text."""
    marked = {b"highpipe.json": b"1"}
    schema = pa.schema(
        [
            pa.field("review_uid", pa.string()),
            pa.field("sentiment", pa.string(), metadata=marked),
            pa.field("aspects", pa.string(), metadata=marked),
            pa.field("job_id", pa.string()),
        ]
    )
    return pa.table(
        [
            [uid for uid, _, _ in rows],
            [json.dumps({"label": label, "score": 0.8}) for _, label, _ in rows],
            [json.dumps(a, ensure_ascii=False) for _, _, a in rows],
            ["old-job" for _ in rows],
        ],
        schema=schema,
    )


def write_day1(lake: Path) -> None:
    write_part(
        lake,
        "raw",
        "reviews",
        "demo",
        D1,
        review_table(
            [
                review("demo:1", "2026-10-31", "배송 빠르고 포장 꼼꼼해요"),
                review("demo:1", "2026-10-31", "배송 빠르고 포장 꼼꼼해요"),  # a second job collected it too
                review("demo:2", "2026-10-31", "사이즈가 작아요", rating=2.0),
                review("demo:3", "2026-10-31", "협찬받은 제품입니다 #광고 좋아요"),
                review("demo:4", "2026-10-31", "!!"),
            ]
        ),
    )
    write_part(
        lake,
        "raw",
        "reviews",
        "naver",
        D1,
        review_table([review("naver:9", "2026-10-31", "가격이 착해요", product="naver:z")]),
    )
    write_part(
        lake,
        "curated",
        "review_analyses",
        "demo",
        D1,
        analysis_table(
            [
                {
                    "review_uid": "demo:1",
                    "sentiment_label": "positive",
                    "aspects": aspects(("delivery", "positive"), ("packaging", "positive")),
                },
                {
                    "review_uid": "demo:2",
                    "sentiment_label": "negative",
                    "aspects": aspects(("size", "negative")),
                },
            ]
        ),
    )
    write_part(
        lake,
        "curated",
        "review_analyses",
        "naver",
        D1,
        old_style_analyses([("naver:9", "positive", aspects(("price", "positive")))]),
    )


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    store = open_warehouse(url)
    try:
        tables = {
            "fact_review": "review_uid",
            "fact_review_aspect": "review_uid, aspect_id",
            "agg_product_day_aspect": "date_key, product_id, aspect_id",
            "agg_category_day_aspect": "date_key, category, aspect_id",
            "review_quality_daily": "ingest_date, source",
            "dim_product": "product_id",
        }
        shot = {}
        for table, order in tables.items():
            sql = f"SELECT * FROM {store.qualify(table)} ORDER BY {order}"  # noqa: S608
            shot[table] = store.query(sql).rows
        # ingested_at / run times differ between runs by design; everything else must not
        shot["fact_review"] = [r[:-1] for r in shot["fact_review"]]
        return shot
    finally:
        store.close()


def test_jobs_end_to_end_idempotent_with_late_data(spark: SparkSession, tmp_path: Path) -> None:
    lake, url = tmp_path / "lake", f"duckdb:///{tmp_path}/wh.duckdb"
    write_day1(lake)
    first = run_jobs(
        ["clean_reviews", "daily_aggregates"], D1, lake_url=str(lake), warehouse_url=url, spark=spark
    )
    assert [r.job for r in first] == ["clean_reviews", "daily_aggregates"]
    assert (first[0].rows_in, first[0].rows_out) == (
        6,
        3,
    )  # 6 raw rows; demo:1 twice, demo:3 sponsored, demo:4 short
    assert first[1].affected_dates == [date(2026, 10, 31)] and first[1].rows_out == 3
    assert (lake / "clean" / "reviews" / "source=demo" / "dt=2026-11-01").is_dir()
    once = snapshot(url)
    assert [r[1] for r in once["fact_review"]] == ["demo:1", "demo:2", "naver:9"]
    quality = {r[1]: r for r in once["review_quality_daily"]}
    assert quality["demo"][2:6] == (5, 4, 1, 0)  # rows_raw, rows_unique, duplicates, missing_key
    aggregates = {(r[1], r[2]): r[3:] for r in once["agg_product_day_aspect"]}
    assert aggregates[("naver:z", "price")][:3] == (1, 1, 1)  # read from the JSON-text analyses file
    assert aggregates[("demo:a", "size")] == (1, 1, 0, 1, 0, 2.0)

    run_jobs(["clean_reviews", "daily_aggregates"], D1, lake_url=str(lake), warehouse_url=url, spark=spark)
    assert snapshot(url) == once

    # Day 2: a late review for 10-20 and a re-collected demo:2 now dated 11-02.
    write_part(
        lake,
        "raw",
        "reviews",
        "demo",
        D2,
        review_table(
            [
                review("demo:7", "2026-10-20", "품질이 좋아요 만족", ingest=D2),
                review("demo:2", "2026-11-02", "사이즈가 작아요 (수정)", rating=3.0, ingest=D2),
            ]
        ),
    )
    write_part(
        lake,
        "curated",
        "review_analyses",
        "demo",
        D2,
        analysis_table(
            [
                {
                    "review_uid": "demo:7",
                    "sentiment_label": "positive",
                    "aspects": aspects(("quality", "positive")),
                }
            ]
        ),
    )
    second = run_jobs(
        ["clean_reviews", "daily_aggregates"], D2, lake_url=str(lake), warehouse_url=url, spark=spark
    )
    assert second[1].affected_dates == [date(2026, 10, 20), date(2026, 10, 31), date(2026, 11, 2)]
    after = snapshot(url)
    days = {r[1]: r[0] for r in after["fact_review"]}
    assert days == {"demo:1": 20261031, "demo:2": 20261102, "demo:7": 20261020, "naver:9": 20261031}
    # demo:2's size mention moved with it (its latest analysis is still the day-1 one)
    moved = {(r[0], r[2]) for r in after["agg_product_day_aspect"] if r[1] == "demo:a"}
    assert (20261102, "size") in moved and (20261031, "size") not in moved
    assert len(after["review_quality_daily"]) == 3  # day 1 (demo, naver) kept, day 2 (demo) added


def test_cli_run_and_quality(spark: SparkSession, tmp_path: Path) -> None:
    lake, url = tmp_path / "lake", f"duckdb:///{tmp_path}/wh.duckdb"
    write_day1(lake)
    runner = CliRunner()
    ran = runner.invoke(
        batch_app, ["run", "all", "--date", "2026-11-01", "--lake", str(lake), "--warehouse", url]
    )
    assert ran.exit_code == 0, ran.output
    summaries = [json.loads(line) for line in ran.stdout.splitlines()]
    assert [s["job"] for s in summaries] == ["clean_reviews", "daily_aggregates"]
    assert summaries[1]["affected_dates"] == ["2026-10-31"]
    assert not spark.sparkContext._jsc.sc().isStopped()  # the shared session survives the CLI

    quality = runner.invoke(batch_app, ["quality", "--date", "2026-11-01", "--warehouse", url])
    assert quality.exit_code == 0, quality.output
    empty_day = runner.invoke(
        batch_app, ["run", "clean_reviews", "--date", "2026-11-05", "--lake", str(lake), "--warehouse", url]
    )
    assert empty_day.exit_code == 0 and json.loads(empty_day.stdout)["rows_in"] == 0
    failing = runner.invoke(batch_app, ["quality", "--date", "2026-11-05", "--warehouse", url])
    assert failing.exit_code == 1
    assert "row_count" in failing.stderr and "daily_aggregates has not run" in failing.stderr
    unknown = runner.invoke(batch_app, ["run", "compact", "--date", "2026-11-01"])
    assert unknown.exit_code == 2
