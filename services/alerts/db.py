"""The alerts database's declarative base, the batch INSERT the handlers share, and the
row lease every replica claims work through (outbox rows, due escalations)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


async def insert_new(
    session: AsyncSession, model: type[Base], rows: Sequence[Mapping[str, Any]], *, key: str
) -> set[Any]:
    """INSERT the rows whose `key` is not stored yet, in one statement; returns the keys
    really inserted (`ON CONFLICT DO NOTHING RETURNING`).

    This replaces "SELECT what exists, then INSERT the rest" (two round trips) and is also
    what concurrent replicas need: on PostgreSQL a row another transaction is inserting
    makes this one wait for it and then skip the row, instead of failing the batch.
    """
    if not rows:
        return set()
    table: Table = model.__table__  # type: ignore[assignment]
    column = table.c[key]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        stmt: Any = pg_insert(table)
    else:
        stmt = sqlite_insert(table)
    stmt = stmt.on_conflict_do_nothing(index_elements=[column]).returning(column)
    result = await session.execute(stmt, list(rows))
    return set(result.scalars())


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
