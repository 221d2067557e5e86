"""The alerts database's declarative base, the batch INSERT the handlers share, and the
row lease every replica claims work through (outbox rows, due escalations)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Column, ColumnElement, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


async def insert_rows(session: AsyncSession, model: type[Base], rows: Sequence[Base]) -> None:
    """INSERT new ORM objects in one statement (no unit-of-work bookkeeping per object)."""
    if not rows:
        return
    columns = [c.key for c in model.__table__.columns]
    await session.execute(
        insert(model), [{key: getattr(row, key) for key in columns} for row in rows]
    )


async def claim_leases(
    session: AsyncSession,
    table: Table,
    *,
    due: ColumnElement[bool],
    until: Column[datetime | None],
    claim: Column[str | None],
    now: datetime,
    limit: int,
    lease: timedelta,
) -> str | None:
    """Lease up to `limit` due rows to this caller; returns the lease's token (None: none).

    A row is due while `due` holds and its `until` time has passed. The claim moves
    `until` to the end of the lease and writes the token in `claim`: a holder that dies
    gives the row back by itself when the lease ends, and a holder whose lease ran out
    sees another token and leaves the row alone. Replicas never take the same row: on
    PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED` (others pass over
    them), and the UPDATE re-checks that each row is still due, which on SQLite (no row
    locks; writers take turns) is the atomic conditional claim.
    """
    candidates = (
        await session.execute(
            select(table.c.id)
            .where(due)
            .where(until <= now)
            .order_by(until, table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).scalars()
    ids = list(candidates)
    if not ids:
        return None
    token = str(uuid.uuid4())
    await session.execute(
        update(table)
        .where(table.c.id.in_(ids))
        .where(due)
        .where(until <= now)
        .values({claim.key: token, until.key: now + lease})
    )
    return token
