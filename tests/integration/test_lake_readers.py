"""The lake as the sink writes it, read by DuckDB, Polars and Spark: `highpipe serve` with a batched lake
analyses one demo product twice (the second a full re-crawl); curated rows stay one per review, raw keeps
both runs, job events land in raw/job_events, and the whole run leaves a handful of files.

The S3 case runs the same pipeline against the test S3 server (HIGHPIPE_TEST_S3_URL; skipped locally without
it) and reads it back with pyarrow and Polars (DuckDB and Spark read S3 through extensions/jars that need
downloads; they read the file case).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pyarrow.dataset as ds
import pytest
import uvicorn

from highpipe.adapters.lake import open_lake
from highpipe.adapters.lake.buffered import BufferedLake
from highpipe.adapters.lake.s3 import S3Storage
from highpipe.ports.analyzer import Analyzer
from tests.conftest import free_port, make_settings
from tests.contract.test_lake import s3_test_url
from tests.integration.helpers import submit, wait_final


async def _run_twice(
    tmp_path: Path, analyzer: Analyzer, lake_url: str
) -> tuple[BufferedLake, dict[str, Any]]:
    """Serve with a batched lake, analyse the smallest demo product twice, stop; (lake, product)."""
    from highpipe.bootstrap import ALL_ROLES, bootstrap
    from highpipe.entrypoints.api.app import create_app

    port = free_port()
    lake = open_lake(lake_url, flush_s=0)  # flushes on each job's end and on stop
    assert isinstance(lake, BufferedLake)
    container = bootstrap(make_settings(tmp_path, port), analyzer=analyzer, lake=lake)
    app = create_app(container, roles=ALL_ROLES, mount_demo=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        assert server.started, "uvicorn did not start"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            products = (await client.get("/api/demo/products")).json()
            product = min(
                (p for p in products if int(p["review_count"]) > 0 and not str(p["id"]).startswith("bench")),
                key=lambda p: int(p["review_count"]),
            )
            for full in (False, True):
                job_id = await submit(client, str(product["url"]), full=full)
                body = await wait_final(client, job_id)
                assert body["job"]["status"] == "completed", body
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
    return lake, product


@pytest.fixture
async def file_lake_run(tmp_path: Path, analyzer: Analyzer) -> AsyncIterator[tuple[Path, dict[str, Any]]]:
    _, product = await _run_twice(tmp_path, analyzer, str(tmp_path / "lake"))
    yield tmp_path / "lake", product


async def test_sink_lake_read_by_duckdb_and_polars(file_lake_run: tuple[Path, dict[str, Any]]) -> None:
    import duckdb
    import polars as pl

    root, product = file_lake_run
    count = int(product["review_count"])
    files = sorted(root.rglob("part-*.parquet"))
    partitions = {f.parent for f in files}
    # raw+curated reviews, analyses, products, job events: a few files per partition (one per job end)
    assert len(files) <= 14 and all(len(list(p.glob("part-*.parquet"))) <= 3 for p in partitions), files

    con = duckdb.connect()
    datasets = (
        "raw/reviews",
        "curated/reviews",
        "curated/review_analyses",
        "raw/job_events",
        "curated/products",
    )
    for name in datasets:
        source = f"read_parquet('{root}/{name}/*/*/*.parquet', hive_partitioning=true, union_by_name=true)"
        con.execute(f"CREATE VIEW {name.replace('/', '_')} AS SELECT * FROM {source}")  # noqa: S608 (test paths)

    def sql(query: str) -> list[tuple[Any, ...]]:
        return con.execute(query).fetchall()

    assert sql("SELECT count(*), count(DISTINCT review_uid) FROM curated_reviews") == [(count, count)]
    assert sql("SELECT count(DISTINCT job_id), count(*) FROM raw_reviews") == [(2, 2 * count)]
    sentiments = sql(
        "SELECT a.sentiment_label, count(*) FROM curated_review_analyses a "
        "JOIN curated_reviews r USING (review_uid) GROUP BY 1"
    )
    assert sum(n for _, n in sentiments) == count
    assert {label for label, _ in sentiments} <= {"positive", "negative", "neutral"}
    # One catalogue row per product (its latest metadata), for the batch jobs' per-category aggregates.
    catalogue = sql("SELECT product_id, title, count(*) OVER () FROM curated_products")
    assert len(catalogue) == 1 and catalogue[0][0] == f"demo:{product['id']}" and catalogue[0][1]
    events = sql("SELECT job_id, min(seq), max(seq), count(*) FROM raw_job_events GROUP BY 1")
    assert len(events) == 2 and all(lo == 1 and hi == n for _, lo, hi, n in events)

    frame = pl.scan_parquet(f"{root}/curated/review_analyses/**/*.parquet", hive_partitioning=True).collect()
    assert frame.height == count and frame["review_uid"].n_unique() == count
    assert frame.schema["aspects"] == pl.List(
        pl.Struct(
            {
                "aspect_id": pl.String,
                "aspect": pl.String,
                "polarity": pl.String,
                "clause": pl.String,
                "score": pl.Float64,
            }
        )
    )
    assert set(frame["source"].unique().to_list()) == {"demo"}


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
async def test_sink_lake_read_by_spark(file_lake_run: tuple[Path, dict[str, Any]]) -> None:
    from pyspark.sql import SparkSession

    root, product = file_lake_run

    def spark_counts() -> tuple[int, int, str, int]:
        # The batch tests may have left a session running (getOrCreate returns it): set the partition-type
        # inference this test relies on for the duration of the read, put the session's own setting back,
        # and stop only a session this test started.
        existing = SparkSession.getActiveSession()
        spark = (
            SparkSession.builder.master("local[1]")
            .appName("highpipe-lake-test")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "1")
            .getOrCreate()
        )
        inference = "spark.sql.sources.partitionColumnTypeInference.enabled"
        previous = spark.conf.get(inference, None)
        spark.conf.set(inference, "true")
        try:
            curated = spark.read.option("mergeSchema", "true").parquet(str(root / "curated" / "reviews"))
            analyses = spark.read.parquet(str(root / "curated" / "review_analyses"))
            exploded = analyses.selectExpr("review_uid", "explode(aspects) AS a").selectExpr("a.aspect_id")
            return (
                curated.count(),
                curated.select("review_uid").distinct().count(),
                dict(curated.dtypes)["dt"],
                exploded.count(),
            )
        finally:
            if existing is None:
                spark.stop()
            elif previous is None:
                spark.conf.unset(inference)
            else:
                spark.conf.set(inference, previous)

    total, unique, dt_type, mentions = await asyncio.to_thread(spark_counts)
    assert total == unique == int(product["review_count"])
    assert dt_type == "date" and mentions >= 0


async def test_sink_lake_on_s3(tmp_path: Path, analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    url = s3_test_url(monkeypatch)
    lake, product = await _run_twice(tmp_path, analyzer, url)
    storage = lake.inner.storage
    try:
        count = int(product["review_count"])
        dataset = ds.dataset(
            storage.full("curated/reviews"),
            filesystem=storage.filesystem,
            format="parquet",
            partitioning="hive",
        )
        uids = dataset.to_table(columns=["review_uid"]).column("review_uid").to_pylist()
        assert len(uids) == len(set(uids)) == count
        assert isinstance(storage, S3Storage)
        loc = storage.location
        options = {
            "aws_endpoint_url": str(loc.endpoint),
            "aws_region": loc.region,
            "aws_access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
            "aws_allow_http": "true",
        }
        frame = pl.scan_parquet(
            f"{lake.location('raw', 'reviews')}/**/*.parquet", hive_partitioning=True, storage_options=options
        ).collect()
        assert frame.height == 2 * count
    finally:
        storage.filesystem.delete_dir_contents(storage.full(""), missing_dir_ok=True)
