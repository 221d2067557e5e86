"""seen mentions: kind, answered, checked_at, deleted_at (the deleted-review check)

Revision ID: 9a4e2c6b1d30
Revises: 3c1f0a7d9b25
Create Date: 2026-11-30 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a4e2c6b1d30"
down_revision: str | None = "3c1f0a7d9b25"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seen_mentions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("answered", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seen_mentions", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("answered")
        batch_op.drop_column("kind")
