"""job_reviews.analyzed: a job's review counts once towards `jobs.analyzed`, even when its batch is redelivered.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing links start unmarked: jobs that finished before this revision keep their stored counter,
    # and a batch of theirs redelivered now would be counted once more, as before.
    with op.batch_alter_table("job_reviews") as batch:
        batch.add_column(sa.Column("analyzed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("job_reviews") as batch:
        batch.drop_column("analyzed")
