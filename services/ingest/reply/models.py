"""Our own record of answers posted, checked before posting so nothing goes out twice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.ingest.db import Base
from shared.db import UTCDateTime


class ReplyStatus(StrEnum):
    """posting → published | failed | unconfirmed (posted, not shown, no id) | pending (in
    the platform's moderation) | unknown (the post's answer was lost on a platform that
    hides unmoderated answers). The re-confirmer settles the last three."""

    posting = "posting"
    published = "published"
    failed = "failed"
    unconfirmed = "unconfirmed"
    pending = "pending"
    unknown = "unknown"


class PostedReply(Base):
    __tablename__ = "posted_replies"

    reply_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mention_id: Mapped[str] = mapped_column(String(36), index=True)
    source_id: Mapped[str] = mapped_column(String(128))
    platform: Mapped[str] = mapped_column(String(64))
    #: A `ReplyStatus` (stored as its text).
    status: Mapped[str] = mapped_column(String(16), index=True)
    external_reply_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_sha: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: What the re-confirmer needs to read the platform back (migration 3c1f0a7d9b25).
    external_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
