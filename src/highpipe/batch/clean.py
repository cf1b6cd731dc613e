"""clean_reviews: one ingest day of raw reviews -> normalised, flagged, de-duplicated rows (pure functions).

Rules (CleanRules; docs/data-platform.md explains the choices):
- Hard flags drop a review from the facts (`is_valid` false) but keep it in the clean layer for audit:
  `missing_key` (no review_uid), `missing_product`, `is_empty` (nothing left after normalisation),
  `is_too_short` (fewer than `min_chars` letters/digits), `is_sponsored` (trial / sponsored disclosures such
  as 체험단, 협찬, 원고료, "제품을 제공받아", #광고, "sponsored").
- Soft flags keep the review and drop the bad value: `invalid_rating` (outside 1-5 or NaN -> null),
  `invalid_date` (before `earliest_date` or after the ingest time + `future_tolerance_days` -> the ingest
  day stands in, `date_imputed`). A missing date is imputed the same way (not a flag: uploads often lack it).
- Normalisation: Unicode spaces collapse to one space, zero-width and control characters go, full-width
  ASCII becomes ASCII, runs of 4+ identical characters shrink to 3 (ㅋㅋㅋㅋㅋ -> ㅋㅋㅋ), trimmed.
- `review_date` is the review's calendar day in `day_timezone` (Asia/Seoul: the sites are Korean).
- De-duplication by review_uid within the day (several jobs may collect one review): the row with the latest
  `ingested_at` wins (ties: job_id, then text, so a re-run picks the same row); `copies` keeps the count.
- Late data: `is_late` marks reviews dated more than `late_after_days` before their ingest day;
  daily_aggregates recomputes the days they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

from pyspark.sql import Window
from pyspark.sql import functions as F

from highpipe.warehouse.migrations import COLUMNS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

SPONSORED_PATTERN: Final = (
    r"(?i)(체험단|협찬|원고료|서포터즈|소정의\s*(원고료|수수료|대가)"
    r"|(제품|상품|물품|샘플)(을|를)?\s*(무상|무료)?\s*(으로|로)?\s*(제공|지원)\s*받"
    r"|(업체|브랜드|광고주)(로부터|에서|에게서)\s*.{0,12}(제공|지원)\s*받"
    r"|#\s*광고|\[\s*광고\s*\]|\(\s*광고\s*\)|#\s*협찬|#\s*(ad|sponsored)(?![a-z])"
    r"|\bsponsored\b|received\s+(this|the)\s+(product|item)\s+(for\s+)?free"
    r"|in\s+exchange\s+for\s+(an?\s+)?(honest\s+|unbiased\s+)?review)"
)
_FULLWIDTH: Final = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_HALFWIDTH: Final = "".join(chr(c) for c in range(0x21, 0x7F))

HARD_REASONS: Final = ("missing_key", "missing_product", "is_empty", "is_too_short", "is_sponsored")

CLEAN_COLUMNS: Final = (
    "review_uid",
    "product_id",
    "site",
    "text",
    "title",
    "rating",
    "review_ts",
    "review_date",
    "date_imputed",
    "helpful",
    "job_id",
    "ingested_at",
    "ingest_date",
    "text_length",
    "copies",
    "missing_key",
    "missing_product",
    "is_empty",
    "is_too_short",
    "is_sponsored",
    "invalid_rating",
    "invalid_date",
    "null_rating",
    "null_date",
    "is_late",
    "is_valid",
    "invalid_reason",
    "source",
    "dt",
)


@dataclass(frozen=True, slots=True)
class CleanRules:
    min_chars: int = 3
    earliest_date: date = date(2000, 1, 1)
    future_tolerance_days: int = 1
    late_after_days: int = 1
    day_timezone: str = "Asia/Seoul"


def normalise_text(column: Column) -> Column:
    """The normalised form of a text column (null stays null)."""
    text = F.regexp_replace(column, r"[\u200B-\u200D\u2060\uFEFF\u00AD]", "")
    text = F.regexp_replace(text, r"(?U)\s+", " ")
    text = F.regexp_replace(text, r"[\p{Cc}\p{Co}]", "")
    text = F.translate(text, _FULLWIDTH, _HALFWIDTH)
    text = F.regexp_replace(text, r"(.)\1{3,}", "$1$1$1")
    return F.trim(text)


def _blank(column: Column) -> Column:
    return column.isNull() | (F.trim(column) == "")


def clean_reviews(raw: DataFrame, rules: CleanRules = CleanRules()) -> DataFrame:
    """Conformed raw reviews (lake.REVIEW_FIELDS) -> CLEAN_COLUMNS, one row per review_uid and ingest day."""
    ingest_date = F.to_date(F.col("dt"))
    ingested_at = F.coalesce(F.col("ingested_at"), F.to_timestamp(F.col("dt")))
    df = raw.withColumn("ingest_date", ingest_date).withColumn("ingested_at", ingested_at)

    order = [
        F.col("ingested_at").desc_nulls_last(),
        F.col("job_id").desc_nulls_last(),
        F.col("text").desc_nulls_last(),
    ]
    by_uid = Window.partitionBy("review_uid", "ingest_date")
    df = (
        df.withColumn(
            "copies", F.when(F.col("review_uid").isNull(), F.lit(1)).otherwise(F.count(F.lit(1)).over(by_uid))
        )
        .withColumn("_rank", F.row_number().over(by_uid.orderBy(*order)))
        # Rows without a key cannot be merged with anything: each stays (and is flagged below).
        .filter((F.col("_rank") == 1) | F.col("review_uid").isNull())
        .drop("_rank")
    )

    text = normalise_text(F.col("text"))
    title = normalise_text(F.col("title"))
    content_chars = F.length(F.regexp_replace(text, r"[^\p{L}\p{N}]", ""))
    rating = F.col("rating")
    bad_rating = rating.isNotNull() & (F.isnan(rating) | (rating < 1.0) | (rating > 5.0))
    latest_ok = F.col("ingested_at") + F.expr(f"INTERVAL {int(rules.future_tolerance_days)} DAYS")
    bad_date = F.col("date").isNotNull() & (
        (F.col("date") < F.lit(rules.earliest_date).cast("timestamp")) | (F.col("date") > latest_ok)
    )
    review_ts = F.when(bad_date, F.lit(None).cast("timestamp")).otherwise(F.col("date"))
    local_day = F.to_date(F.from_utc_timestamp(review_ts, rules.day_timezone))
    sponsored = F.coalesce(text.rlike(SPONSORED_PATTERN), F.lit(False)) | F.coalesce(
        title.rlike(SPONSORED_PATTERN), F.lit(False)
    )

    df = df.select(
        F.col("review_uid"),
        F.trim(F.col("product_id")).alias("product_id"),
        F.lower(F.trim(F.coalesce(F.col("site"), F.col("source")))).alias("site"),
        F.when(text == "", F.lit(None)).otherwise(text).alias("text"),
        F.when(title == "", F.lit(None)).otherwise(title).alias("title"),
        F.when(bad_rating, F.lit(None).cast("double")).otherwise(rating).alias("rating"),
        review_ts.alias("review_ts"),
        F.coalesce(local_day, F.col("ingest_date")).alias("review_date"),
        local_day.isNull().alias("date_imputed"),
        F.col("helpful"),
        F.col("job_id"),
        F.col("ingested_at"),
        F.col("ingest_date"),
        F.coalesce(content_chars, F.lit(0)).alias("text_length"),
        F.col("copies"),
        _blank(F.col("review_uid")).alias("missing_key"),
        _blank(F.col("product_id")).alias("missing_product"),
        F.coalesce(text == "", F.lit(True)).alias("is_empty"),
        (
            (F.coalesce(content_chars, F.lit(0)) < rules.min_chars) & F.coalesce(text != "", F.lit(False))
        ).alias("is_too_short"),
        sponsored.alias("is_sponsored"),
        bad_rating.alias("invalid_rating"),
        bad_date.alias("invalid_date"),
        rating.isNull().alias("null_rating"),
        F.col("date").isNull().alias("null_date"),
        F.col("source"),
        F.col("dt"),
    )
    late_cutoff = F.date_sub(F.col("ingest_date"), rules.late_after_days)
    reason = F.lit(None).cast("string")
    for flag in reversed(HARD_REASONS):  # the first hard flag in HARD_REASONS order names the reason
        reason = F.when(F.col(flag), F.lit(flag.removeprefix("is_"))).otherwise(reason)
    return (
        df.withColumn("is_late", ~F.col("date_imputed") & (F.col("review_date") < late_cutoff))
        .withColumn(
            "is_valid",
            ~(
                F.col("missing_key")
                | F.col("missing_product")
                | F.col("is_empty")
                | F.col("is_too_short")
                | F.col("is_sponsored")
            ),
        )
        .withColumn("invalid_reason", reason)
        .select(*CLEAN_COLUMNS)
    )


QUALITY_COLUMNS: Final = COLUMNS["review_quality_daily"]


def quality_metrics(clean: DataFrame) -> DataFrame:
    """Per ingest day and source: what came in, what was kept, and why the rest was not (QUALITY_COLUMNS)."""

    def count_if(name: str) -> Column:
        return F.sum(F.col(name).cast("long"))

    return (
        clean.groupBy("ingest_date", "source")
        .agg(
            F.sum("copies").alias("rows_raw"),
            F.count(F.lit(1)).alias("rows_unique"),
            count_if("missing_key").alias("missing_key"),
            count_if("is_empty").alias("empty"),
            count_if("is_too_short").alias("too_short"),
            count_if("is_sponsored").alias("sponsored"),
            count_if("invalid_rating").alias("invalid_rating"),
            count_if("invalid_date").alias("invalid_date"),
            count_if("missing_product").alias("missing_product"),
            count_if("is_valid").alias("valid"),
            count_if("null_rating").alias("null_rating"),
            count_if("null_date").alias("null_date"),
            count_if("is_late").alias("late"),
        )
        .withColumn("duplicates", F.col("rows_raw") - F.col("rows_unique"))
        .select(*QUALITY_COLUMNS)
    )
