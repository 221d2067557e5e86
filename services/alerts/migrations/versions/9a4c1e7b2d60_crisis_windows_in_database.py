"""crisis windows in the database: per-bucket counts, samples, cool-downs, the crisis lease

Every replica counts its partitions' mentions into the same rows; the replica holding the
crisis lease judges them. The single-process detector snapshot is converted into rows
(its buckets, samples, cool-downs and watch start), so an upgrade keeps its history.

Revision ID: 9a4c1e7b2d60
Revises: 3b8f0c6d2e51
Create Date: 2026-12-01 01:20:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision: str = '9a4c1e7b2d60'
down_revision: str | None = '3b8f0c6d2e51'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    counts = op.create_table('crisis_counts',
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('bucket', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('aspect', sa.Text(), nullable=False),
    sa.Column('negatives', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'bucket', 'aspect')
    )
    op.create_index('ix_crisis_counts_bucket', 'crisis_counts', ['bucket'], unique=False)
    samples = op.create_table('crisis_samples',
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('mention_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'mention_id')
    )
    op.create_index(op.f('ix_crisis_samples_at'), 'crisis_samples', ['at'], unique=False)
    cooldowns = op.create_table('crisis_cooldowns',
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('last_signal_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(
        op.f('ix_crisis_cooldowns_last_signal_at'), 'crisis_cooldowns', ['last_signal_at'],
        unique=False,
    )
    lease = op.create_table('crisis_lease',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('watched_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claim', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    _convert_snapshot(counts, samples, cooldowns, lease)
    op.drop_table('crisis_detector_snapshots')


def _convert_snapshot(
    counts: sa.Table, samples: sa.Table, cooldowns: sa.Table, lease: sa.Table
) -> None:
    """The old detector's saved state as rows of the new tables."""
    bind = op.get_bind()
    snapshot = sa.table('crisis_detector_snapshots', sa.column('snapshot', sa.JSON()))
    found = bind.execute(sa.select(snapshot.c.snapshot)).scalars().first()
    if not found:
        return
    def at(ts: float) -> datetime:
        return datetime.fromtimestamp(float(ts), UTC)
    count_rows, sample_rows, cooldown_rows = [], [], []
    for key, state in (found.get('keys') or {}).items():
        for index, bucket in (state.get('buckets') or {}).items():
            count_rows.append({
                'key': key, 'bucket': int(index), 'aspect': '',
                'negatives': int(bucket.get('negatives', 0)), 'total': int(bucket.get('total', 0)),
            })
            count_rows += [
                {'key': key, 'bucket': int(index), 'aspect': aspect, 'negatives': int(n), 'total': 0}
                for aspect, n in (bucket.get('aspects') or {}).items()
            ]
        sample_rows += [
            {'key': key, 'mention_id': s['mention_id'], 'at': at(s['at']), 'text': s['text']}
            for s in {s['mention_id']: s for s in state.get('samples') or []}.values()
        ]
        if state.get('last_signal_at') is not None:
            cooldown_rows.append({'key': key, 'last_signal_at': at(state['last_signal_at'])})
    for table, rows in ((counts, count_rows), (samples, sample_rows), (cooldowns, cooldown_rows)):
        if rows:
            op.bulk_insert(table, rows)
    started = at(found['started_at'])
    op.bulk_insert(lease, [{'id': 1, 'watched_since': started, 'until': started, 'claim': None}])


def downgrade() -> None:
    op.create_table('crisis_detector_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.drop_table('crisis_lease')
    op.drop_index(op.f('ix_crisis_cooldowns_last_signal_at'), table_name='crisis_cooldowns')
    op.drop_table('crisis_cooldowns')
    op.drop_index(op.f('ix_crisis_samples_at'), table_name='crisis_samples')
    op.drop_table('crisis_samples')
    op.drop_index('ix_crisis_counts_bucket', table_name='crisis_counts')
    op.drop_table('crisis_counts')
