"""daily_aggregates: the clean layer + the latest analyses -> star-schema facts and daily aggregates (pure).

Which days: the job for ingest day D recomputes every review day *touched* by D: the days of every version of
every review that was cleaned on D or analysed on D (a late review dated D-30 reopens D-30; a review whose
date changed reopens both days). Each touched day is rebuilt from all the clean data, one row per review (its
latest `ingested_at`), so a day's numbers never depend on the order the jobs ran in; the warehouse then
replaces exactly those `date_key` partitions.

Measures (per product x day x aspect, and per category x day x aspect):
- `mentions`: aspect mentions (a review may mention one aspect in two clauses); `reviews`: distinct reviews;
- `positive` / `negative` / `neutral`: mentions by polarity (an unknown polarity counts as neutral);
- `avg_rating`: mean rating of the distinct reviews mentioning the aspect (reviews without one ignored);
- `products` (category only): distinct products.
Only valid reviews count (clean.py's hard flags). Products without a category fall in `unknown`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

from pyspark import StorageLevel
from pyspark.sql import Window
from pyspark.sql import functions as F

from highpipe.domain.vocab import ASPECT_BY_ID
from highpipe.warehouse.migrations import COLUMNS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

UNKNOWN_CATEGORY: Final = "unknown"
POLARITIES: Final = ("positive", "negative", "neutral")


@dataclass(frozen=True)
class Aggregates:
    dates: list[date]
    fact_review: DataFrame
    fact_review_aspect: DataFrame
    agg_product_day_aspect: DataFrame
    agg_category_day_aspect: DataFrame
    dim_product: DataFrame
    dim_aspect: DataFrame
    dim_date: list[tuple[object, ...]]
    cached: tuple[DataFrame, ...] = ()

    def release(self) -> None:
        """Free the cached intermediate frames (after the outputs are written)."""
        for frame in self.cached:
            frame.unpersist()

    def frames(self) -> dict[str, DataFrame]:
        return {
            "fact_review": self.fact_review,
            "fact_review_aspect": self.fact_review_aspect,
            "agg_product_day_aspect": self.agg_product_day_aspect,
            "agg_category_day_aspect": self.agg_category_day_aspect,
            "dim_product": self.dim_product,
            "dim_aspect": self.dim_aspect,
        }


def date_key(column: Column) -> Column:
    return (F.year(column) * 10000 + F.month(column) * 100 + F.dayofmonth(column)).cast("int")


def date_rows(days: list[date]) -> list[tuple[object, ...]]:
    """dim_date rows (COLUMNS["dim_date"] order) for some days."""
    rows: list[tuple[object, ...]] = []
    for day in sorted(set(days)):
        iso = day.isocalendar()
        rows.append(
            (
                day.year * 10000 + day.month * 100 + day.day,
                day,
                day.year,
                (day.month - 1) // 3 + 1,
                day.month,
                day.day,
                iso.week,
                iso.weekday,
                iso.weekday >= 6,
            )
        )
    return rows


def latest_per_review(df: DataFrame) -> DataFrame:
    """One row per review_uid: the greatest `ingested_at` (then the newest `dt`, then job_id: deterministic)."""
    order = Window.partitionBy("review_uid").orderBy(
        F.col("ingested_at").desc_nulls_last(),
        F.col("dt").desc_nulls_last(),
        F.col("job_id").desc_nulls_last(),
    )
    return df.withColumn("_rank", F.row_number().over(order)).filter(F.col("_rank") == 1).drop("_rank")


def touched_dates(clean: DataFrame, analyses: DataFrame, day: date) -> list[date]:
    """The review days that the data ingested (or analysed) on `day` changes, oldest first."""
    stamp = day.isoformat()
    touched = (
        clean.filter(F.col("dt") == stamp)
        .select("review_uid")
        .unionByName(analyses.filter(F.col("dt") == stamp).select("review_uid"))
        .distinct()
    )
    days = clean.join(touched, "review_uid", "left_semi").select("review_date").distinct().collect()
    return sorted(row["review_date"] for row in days if row["review_date"] is not None)


def daily_aggregates(
    clean: DataFrame, analyses: DataFrame, products: DataFrame | None, day: date
) -> Aggregates:
    """Facts, aggregates and dims for the review days touched by ingest day `day` (see the module docstring)."""
    spark: SparkSession = clean.sparkSession
    dates = touched_dates(clean, analyses, day)
    in_days = F.col("review_date").isin(dates)
    # Every version of every review that has one version on a touched day, then the latest one of each.
    candidates = clean.filter(in_days).select("review_uid").distinct()
    latest = latest_per_review(clean.join(candidates, "review_uid", "left_semi"))
    reviews = latest.filter(in_days & F.col("is_valid")).withColumn(
        "date_key", date_key(F.col("review_date"))
    )
    analysis = latest_per_review(
        analyses.join(reviews.select("review_uid"), "review_uid", "left_semi")
    ).select("review_uid", "sentiment_label", "sentiment_score", "aspects", "model_version")
    # Six outputs read this join: keep it (and the per-review mentions below) instead of recomputing it.
    joined = reviews.join(analysis, "review_uid", "left").persist(StorageLevel.MEMORY_AND_DISK)

    fact_review = joined.select(
        "date_key",
        "review_uid",
        "product_id",
        "site",
        "rating",
        "sentiment_label",
        "sentiment_score",
        F.col("text_length").cast("int").alias("text_length"),
        F.coalesce(F.size(F.col("aspects")), F.lit(0)).cast("int").alias("aspect_mentions"),
        "date_imputed",
        "job_id",
        "model_version",
        F.col("ingest_date"),
        F.col("ingested_at").cast("timestamp_ntz").alias("ingested_at"),
    ).select(*COLUMNS["fact_review"])
    # size() of a null array is -1 under legacy settings and null under ANSI: both mean no mentions.
    fact_review = fact_review.withColumn("aspect_mentions", F.greatest(F.col("aspect_mentions"), F.lit(0)))

    polarity = F.lower(F.trim(F.col("m.polarity")))
    mentions = (
        joined.select("date_key", "review_uid", "product_id", "rating", F.explode("aspects").alias("m"))
        .filter(F.col("m.aspect_id").isNotNull() & (F.trim(F.col("m.aspect_id")) != ""))
        .select(
            "date_key",
            "review_uid",
            "product_id",
            F.trim(F.col("m.aspect_id")).alias("aspect_id"),
            F.when(polarity.isin(*POLARITIES), polarity).otherwise(F.lit("neutral")).alias("polarity"),
            F.col("m.score").alias("score"),
            "rating",
            F.col("m.aspect").alias("label"),
        )
    )
    fact_review_aspect = mentions.select(*COLUMNS["fact_review_aspect"])

    per_review = (
        mentions.groupBy("date_key", "product_id", "review_uid", "aspect_id")
        .agg(
            F.count(F.lit(1)).alias("mentions"),
            *[F.sum((F.col("polarity") == p).cast("int")).alias(p) for p in POLARITIES],
            F.first("rating").alias("rating"),
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    measures = [
        F.sum("mentions").cast("int").alias("mentions"),
        F.count(F.lit(1)).cast("int").alias("reviews"),
        *[F.sum(p).cast("int").alias(p) for p in POLARITIES],
        F.avg("rating").alias("avg_rating"),
    ]
    agg_product = per_review.groupBy("date_key", "product_id", "aspect_id").agg(*measures)

    catalogue = _catalogue(spark, products)
    dim_product = (
        reviews.groupBy("product_id")
        .agg(F.max("site").alias("site"))
        .join(catalogue, "product_id", "left")
        .select(
            "product_id",
            F.coalesce(F.col("catalogue_site"), F.col("site")).alias("site"),
            F.col("title"),
            F.coalesce(F.col("category"), F.lit(UNKNOWN_CATEGORY)).alias("category"),
        )
    )
    agg_category = (
        per_review.join(F.broadcast(dim_product.select("product_id", "category")), "product_id", "left")
        .withColumn("category", F.coalesce(F.col("category"), F.lit(UNKNOWN_CATEGORY)))
        .groupBy("date_key", "category", "aspect_id")
        .agg(*measures[:2], F.countDistinct("product_id").cast("int").alias("products"), *measures[2:])
        .select(*COLUMNS["agg_category_day_aspect"])
    )
    dim_aspect = _dim_aspect(spark, mentions)
    return Aggregates(
        dates=dates,
        fact_review=fact_review,
        fact_review_aspect=fact_review_aspect,
        agg_product_day_aspect=agg_product.select(*COLUMNS["agg_product_day_aspect"]),
        agg_category_day_aspect=agg_category,
        dim_product=dim_product.select(*COLUMNS["dim_product"]),
        dim_aspect=dim_aspect,
        dim_date=date_rows(dates),
        cached=(joined, per_review),
    )


def _catalogue(spark: SparkSession, products: DataFrame | None) -> DataFrame:
    """Product titles and categories (curated/products when the lake has it), one row per product."""
    if products is None:
        return spark.createDataFrame(
            [], "product_id string, catalogue_site string, title string, category string"
        )
    latest = Window.partitionBy("product_id").orderBy(
        F.col("ingested_at").desc_nulls_last(), F.col("dt").desc_nulls_last()
    )
    category = F.trim(F.col("category"))
    return (
        products.filter(F.col("product_id").isNotNull())
        .withColumn("_rank", F.row_number().over(latest))
        .filter(F.col("_rank") == 1)
        .select(
            "product_id",
            F.col("site").alias("catalogue_site"),
            F.col("title"),
            F.when(category == "", F.lit(None)).otherwise(category).alias("category"),
        )
    )


def _dim_aspect(spark: SparkSession, mentions: DataFrame) -> DataFrame:
    known = spark.createDataFrame(
        [(a.id, a.ko, a.en) for a in ASPECT_BY_ID.values()],
        "aspect_id string, known_ko string, label_en string",
    )
    return (
        mentions.groupBy("aspect_id")
        .agg(F.max("label").alias("label"))
        .join(F.broadcast(known), "aspect_id", "left")
        .select(
            "aspect_id",
            F.coalesce(
                F.col("known_ko"), F.col("label"), F.regexp_replace(F.col("aspect_id"), "^topic:", "")
            ).alias("label_ko"),
            F.col("label_en"),
            F.when(F.col("aspect_id").startswith("topic:"), F.lit("topic"))
            .otherwise(F.lit("aspect"))
            .alias("kind"),
        )
    )
