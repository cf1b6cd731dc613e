"""The DuckDB warehouse: migrations, per-partition replace in one transaction, upserts, read-only queries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from highpipe.domain.vocab import ASPECTS
from highpipe.warehouse import open_warehouse
from highpipe.warehouse.base import ParquetSource, ReplacePartitions, RowsSource, Upsert, Warehouse
from highpipe.warehouse.migrations import COLUMNS, MIGRATIONS

AGG = COLUMNS["agg_product_day_aspect"]


def agg_row(day: int, product: str, aspect: str, mentions: int) -> tuple[object, ...]:
    return (day, product, aspect, mentions, mentions, mentions, 0, 0, 4.0)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    store = open_warehouse(f"duckdb:///{tmp_path}/wh.duckdb")
    store.migrate()
    yield store
    store.close()


def table_rows(store: Warehouse, table: str, order: str) -> list[tuple[object, ...]]:
    return store.query(f"SELECT * FROM {store.qualify(table)} ORDER BY {order}").rows  # noqa: S608


def test_migrate_is_idempotent_and_versioned(tmp_path: Path) -> None:
    store = open_warehouse(f"duckdb:///{tmp_path}/fresh.duckdb")
    assert store.schema_version() == 0
    assert store.migrate() == [m.version for m in MIGRATIONS]
    assert store.migrate() == []
    assert store.schema_version() == MIGRATIONS[-1].version
    seeded = store.query(f"SELECT aspect_id, label_ko FROM {store.qualify('dim_aspect')} ORDER BY aspect_id")  # noqa: S608
    assert seeded.rows == sorted((a.id, a.ko) for a in ASPECTS)


def test_loads_name_the_columns_the_migrations_create(warehouse: Warehouse) -> None:
    for table, columns in COLUMNS.items():
        result = warehouse.query(f"SELECT * FROM {warehouse.qualify(table)} LIMIT 0")  # noqa: S608
        assert tuple(result.columns) == columns, table


def test_replace_partitions_is_idempotent_and_leaves_other_days(warehouse: Warehouse) -> None:
    other = ReplacePartitions(
        "agg_product_day_aspect",
        "date_key",
        [20261030],
        AGG,
        RowsSource([agg_row(20261030, "p", "price", 9)]),
    )
    warehouse.load([other])
    step = ReplacePartitions(
        "agg_product_day_aspect",
        "date_key",
        [20261031, 20261101],
        AGG,
        RowsSource([agg_row(20261031, "p", "delivery", 2), agg_row(20261101, "p", "delivery", 3)]),
    )
    first = warehouse.load([step])
    once = table_rows(warehouse, "agg_product_day_aspect", "date_key")
    second = warehouse.load([step])
    assert table_rows(warehouse, "agg_product_day_aspect", "date_key") == once
    assert (first.deleted["agg_product_day_aspect"], second.deleted["agg_product_day_aspect"]) == (0, 2)
    assert [r[0] for r in once] == [20261030, 20261031, 20261101]
    # A day that the new data no longer has is emptied, not left stale.
    warehouse.load(
        [ReplacePartitions("agg_product_day_aspect", "date_key", [20261031, 20261101], AGG, RowsSource([]))]
    )
    assert [r[0] for r in table_rows(warehouse, "agg_product_day_aspect", "date_key")] == [20261030]


def test_a_failing_step_rolls_back_the_whole_load(warehouse: Warehouse) -> None:
    good = ReplacePartitions(
        "agg_product_day_aspect", "date_key", [20261101], AGG, RowsSource([agg_row(20261101, "p", "size", 1)])
    )
    warehouse.load([good])
    replace = ReplacePartitions(
        "agg_product_day_aspect", "date_key", [20261101], AGG, RowsSource([agg_row(20261101, "p", "size", 5)])
    )
    broken = Upsert(
        "dim_product", ["product_id"], COLUMNS["dim_product"], RowsSource([("p", "demo", "t", None)])
    )
    with pytest.raises(Exception, match=r"(?i)null"):
        warehouse.load([replace, broken])  # category is NOT NULL
    assert [r[3] for r in table_rows(warehouse, "agg_product_day_aspect", "date_key")] == [1]


def test_upsert_replaces_by_key_from_parquet(warehouse: Warehouse, tmp_path: Path) -> None:
    columns = COLUMNS["dim_product"]
    warehouse.load(
        [
            Upsert(
                "dim_product",
                ["product_id"],
                columns,
                RowsSource([("a", "demo", "old", "식품"), ("b", "demo", "b", "가전")]),
            )
        ]
    )
    folder = tmp_path / "stage"
    folder.mkdir()
    table = pa.table(
        {
            "product_id": ["a", "c"],
            "site": ["demo", "demo"],
            "title": ["new", "c"],
            "category": ["식품", "unknown"],
        }
    )
    pq.write_table(table, folder / "part-0.parquet")
    report = warehouse.load(
        [Upsert("dim_product", ["product_id"], columns, ParquetSource(str(folder / "*.parquet")))]
    )
    assert (report.deleted["dim_product"], report.inserted["dim_product"]) == (1, 2)
    assert table_rows(warehouse, "dim_product", "product_id") == [
        ("a", "demo", "new", "식품"),
        ("b", "demo", "b", "가전"),
        ("c", "demo", "c", "unknown"),
    ]


def test_then_steps_commit_with_the_load_and_see_its_counts(warehouse: Warehouse) -> None:
    step = ReplacePartitions(
        "agg_product_day_aspect", "date_key", [20261101], AGG, RowsSource([agg_row(20261101, "p", "size", 1)])
    )
    seen: list[int] = []

    def then(report: object) -> list[Upsert]:
        seen.append(report.inserted["agg_product_day_aspect"])  # type: ignore[attr-defined]
        return []

    warehouse.load([step], then=then)
    assert seen == [1]


def test_queries_are_read_only_and_limited(warehouse: Warehouse) -> None:
    rows = [agg_row(20261101, f"p{i}", "size", i) for i in range(5)]
    warehouse.load(
        [ReplacePartitions("agg_product_day_aspect", "date_key", [20261101], AGG, RowsSource(rows))]
    )
    sql = f"SELECT product_id FROM {warehouse.qualify('agg_product_day_aspect')} ORDER BY 1"  # noqa: S608
    result = warehouse.query(sql, limit=3)
    assert (len(result.rows), result.truncated) == (3, True)
    assert warehouse.query("SELECT $1 + 1 AS x", [41]).rows == [(42,)]
    with pytest.raises(Exception, match=r"(?i)read.only"):
        warehouse.query(f"DELETE FROM {warehouse.qualify('agg_product_day_aspect')}")  # noqa: S608
    assert len(table_rows(warehouse, "agg_product_day_aspect", "product_id")) == 5


def test_query_without_a_warehouse_file_says_what_to_do(tmp_path: Path) -> None:
    store = open_warehouse(f"duckdb:///{tmp_path}/missing.duckdb")
    with pytest.raises(FileNotFoundError, match="warehouse migrate"):
        store.query("SELECT 1")
    assert not (tmp_path / "missing.duckdb").exists()
