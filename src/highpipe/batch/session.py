"""The SparkSession factory for the batch jobs: local[*] on a laptop, whatever spark-submit says on a cluster.

- Master: `HIGHPIPE_SPARK_MASTER` if set; else the one spark-submit configured (`spark.master`); else
  `local[*]`. The local driver binds to 127.0.0.1 only.
- Small shuffles (`HIGHPIPE_SPARK_SHUFFLE_PARTITIONS`, default 4): the daily volumes are small, and Spark's
  200 default partitions cost more in scheduling than they save on two cores.
- `HIGHPIPE_JDBC_JAR` (default: Debian's /usr/share/java/postgresql.jar when installed, as mk/batch.mk does)
  is added to `spark.jars` for the PostgreSQL warehouse; on a cluster, pass the driver with `--jars`.
- UTC session time zone, no UI, no progress bars, dynamic partition overwrite (a re-run replaces only the
  partitions it writes), Parquet with zstd and microsecond timestamps (what DuckDB and pyarrow read best),
  and partition columns read as strings (`source=123` stays a string; the jobs cast `dt` themselves).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_SHUFFLE_PARTITIONS = 4
DEBIAN_JDBC_JAR = "/usr/share/java/postgresql.jar"  # libpostgresql-jdbc-java


def spark_session(
    app_name: str = "highpipe-batch",
    *,
    master: str | None = None,
    shuffle_partitions: int | None = None,
    driver_memory: str | None = None,
) -> SparkSession:
    """Build (or reuse) the process's SparkSession with HighPipe's settings."""
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    # Executors of a local master run this interpreter (the venv), not whatever `python3` is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    partitions = shuffle_partitions or int(
        os.environ.get("HIGHPIPE_SPARK_SHUFFLE_PARTITIONS", DEFAULT_SHUFFLE_PARTITIONS)
    )
    builder = SparkSession.builder.appName(app_name)
    submitted = SparkConf().get("spark.master", None)  # set by spark-submit
    chosen = master or os.environ.get("HIGHPIPE_SPARK_MASTER")
    effective = chosen or submitted or "local[*]"
    if chosen or not submitted:
        builder = builder.master(effective)
    if effective.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # read by the JVM as it starts: loopback only
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    jar = os.environ.get("HIGHPIPE_JDBC_JAR") or DEBIAN_JDBC_JAR
    if os.path.exists(jar):
        builder = builder.config("spark.jars", jar)
    memory = driver_memory or os.environ.get("HIGHPIPE_SPARK_DRIVER_MEMORY")
    if memory:
        builder = builder.config("spark.driver.memory", memory)
    settings = {
        "spark.sql.shuffle.partitions": str(partitions),
        "spark.default.parallelism": str(partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.sql.parquet.compression.codec": "zstd",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        "spark.sql.adaptive.enabled": "true",
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel(os.environ.get("HIGHPIPE_SPARK_LOG_LEVEL", "WARN"))
    return session
