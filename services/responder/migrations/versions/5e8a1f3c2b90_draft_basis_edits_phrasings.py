"""draft basis, draft edits and phrasing suggestions

What a draft was based on is kept with the item (the full classification with its
signals, the family, the moves and their text, the question answers, the seller facts, and
the engine's text before any edit), so "another draft" keeps the family and approval can
check the answers. Approvals record how far the reply is from the draft (`draft_edits`,
`draft_move_edits`); agents' rewritten sentences wait for an owner in
`phrasing_suggestions`. A partial index on (platform, updated_at) over rows that carry a
reply serves the shop-wide anti-template query. Rows written before keep NULLs: the
classification is then rebuilt from the old columns.

Revision ID: 5e8a1f3c2b90
Revises: 5e2a8c4d1f07
Create Date: 2026-11-30 21:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e8a1f3c2b90"
down_revision: str | None = "5e2a8c4d1f07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("classification", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_family", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("draft_parts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_answers", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_facts_used", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_fact_topics", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_generated", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_generated", sa.Text(), nullable=True))
    op.create_index(
        "ix_queue_items_replied",
        "queue_items",
        ["platform", "updated_at"],
        unique=False,
        postgresql_where=sa.text("reply_text IS NOT NULL"),
        sqlite_where=sa.text("reply_text IS NOT NULL"),
    )
    op.create_table(
        "draft_edits",
        sa.Column("reply_id", sa.String(length=36), nullable=False),
        sa.Column("mention_id", sa.String(length=36), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("script_id", sa.String(length=100), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("moves", sa.JSON(), nullable=False),
        sa.Column("distance", sa.Float(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reply_id"),
    )
    op.create_index("ix_draft_edits_created", "draft_edits", ["created_at"], unique=False)
    op.create_index("ix_draft_edits_mention_id", "draft_edits", ["mention_id"], unique=False)
    op.create_table(
        "draft_move_edits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reply_id", sa.String(length=36), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("script_id", sa.String(length=100), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("move", sa.String(length=32), nullable=False),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("published", sa.Text(), nullable=False),
        sa.Column("distance", sa.Float(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_draft_move_edits_created", "draft_move_edits", ["created_at"], unique=False
    )
    op.create_index(
        "ix_draft_move_edits_reply_id", "draft_move_edits", ["reply_id"], unique=False
    )
    op.create_table(
        "phrasing_suggestions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mention_id", sa.String(length=36), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("move", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("replaces", sa.Text(), nullable=True),
        sa.Column("script_id", sa.String(length=100), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("suggested_by", sa.String(length=200), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_phrasing_suggestions_state",
        "phrasing_suggestions",
        ["state", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_phrasing_suggestions_mention_id",
        "phrasing_suggestions",
        ["mention_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("phrasing_suggestions")
    op.drop_table("draft_move_edits")
    op.drop_table("draft_edits")
    op.drop_index("ix_queue_items_replied", table_name="queue_items")
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_column("follow_up_generated")
        batch_op.drop_column("draft_generated")
        batch_op.drop_column("draft_fact_topics")
        batch_op.drop_column("draft_facts_used")
        batch_op.drop_column("draft_answers")
        batch_op.drop_column("draft_parts")
        batch_op.drop_column("draft_family")
        batch_op.drop_column("classification")

