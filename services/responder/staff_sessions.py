"""Server-side staff sessions: the cookie names one, and signing out ends it for good.

The signed cookie alone could not be taken back: a copy kept working after logout until
it expired (audit L4). Each sign-in now stores a session row whose random id the cookie
carries; a request is signed in only while that row is open, so logout (which closes
it) disables every copy of the cookie, on every replica.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import String, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.responder.db import Base
from shared.db import UTCDateTime


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    #: Random, unguessable; also signed into the cookie.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


async def open_session(
    session: AsyncSession, *, user: str, now: datetime, expires_at: datetime
) -> str:
    """A new session; expired ones are forgotten on the way (no sweeper needed)."""
    await session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    session_id = new_session_id()
    session.add(StaffSession(id=session_id, user=user, created_at=now, expires_at=expires_at))
    return session_id


async def is_open(session: AsyncSession, *, session_id: str, user: str, now: datetime) -> bool:
    """The session exists for this user, has not ended and has not expired."""
    found = await session.scalar(
        select(StaffSession.id)
        .where(StaffSession.id == session_id)
        .where(StaffSession.user == user)
        .where(StaffSession.ended_at.is_(None))
        .where(StaffSession.expires_at > now)
    )
    return found is not None


async def end_session(session: AsyncSession, *, session_id: str, now: datetime) -> None:
    await session.execute(
        update(StaffSession)
        .where(StaffSession.id == session_id)
        .where(StaffSession.ended_at.is_(None))
        .values(ended_at=now)
    )
