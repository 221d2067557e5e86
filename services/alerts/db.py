"""The alerts database's declarative base, and the batch INSERT the handlers share."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
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
