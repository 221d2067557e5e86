"""case follow-up and text search

The public follow-up of a resolved case (resolution note, draft, its own reply id and
state), and, on PostgreSQL, a pg_trgm GIN index so that `ILIKE '%word%'` on the review
text is an index scan at 100k open items. SQLite keeps the plain LIKE scan (no index).

Revision ID: 3c1f0d7a9e42
Revises: b7e9e81e738a
Create Date: 2026-11-30 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1f0d7a9e42"
down_revision: str | None = "b7e9e81e738a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("follow_up_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_script", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("follow_up_similarity", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("follow_up_seed", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("follow_up_reply_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("follow_up_error", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # fastupdate off: new reviews go straight into the index instead of a pending list
        # that every search would scan (and the planner prices) until the next vacuum.
        op.execute(
            "CREATE INDEX ix_queue_items_text_trgm ON queue_items "
            "USING gin (text gin_trgm_ops) WITH (fastupdate = off)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_queue_items_text_trgm")
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_column("follow_up_error")
        batch_op.drop_column("follow_up_reply_id")
        batch_op.drop_column("follow_up_seed")
        batch_op.drop_column("follow_up_similarity")
        batch_op.drop_column("follow_up_script")
        batch_op.drop_column("follow_up_text")
        batch_op.drop_column("follow_up_state")
        batch_op.drop_column("resolution")
