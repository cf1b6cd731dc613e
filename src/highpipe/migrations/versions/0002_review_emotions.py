"""review_emotions: one row per emotion of a review's analysis, for the `emotion` review filter.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-02 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The analyses stored before this revision get their rows from the `emotions` list of their JSON
# payload, in one statement per database (JSONB functions on PostgreSQL, JSON1 on SQLite); the store
# keeps the table in step from then on. Only strings are taken, as the model only holds strings.
_BACKFILL = {
    "postgresql": """
        INSERT INTO review_emotions (review_uid, emotion)
        SELECT DISTINCT a.review_uid, e.value
        FROM analyses AS a
        CROSS JOIN LATERAL jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(a.payload -> 'emotions') = 'array'
                 THEN a.payload -> 'emotions' ELSE '[]'::jsonb END
        ) AS e(value)
        ON CONFLICT DO NOTHING
    """,
    "sqlite": """
        INSERT OR IGNORE INTO review_emotions (review_uid, emotion)
        SELECT DISTINCT a.review_uid, e.value
        FROM analyses AS a, json_each(a.payload, '$.emotions') AS e
        WHERE json_type(a.payload, '$.emotions') = 'array' AND e.type = 'text'
    """,
}


def upgrade() -> None:
    op.create_table(
        "review_emotions",
        sa.Column("review_uid", sa.String(), nullable=False),
        sa.Column("emotion", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_uid"],
            ["analyses.review_uid"],
            name="fk_review_emotions_review_uid_analyses",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_uid", "emotion", name="pk_review_emotions"),
    )
    op.create_index("ix_review_emotions_emotion", "review_emotions", ["emotion"])
    backfill = _BACKFILL.get(op.get_context().dialect.name)
    if backfill is None:
        raise NotImplementedError(f"no emotion backfill for {op.get_context().dialect.name}")
    op.execute(backfill)


def downgrade() -> None:
    op.drop_table("review_emotions")  # its index goes with it
