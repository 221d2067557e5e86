"""queue item: the earlier review a customer's addition supplements

Revision ID: a4c2e9d17b35
Revises: 5e8a1f3c2b90
Create Date: 2026-12-01 00:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4c2e9d17b35"
down_revision: str | None = "5e8a1f3c2b90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supplements", sa.String(length=256), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_column("supplements")
