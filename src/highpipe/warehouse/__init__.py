"""The analytics warehouse: a star schema fed by the Spark batch jobs, queried by analysts.

`open_warehouse(url)` picks the backend from the URL scheme (imported lazily, so DuckDB and asyncpg stay
optional): `duckdb:///path` (default `duckdb:///.highpipe/warehouse.duckdb`), `postgresql://…?schema=…`,
`redshift://…`. See url.py for the URL forms, migrations.py for the schema, base.py for the load semantics.
"""

from __future__ import annotations

from highpipe.warehouse.base import Warehouse
from highpipe.warehouse.url import DEFAULT_URL, WarehouseURL, parse_warehouse_url

__all__ = ["DEFAULT_URL", "Warehouse", "WarehouseURL", "open_warehouse", "parse_warehouse_url"]


def open_warehouse(url: str | WarehouseURL) -> Warehouse:
    parsed = parse_warehouse_url(url) if isinstance(url, str) else url
    if parsed.dialect == "duckdb":
        from highpipe.warehouse.duckdb_backend import DuckDBWarehouse

        return DuckDBWarehouse(parsed)
    from highpipe.warehouse.postgres_backend import PostgresWarehouse

    return PostgresWarehouse(parsed)
