"""escalation leases: the ticker of one replica holds a due escalation under a claim

Revision ID: 3b8f0c6d2e51
Revises: 7d3e2a91c4b8
Create Date: 2026-12-01 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '3b8f0c6d2e51'
down_revision: str | None = '7d3e2a91c4b8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('claim')
