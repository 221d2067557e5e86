"""What ingest has already published: the de-duplication record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from services.ingest.db import Base
from shared.db import UTCDateTime


class SeenMention(Base):
    """One row per mention id; `revision` changes when the customer edits the review."""

    __tablename__ = "seen_mentions"

    mention_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    platform: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(128), index=True)
    external_id: Mapped[str] = mapped_column(String(256))
    revision: Mapped[str] = mapped_column(String(32))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: For the deleted-review check (migration 9a4e2c6b1d30): what to ask the platform,
    #: whether the seller had answered already, when it was last looked at, and when the
    #: platform stopped knowing it.
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    answered: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
