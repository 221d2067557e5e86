"""Storage helpers on SQLite and PostgreSQL: idempotent inserts and aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import String, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, insert_ignore, make_engine, make_sessionmaker, session_scope


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"

    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


async def test_insert_ignore_counts_only_new_rows_and_times_stay_aware(database_url: str) -> None:
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = make_sessionmaker(engine)
    moment = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
    try:
        async with session_scope(sessions) as session:
            assert (
                await insert_ignore(session, Thing, {"key": "a", "at": moment}, conflict_on=["key"])
                == 1
            )
            assert (
                await insert_ignore(session, Thing, {"key": "a", "at": moment}, conflict_on=["key"])
                == 0
            )
            rows = [
                {"key": "a", "at": moment},
                {"key": "b", "at": moment},
                {"key": "c", "at": moment},
            ]
            assert await insert_ignore(session, Thing, rows, conflict_on=["key"]) == 2
            assert await insert_ignore(session, Thing, [], conflict_on=["key"]) == 0
        async with session_scope(sessions) as session:
            things = (await session.execute(select(Thing).order_by(Thing.key))).scalars().all()
            assert [t.key for t in things] == ["a", "b", "c"]
            assert all(t.at == moment and t.at.tzinfo is not None for t in things)
        with pytest.raises(StatementError, match="naive"):
            async with session_scope(sessions) as session:
                session.add(Thing(key="d", at=datetime(2026, 1, 1)))
    finally:
        await engine.dispose()
