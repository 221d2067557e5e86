"""posted replies: what the re-confirmer reads back (external id, kind, text, checked_at)

Revision ID: 3c1f0a7d9b25
Revises: 87d18d07f118
Create Date: 2026-11-30 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1f0a7d9b25"
down_revision: str | None = "87d18d07f118"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posted_replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_posted_replies_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("posted_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posted_replies_status"))
        batch_op.drop_column("checked_at")
        batch_op.drop_column("text")
        batch_op.drop_column("kind")
        batch_op.drop_column("external_id")
