"""The warehouse's star schema as numbered migrations, recorded in `warehouse_schema_version`.

Star schema (grain in brackets; every timestamp is UTC, `date_key` is the review's calendar day as yyyymmdd):
- `dim_date` [day], `dim_product` [product_id], `dim_aspect` [aspect_id, `topic:<slug>` included];
- `fact_review` [one valid review, its latest version], `fact_review_aspect` [one aspect mention of a review];
- `agg_product_day_aspect` [product x day x aspect], `agg_category_day_aspect` [category x day x aspect];
- `review_quality_daily` [ingest day x source: what clean_reviews kept and rejected, and why];
- `batch_run` [job x partition date: the last successful run, for freshness checks].

Facts and aggregates are partitioned by `date_key` and replaced per partition in one transaction; dims are
upserted by key with DELETE + INSERT (portable to Redshift, which has no ON CONFLICT). Types are the common
subset of DuckDB, PostgreSQL and Redshift (VARCHAR(n), not TEXT: Redshift would make TEXT a VARCHAR(256)).
A migration's statements run in one transaction with its version row; `{s}` is the quoted schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from highpipe.domain.vocab import ASPECTS


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    # Statements that only make sense where indexes exist (Redshift has sort keys instead).
    index_statements: tuple[str, ...] = ()


VERSION_TABLE: Final = "warehouse_schema_version"

_STAR_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS {s}.dim_date (
        date_key INTEGER NOT NULL PRIMARY KEY,
        full_date DATE NOT NULL,
        year INTEGER NOT NULL,
        quarter INTEGER NOT NULL,
        month INTEGER NOT NULL,
        day INTEGER NOT NULL,
        iso_week INTEGER NOT NULL,
        weekday INTEGER NOT NULL,
        is_weekend BOOLEAN NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {s}.dim_product (
        product_id VARCHAR(512) NOT NULL PRIMARY KEY,
        site VARCHAR(64),
        title VARCHAR(1024),
        category VARCHAR(256) NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {s}.dim_aspect (
        aspect_id VARCHAR(256) NOT NULL PRIMARY KEY,
        label_ko VARCHAR(256) NOT NULL,
        label_en VARCHAR(256),
        kind VARCHAR(16) NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS {s}.fact_review (
        date_key INTEGER NOT NULL,
        review_uid VARCHAR(512) NOT NULL,
        product_id VARCHAR(512),
        site VARCHAR(64),
        rating DOUBLE PRECISION,
        sentiment_label VARCHAR(16),
        sentiment_score DOUBLE PRECISION,
        text_length INTEGER,
        aspect_mentions INTEGER NOT NULL,
        date_imputed BOOLEAN NOT NULL,
        job_id VARCHAR(64),
        model_version VARCHAR(64),
        ingest_date DATE NOT NULL,
        ingested_at TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS {s}.fact_review_aspect (
        date_key INTEGER NOT NULL,
        review_uid VARCHAR(512) NOT NULL,
        product_id VARCHAR(512),
        aspect_id VARCHAR(256) NOT NULL,
        polarity VARCHAR(16) NOT NULL,
        score DOUBLE PRECISION,
        rating DOUBLE PRECISION
    )""",
    """CREATE TABLE IF NOT EXISTS {s}.agg_product_day_aspect (
        date_key INTEGER NOT NULL,
        product_id VARCHAR(512) NOT NULL,
        aspect_id VARCHAR(256) NOT NULL,
        mentions INTEGER NOT NULL,
        reviews INTEGER NOT NULL,
        positive INTEGER NOT NULL,
        negative INTEGER NOT NULL,
        neutral INTEGER NOT NULL,
        avg_rating DOUBLE PRECISION,
        PRIMARY KEY (date_key, product_id, aspect_id)
    )""",
    """CREATE TABLE IF NOT EXISTS {s}.agg_category_day_aspect (
        date_key INTEGER NOT NULL,
        category VARCHAR(256) NOT NULL,
        aspect_id VARCHAR(256) NOT NULL,
        mentions INTEGER NOT NULL,
        reviews INTEGER NOT NULL,
        products INTEGER NOT NULL,
        positive INTEGER NOT NULL,
        negative INTEGER NOT NULL,
        neutral INTEGER NOT NULL,
        avg_rating DOUBLE PRECISION,
        PRIMARY KEY (date_key, category, aspect_id)
    )""",
    """CREATE TABLE IF NOT EXISTS {s}.review_quality_daily (
        ingest_date DATE NOT NULL,
        source VARCHAR(64) NOT NULL,
        rows_raw BIGINT NOT NULL,
        rows_unique BIGINT NOT NULL,
        duplicates BIGINT NOT NULL,
        missing_key BIGINT NOT NULL,
        empty BIGINT NOT NULL,
        too_short BIGINT NOT NULL,
        sponsored BIGINT NOT NULL,
        invalid_rating BIGINT NOT NULL,
        invalid_date BIGINT NOT NULL,
        missing_product BIGINT NOT NULL,
        valid BIGINT NOT NULL,
        null_rating BIGINT NOT NULL,
        null_date BIGINT NOT NULL,
        late BIGINT NOT NULL,
        PRIMARY KEY (ingest_date, source)
    )""",
    """CREATE TABLE IF NOT EXISTS {s}.batch_run (
        job VARCHAR(64) NOT NULL,
        partition_date DATE NOT NULL,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP NOT NULL,
        rows_in BIGINT NOT NULL,
        rows_out BIGINT NOT NULL,
        affected_dates INTEGER NOT NULL,
        PRIMARY KEY (job, partition_date)
    )""",
)

