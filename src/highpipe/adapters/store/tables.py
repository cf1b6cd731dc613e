"""The SQL schema of the store, as SQLAlchemy Core tables (one MetaData, shared with Alembic).

The schema is written once for SQLite and PostgreSQL: JSON columns become JSONB on PostgreSQL, and
timestamps are stored in UTC (``timestamptz`` on PostgreSQL, naive UTC text on SQLite) and always come
back timezone-aware. Migrations in ``highpipe/migrations`` must produce exactly these tables; a contract
test compares them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.expression import false

# Deterministic constraint names so that later migrations (and SQLite batch mode) can address them.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

JsonType = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive input is taken to be UTC already."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        # SQLite drops the offset silently; strip it ourselves so that every stored value is UTC
        # and text ordering equals time ordering.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


jobs = Table(
    "jobs",
    metadata,
    Column("job_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("product_id", String, nullable=True),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("pages", Integer, nullable=False, default=0, server_default="0"),
    Column("collected", Integer, nullable=False, default=0, server_default="0"),
    Column("analyzed", Integer, nullable=False, default=0, server_default="0"),
    Column("total_estimate", Integer, nullable=True),
    Column("failure_reason", Text, nullable=True),
    Column("failure_code", String(64), nullable=True),
    Column("client", String, nullable=True),
    Column("options", JsonType, nullable=False),
    # The last event seq handed out; incremented under the row lock by append_event.
    Column("last_seq", Integer, nullable=False, default=0, server_default="0"),
    Index(None, "created_at"),
    Index(None, "product_id"),
)

products = Table(
    "products",
    metadata,
    Column("product_id", String, primary_key=True),
    Column("site", String(64), nullable=False),
    Column("url", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("price", Float, nullable=True),
    Column("currency", String(8), nullable=True),
    Column("average_rating", Float, nullable=True),
    Column("review_count", Integer, nullable=True),
    Column("category", Text, nullable=True),
    Column("image", Text, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

reviews = Table(
    "reviews",
    metadata,
    Column("review_uid", String, primary_key=True),
    Column("product_id", String, nullable=False),
    Column("site", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("rating", Float, nullable=True),
    Column("title", Text, nullable=True),
    Column("date", UtcDateTime, nullable=True),
    Column("author_hash", String(128), nullable=True),
    Column("author_display", String, nullable=True),
    Column("option", Text, nullable=True),
    Column("helpful", Integer, nullable=True),
    Column("source_line", Integer, nullable=True),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Index(None, "product_id"),
)

job_reviews = Table(
    "job_reviews",
    metadata,
    Column("job_id", String(64), ForeignKey("jobs.job_id", ondelete="CASCADE"), nullable=False),
    Column("review_uid", String, ForeignKey("reviews.review_uid", ondelete="CASCADE"), nullable=False),
    # Set once the job's analysis of this review is stored: counts `jobs.analyzed` exactly once per
    # review, however often the bus redelivers its batch.
    Column("analyzed", Boolean, nullable=False, default=False, server_default=false()),
    PrimaryKeyConstraint("job_id", "review_uid"),
    # "is this review linked to another job?" (delete_job) looks links up by review.
    Index(None, "review_uid"),
)

# No foreign key to reviews: analyses travel on their own topic and may be stored before the
# reviews they describe (at-least-once, no ordering between topics).
analyses = Table(
    "analyses",
    metadata,
    Column("review_uid", String, primary_key=True),
    Column("sentiment", String(16), nullable=False),
    Column("sentiment_score", Float, nullable=False),
    Column("model_version", String, nullable=False),
    Column("payload", JsonType, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

review_aspects = Table(
    "review_aspects",
    metadata,
    Column("review_uid", String, ForeignKey("analyses.review_uid", ondelete="CASCADE"), nullable=False),
    Column("aspect_id", String, nullable=False),
    Column("polarity", String(16), nullable=False),
    PrimaryKeyConstraint("review_uid", "aspect_id", "polarity"),
    Index(None, "aspect_id", "polarity"),
)

# One row per emotion a review's analysis lists (the `emotion` review filter); replaced with the analysis.
review_emotions = Table(
    "review_emotions",
    metadata,
    Column("review_uid", String, ForeignKey("analyses.review_uid", ondelete="CASCADE"), nullable=False),
    Column("emotion", String(64), nullable=False),
    PrimaryKeyConstraint("review_uid", "emotion"),
    Index(None, "emotion"),
)

events = Table(
    "events",
    metadata,
    Column("job_id", String(64), ForeignKey("jobs.job_id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("ts", UtcDateTime, nullable=False),
    Column("data", JsonType, nullable=False),
    Column("dedupe_key", String(64), nullable=False),
    PrimaryKeyConstraint("job_id", "seq"),
    UniqueConstraint("job_id", "dedupe_key"),
)

reports = Table(
    "reports",
    metadata,
    Column("job_id", String(64), ForeignKey("jobs.job_id", ondelete="CASCADE"), primary_key=True),
    Column("payload", JsonType, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Tracked products (POST/GET/DELETE /api/watchlist), re-analysed on a schedule by the Airflow DAG;
# the last refresh's negative share is kept for the sharp-rise alert (services/watchlist.py).
watchlist = Table(
    "watchlist",
    metadata,
    Column("watch_id", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("url_key", String(64), nullable=False, unique=True),
    Column("label", String(200), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_job_id", String(64), nullable=True),
    Column("last_refreshed_at", UtcDateTime, nullable=True),
    Column("last_negative_share", Float, nullable=True),
    Column("last_reviews", Integer, nullable=True),
    Column("last_alert", JsonType, nullable=True),
    Index(None, "created_at"),
)
