"""Moving Spark results next to the warehouse, so one transaction can swap them in.

- DuckDB: Spark writes Parquet into a private temporary folder and DuckDB inserts from `read_parquet`
  (the driver never collects the rows). Needs a file system shared by Spark and the process holding the
  DuckDB file: a local master, the laptop case.
- PostgreSQL / Redshift over JDBC: Spark writes each frame into its own staging table
  `stg_<table>_<random>` in the warehouse schema (Debian's PostgreSQL JDBC driver, `HIGHPIPE_JDBC_JAR`);
  the load then moves the rows with INSERT … SELECT in one transaction, and `cleanup()` drops the stages.
  For Redshift at volume, stage through S3 instead (Parquet + COPY; docs/data-platform.md).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from highpipe.warehouse.base import ParquetSource, RowsSource, Source, TableSource, Warehouse

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


class Stager:
    def __init__(self, warehouse: Warehouse, *, jdbc_batch_size: int = 10_000) -> None:
        self._warehouse = warehouse
        self._batch = jdbc_batch_size
        self._tables: list[str] = []
        self._folder: Path | None = None

    def stage(self, frame: DataFrame, table: str) -> Source:
        if self._warehouse.dialect == "duckdb":
            return self._to_parquet(frame, table)
        return self._to_table(frame, table)

    def _to_parquet(self, frame: DataFrame, table: str) -> Source:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="highpipe-stage-"))
        target = self._folder / table
        frame.write.mode("overwrite").parquet(f"file://{target}")
        if not any(target.glob("*.parquet")):
            return RowsSource([])
        return ParquetSource(str(target / "*.parquet"))

    def _to_table(self, frame: DataFrame, table: str) -> Source:
        url = self._warehouse.url
        name = f"stg_{table}_{uuid.uuid4().hex[:10]}"[:63]
        self._tables.append(name)
        properties = {**url.jdbc_properties(), "batchsize": str(self._batch)}
        frame.write.jdbc(url.jdbc_url(), f'"{url.schema}"."{name}"', mode="overwrite", properties=properties)
        return TableSource(name)

    def cleanup(self) -> None:
        """Drop every staging table and folder this stager made (call it in a `finally`)."""
        if self._tables:
            tables, self._tables = self._tables, []
            self._warehouse.drop_tables(tables)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
