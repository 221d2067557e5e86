"""seller facts

The seller facts knowledge base (editable in the UI, seeded from the facts file), its
audit trail, and on each queue item the facts its draft proposes as answers.

Revision ID: 5e2a8c4d1f07
Revises: 3c1f0d7a9e42
Create Date: 2026-11-30 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2a8c4d1f07"
down_revision: str | None = "3c1f0d7a9e42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seller_facts",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("platforms", sa.JSON(), nullable=True),
        sa.Column("sku", sa.String(length=200), nullable=True),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_seller_facts_scope", "seller_facts", ["deleted", "topic", "brand", "sku"]
    )
    op.create_table(
        "seller_fact_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fact_id", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_seller_fact_audit_fact_id", "seller_fact_audit", ["fact_id"])
    op.create_index("ix_seller_fact_audit_created_at", "seller_fact_audit", ["created_at"])
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_facts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_column("draft_facts")
    op.drop_index("ix_seller_fact_audit_created_at", table_name="seller_fact_audit")
    op.drop_index("ix_seller_fact_audit_fact_id", table_name="seller_fact_audit")
    op.drop_table("seller_fact_audit")
    op.drop_index("ix_seller_facts_scope", table_name="seller_facts")
    op.drop_table("seller_facts")
