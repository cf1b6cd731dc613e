"""watchlist: products whose reviews are re-crawled and re-analysed on a schedule (Airflow).

Revision ID: 0003
Revises: 0002
Create Date: 2026-01-03 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the application's column types (see 0001).
_TS = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # One row per tracked product URL (url_key: sha256 of the normalised URL, so a long URL can be unique
    # on every database); the last refresh's figures are kept on the row, as the next refresh compares
    # against them.
    op.create_table(
        "watchlist",
        sa.Column("watch_id", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_job_id", sa.String(64), nullable=True),
        sa.Column("last_refreshed_at", _TS, nullable=True),
        sa.Column("last_negative_share", sa.Float(), nullable=True),
        sa.Column("last_reviews", sa.Integer(), nullable=True),
        sa.Column("last_alert", _JSON, nullable=True),
        sa.PrimaryKeyConstraint("watch_id", name="pk_watchlist"),
        sa.UniqueConstraint("url_key", name="uq_watchlist_url_key"),
    )
    op.create_index("ix_watchlist_created_at", "watchlist", ["created_at"])


def downgrade() -> None:
    op.drop_table("watchlist")  # its index and constraints go with it
