"""Initial schema.

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# jobs, products, reviews (stored once) and their job links, analyses with their aspect index,
# events (gapless seq per job) and reports.

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the application's column types: a migration must not change when tables.py does.
_TS = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("collected", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("analyzed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("total_estimate", sa.Integer(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("failure_code", sa.String(64), nullable=True),
        sa.Column("client", sa.String(), nullable=True),
        sa.Column("options", _JSON, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("job_id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_created_at", "jobs", ["created_at"])
    op.create_index("ix_jobs_product_id", "jobs", ["product_id"])

    op.create_table(
        "products",
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("average_rating", sa.Float(), nullable=True),
        sa.Column("review_count", sa.Integer(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("image", sa.Text(), nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("product_id", name="pk_products"),
    )

    op.create_table(
        "reviews",
        sa.Column("review_uid", sa.String(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("date", _TS, nullable=True),
        sa.Column("author_hash", sa.String(128), nullable=True),
        sa.Column("author_display", sa.String(), nullable=True),
        sa.Column("option", sa.Text(), nullable=True),
        sa.Column("helpful", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("review_uid", name="pk_reviews"),
    )
    op.create_index("ix_reviews_product_id", "reviews", ["product_id"])

    op.create_table(
        "job_reviews",
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("review_uid", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.job_id"], name="fk_job_reviews_job_id_jobs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["review_uid"],
            ["reviews.review_uid"],
            name="fk_job_reviews_review_uid_reviews",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "review_uid", name="pk_job_reviews"),
    )
    op.create_index("ix_job_reviews_review_uid", "job_reviews", ["review_uid"])

    op.create_table(
        "analyses",
        sa.Column("review_uid", sa.String(), nullable=False),
        sa.Column("sentiment", sa.String(16), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("review_uid", name="pk_analyses"),
    )

    op.create_table(
        "review_aspects",
        sa.Column("review_uid", sa.String(), nullable=False),
        sa.Column("aspect_id", sa.String(), nullable=False),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_uid"],
            ["analyses.review_uid"],
            name="fk_review_aspects_review_uid_analyses",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_uid", "aspect_id", "polarity", name="pk_review_aspects"),
    )
    op.create_index("ix_review_aspects_aspect_id_polarity", "review_aspects", ["aspect_id", "polarity"])

    op.create_table(
        "events",
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("ts", _TS, nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("dedupe_key", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.job_id"], name="fk_events_job_id_jobs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "seq", name="pk_events"),
        sa.UniqueConstraint("job_id", "dedupe_key", name="uq_events_job_id_dedupe_key"),
    )

    op.create_table(
        "reports",
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.job_id"], name="fk_reports_job_id_jobs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", name="pk_reports"),
    )


def downgrade() -> None:
    # Children first; dropping a table drops its indexes.
    for table in (
        "reports",
        "events",
        "review_aspects",
        "analyses",
        "job_reviews",
        "reviews",
        "products",
        "jobs",
    ):
        op.drop_table(table)
