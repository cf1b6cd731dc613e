"""Reading and writing the lake from Spark: paths, partition discovery, and the tolerant column contract.

Spark reads the Parquet folders directly (docs/lake.md): `<root>/<layer>/<dataset>/source=<s>/dt=<d>/part-*`.
- Roots: a path or `file:///abs` (local), or `s3://bucket/prefix?endpoint=…` read through Hadoop's `s3a://`
  (the cluster image needs hadoop-aws; `endpoint` becomes `fs.s3a.endpoint` with path-style access).
- Files of one dataset may differ by additive columns, so reads merge schemas; then `conform_*` selects the
  contract's columns with the contract's types, adding missing ones as nulls. Older schemaless files are
  tolerated: `date` as ISO text, `sentiment` as a JSON object, `aspects` / `emotions` as JSON text (the
  columns the lake marks `highpipe.json`), ratings stored as integers.
- The jobs' own output lives in the `clean` layer (`clean/reviews`): one partition per ingest day, written
  whole by Spark (a re-run replaces it), one row per review per ingest day; readers keep each review's
  latest `ingested_at` (the curated layer's one-row-per-key rule does not hold there).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from pyspark.sql import functions as F
from pyspark.sql import types as T

if TYPE_CHECKING:
    from datetime import date

    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)

ASPECT_STRUCT = T.StructType(
    [
        T.StructField("aspect_id", T.StringType()),
        T.StructField("aspect", T.StringType()),
        T.StructField("polarity", T.StringType()),
        T.StructField("clause", T.StringType()),
        T.StructField("score", T.DoubleType()),
    ]
)
ASPECTS_TYPE = T.ArrayType(ASPECT_STRUCT)

# The lake's raw/reviews contract (adapters/lake/schema.py), plus the partition columns as strings.
REVIEW_FIELDS: tuple[tuple[str, T.DataType], ...] = (
    ("review_uid", T.StringType()),
    ("product_id", T.StringType()),
    ("site", T.StringType()),
    ("text", T.StringType()),
    ("rating", T.DoubleType()),
    ("title", T.StringType()),
    ("date", T.TimestampType()),
    ("option", T.StringType()),
    ("helpful", T.LongType()),
    ("job_id", T.StringType()),
    ("ingested_at", T.TimestampType()),
    ("source", T.StringType()),
    ("dt", T.StringType()),
)
ANALYSIS_FIELDS: tuple[tuple[str, T.DataType], ...] = (
    ("review_uid", T.StringType()),
    ("product_id", T.StringType()),
    ("job_id", T.StringType()),
    ("sentiment_label", T.StringType()),
    ("sentiment_score", T.DoubleType()),
    ("aspects", ASPECTS_TYPE),
    ("emotions", T.ArrayType(T.StringType())),
    ("model_version", T.StringType()),
    ("ingested_at", T.TimestampType()),
    ("source", T.StringType()),
    ("dt", T.StringType()),
)
PRODUCT_FIELDS: tuple[tuple[str, T.DataType], ...] = (
    ("product_id", T.StringType()),
    ("site", T.StringType()),
    ("title", T.StringType()),
    ("category", T.StringType()),
    ("ingested_at", T.TimestampType()),
    ("dt", T.StringType()),
)


def spark_root(lake_url: str) -> tuple[str, dict[str, str]]:
    """A lake URL -> (the Hadoop path Spark reads, Hadoop settings it needs)."""
    if lake_url.startswith("s3://") or lake_url.startswith("s3a://"):
        parts = urlsplit(lake_url)
        settings: dict[str, str] = {}
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if "endpoint" in query:
            settings["fs.s3a.endpoint"] = query["endpoint"]
            settings["fs.s3a.path.style.access"] = "true"
            settings["fs.s3a.connection.ssl.enabled"] = str(query["endpoint"].startswith("https")).lower()
        if "region" in query:
            settings["fs.s3a.endpoint.region"] = query["region"]
        return f"s3a://{parts.netloc}{parts.path.rstrip('/')}", settings
    if lake_url.startswith("file:"):
        parts = urlsplit(lake_url)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"lake URL {lake_url!r}: write file:///abs/path or a plain path")
        return f"file://{unquote(parts.path).rstrip('/')}", {}
    if "://" in lake_url or not lake_url:
        raise ValueError(f"lake URL {lake_url!r}: use a path, file:///abs/path or s3://bucket/prefix")
    return f"file://{Path(lake_url).absolute()}", {}


def configure(spark: SparkSession, settings: dict[str, str]) -> None:
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    for key, value in settings.items():
        conf.set(key, value)


def glob_paths(spark: SparkSession, pattern: str) -> list[str]:
    """The paths a Hadoop glob matches (file:// and s3a:// alike), sorted."""
    jvm: Any = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(pattern)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    found = fs.globStatus(path)
    return sorted(str(status.getPath().toString()) for status in found or [])


def read_dataset(
    spark: SparkSession,
    root: str,
    layer: str,
    dataset: str,
    *,
    dt: date | None = None,
    conform: Callable[[DataFrame], DataFrame] | None = None,
) -> DataFrame | None:
    """One dataset (or its `dt` partitions only), conformed; None when it has no data file yet.

    Files whose types cannot be merged (an old JSON-text `aspects` next to a typed one) are read one by
    one, each conformed to the contract, and unioned: slower, and only needed for lakes older than the
    explicit schemas.
    """
    base = f"{root}/{layer}/{dataset}"
    files = glob_paths(spark, f"{base}/source=*/dt={dt.isoformat() if dt else '*'}/part-*.parquet")
    if not files:
        return None
    fix = conform or (lambda frame: frame)
    reader = spark.read.option("basePath", base).option("mergeSchema", "true")
    # The partition folders, not a glob: Spark then skips its noisy metadata probe of glob paths.
    folders = sorted({f.rsplit("/", 1)[0] for f in files})
    try:
        return fix(reader.parquet(*folders))
    except Exception as exc:
        if "CANNOT_MERGE_SCHEMAS" not in str(exc) and "Failed to merge" not in str(exc):
            raise
    log.warning(
        "%s/%s: files with incompatible column types; reading %d files one by one", layer, dataset, len(files)
    )
    frames = [fix(spark.read.option("basePath", base).parquet(f)) for f in files]
    return functools.reduce(lambda a, b: a.unionByName(b), frames)


def empty_frame(spark: SparkSession, fields: tuple[tuple[str, T.DataType], ...]) -> DataFrame:
    return spark.createDataFrame([], T.StructType([T.StructField(n, t) for n, t in fields]))


def _conform(df: DataFrame, fields: tuple[tuple[str, T.DataType], ...]) -> DataFrame:
    present = {f.name: f.dataType for f in df.schema.fields}
    columns = []
    for name, wanted in fields:
        if name not in present:
            columns.append(F.lit(None).cast(wanted).alias(name))
        elif isinstance(present[name], T.StringType) and not isinstance(wanted, T.StringType):
            columns.append(_from_text(F.col(name), wanted).alias(name))
        else:
            columns.append(F.col(name).cast(wanted).alias(name))
    return df.select(*columns)


def _from_text(column: Any, wanted: T.DataType) -> Any:
    if isinstance(wanted, T.TimestampType):
        return F.try_to_timestamp(column)
    if isinstance(wanted, T.ArrayType | T.StructType):
        return F.from_json(column, wanted)
    return column.try_cast(wanted)


def conform_reviews(df: DataFrame) -> DataFrame:
    return _conform(df, REVIEW_FIELDS)


def conform_analyses(df: DataFrame) -> DataFrame:
    names = set(df.columns)
    if "sentiment_label" not in names and "sentiment" in names:
        # Before the explicit schema: `sentiment` was a JSON object {"label": …, "score": …}.
        df = df.withColumn("sentiment_label", F.get_json_object("sentiment", "$.label")).withColumn(
            "sentiment_score", F.get_json_object("sentiment", "$.score").try_cast("double")
        )
    return _conform(df, ANALYSIS_FIELDS)


def conform_products(df: DataFrame) -> DataFrame:
    return _conform(df, PRODUCT_FIELDS)
