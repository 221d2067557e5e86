"""Our own record of answers posted, checked before posting so nothing goes out twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.ingest.db import Base
from shared.db import UTCDateTime


class PostedReply(Base):
    __tablename__ = "posted_replies"

    reply_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mention_id: Mapped[str] = mapped_column(String(36), index=True)
    source_id: Mapped[str] = mapped_column(String(128))
    platform: Mapped[str] = mapped_column(String(64))
    #: posting → published | failed | unconfirmed
    status: Mapped[str] = mapped_column(String(16))
    external_reply_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_sha: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
