"""Spark -> PostgreSQL over JDBC (Debian's libpostgresql-jdbc-java): the batch jobs against the real server.

The same synthetic lake is loaded into DuckDB and into a dedicated PostgreSQL schema (dropped afterwards);
both warehouses must hold the same facts and aggregates, a re-run must change nothing, and no staging table
may be left behind. Needs HIGHPIPE_TEST_POSTGRES_URL (`make services-up`), Java and the JDBC jar
(`make batch-deps`): skipped locally without them, a failure under CI=true.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from highpipe.batch.runner import run_jobs
from highpipe.batch.session import DEBIAN_JDBC_JAR
from highpipe.batch.synthetic import synthetic_day
from highpipe.warehouse import Warehouse, open_warehouse

DAY = date(2026, 11, 1)
TABLES = {
    "fact_review": "review_uid",
    "fact_review_aspect": "review_uid, aspect_id, polarity, score",
    "agg_product_day_aspect": "date_key, product_id, aspect_id",
    "agg_category_day_aspect": "date_key, category, aspect_id",
    "review_quality_daily": "ingest_date, source",
    "dim_product": "product_id",
    "dim_date": "date_key",
}


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    base = os.environ.get("HIGHPIPE_TEST_POSTGRES_URL")
    if not base:
        _missing("HIGHPIPE_TEST_POSTGRES_URL is not set: run `make services-up` first (`make test` does)")
    if shutil.which("java") is None or not os.path.exists(
        os.environ.get("HIGHPIPE_JDBC_JAR", DEBIAN_JDBC_JAR)
    ):
        _missing("java or the PostgreSQL JDBC jar is missing: run `make batch-deps`")
    parts = urlsplit(str(base))
    schema = f"batch_test_{uuid.uuid4().hex[:12]}"
    url = urlunsplit(("postgresql", parts.netloc, parts.path, f"schema={schema}", ""))
    yield url
    store = open_warehouse(url)
    try:
        with store.transaction() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        store.close()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from highpipe.batch.session import spark_session

    session = spark_session("highpipe-tests", shuffle_partitions=2)
    yield session
    session.stop()


def snapshot(store: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    shot = {}
    for table, order in TABLES.items():
        rows = store.query(f"SELECT * FROM {store.qualify(table)} ORDER BY {order}").rows  # noqa: S608
        # ingested_at is a timestamp both ways; floats are compared rounded (PostgreSQL sums differ in the last bit)
        shot[table] = [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]
    return shot


def test_spark_to_postgres_matches_duckdb_and_is_idempotent(pg_url: str, spark: Any, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    stats = synthetic_day(lake, DAY, reviews=400, products=30, spread_days=5, files_per_source=2)
    duck_url = f"duckdb:///{tmp_path}/wh.duckdb"
    reference = run_jobs(
        ["clean_reviews", "daily_aggregates"], DAY, lake_url=str(lake), warehouse_url=duck_url, spark=spark
    )
    results = run_jobs(
        ["clean_reviews", "daily_aggregates"], DAY, lake_url=str(lake), warehouse_url=pg_url, spark=spark
    )
    assert results[0].rows_in == stats.reviews
    # 5 days of reviews, seen as Korean calendar days (late-evening UTC is the next day in Seoul)
    assert len(results[1].affected_dates) >= 5
    assert results[1].affected_dates == reference[1].affected_dates

    duck, pg = open_warehouse(duck_url), open_warehouse(pg_url)
    try:
        expected, loaded = snapshot(duck), snapshot(pg)
        for table in TABLES:
            assert loaded[table] == expected[table], table
        assert len(loaded["fact_review_aspect"]) > 0

        run_jobs(["daily_aggregates"], DAY, lake_url=str(lake), warehouse_url=pg_url, spark=spark)
        assert snapshot(pg) == loaded
        leftovers = pg.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'stg_%'",
            [pg.url.schema],
        )
        assert leftovers.rows == []
        version = pg.query(f"SELECT max(version) FROM {pg.qualify('warehouse_schema_version')}").rows  # noqa: S608
        assert version == [(1,)]
        with pytest.raises(Exception, match="read-only"):
            pg.query(f"DELETE FROM {pg.qualify('fact_review')}")  # noqa: S608
    finally:
        duck.close()
        pg.close()
