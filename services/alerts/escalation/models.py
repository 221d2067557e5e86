"""Escalations: one per negative mention (or SLA risk), with the ladder's state as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.alerts.db import Base
from shared.db import UTCDateTime


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mention_id: Mapped[str] = mapped_column(String(36), unique=True)
    #: An `EscalationStatus`: open → acknowledged | closed (SLA met)
    status: Mapped[str] = mapped_column(String(16), index=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    #: What the notification shows: text, platform, author, rating, url, sku, brand, aspects.
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When the ticker looks again; while a replica holds the escalation, its lease's end.
    next_wakeup_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True, index=True
    )
    #: The token of the ticker pass that holds it (`claim_leases`); None when free.
    claim: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
