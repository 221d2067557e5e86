"""Seller facts in the responder's database (editable in the UI) and their audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.responder.db import Base
from shared.db import UTCDateTime


class FactRecord(Base):
    """One seller fact. Deleted facts stay as tombstones so the file cannot bring them back."""

    __tablename__ = "seller_facts"
    __table_args__ = (Index("ix_seller_facts_scope", "deleted", "topic", "brand", "sku"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32))
    text: Mapped[dict[str, str]] = mapped_column(JSON)
    keywords: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    platforms: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    sku: Mapped[str | None] = mapped_column(String(200), nullable=True)
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: file = as imported from the facts file; ui = created or edited through the API/UI
    #: (the file no longer overwrites it).
    origin: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(200))


class FactAudit(Base):
    """Who changed which fact, when, and the fact before and after."""

    __tablename__ = "seller_fact_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fact_id: Mapped[str] = mapped_column(String(100), index=True)
    #: create | update | delete | import (from the file)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