_STAR_INDEXES: Final = (
    "CREATE INDEX IF NOT EXISTS fact_review_date_idx ON {s}.fact_review (date_key)",
    "CREATE INDEX IF NOT EXISTS fact_review_product_idx ON {s}.fact_review (product_id)",
    "CREATE INDEX IF NOT EXISTS fact_review_aspect_date_idx ON {s}.fact_review_aspect (date_key)",
)

MIGRATIONS: Final[tuple[Migration, ...]] = (Migration(1, "star schema", _STAR_SCHEMA, _STAR_INDEXES),)


# Column order of every table, as the loads name them (a test checks them against the migrated tables).
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "dim_date": (
        "date_key",
        "full_date",
        "year",
        "quarter",
        "month",
        "day",
        "iso_week",
        "weekday",
        "is_weekend",
    ),
    "dim_product": ("product_id", "site", "title", "category"),
    "dim_aspect": ("aspect_id", "label_ko", "label_en", "kind"),
    "fact_review": (
        "date_key",
        "review_uid",
        "product_id",
        "site",
        "rating",
        "sentiment_label",
        "sentiment_score",
        "text_length",
        "aspect_mentions",
        "date_imputed",
        "job_id",
        "model_version",
        "ingest_date",
        "ingested_at",
    ),
    "fact_review_aspect": (
        "date_key",
        "review_uid",
        "product_id",
        "aspect_id",
        "polarity",
        "score",
        "rating",
    ),
    "agg_product_day_aspect": (
        "date_key",
        "product_id",
        "aspect_id",
        "mentions",
        "reviews",
        "positive",
        "negative",
        "neutral",
        "avg_rating",
    ),
    "agg_category_day_aspect": (
        "date_key",
        "category",
        "aspect_id",
        "mentions",
        "reviews",
        "products",
        "positive",
        "negative",
        "neutral",
        "avg_rating",
    ),
    "review_quality_daily": (
        "ingest_date",
        "source",
        "rows_raw",
        "rows_unique",
        "duplicates",
        "missing_key",
        "empty",
        "too_short",
        "sponsored",
        "invalid_rating",
        "invalid_date",
        "missing_product",
        "valid",
        "null_rating",
        "null_date",
        "late",
    ),
    "batch_run": (
        "job",
        "partition_date",
        "started_at",
        "finished_at",
        "rows_in",
        "rows_out",
        "affected_dates",
    ),
}


def seed_aspects() -> list[tuple[str, str, str, str]]:
    """The fixed aspects of the vocabulary, as dim_aspect rows (aspect_id, label_ko, label_en, kind)."""
    return [(a.id, a.ko, a.en, "aspect") for a in ASPECTS]


def version_table_ddl() -> str:
    return (
        "CREATE TABLE IF NOT EXISTS {s}."
        + VERSION_TABLE
        + " (version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
