"""Crises (a spike of negatives for a brand/product/aspect) and the detector's windows.

The windows live in the database, not in a replica's memory: every replica adds the
mentions of its partitions to the same per-bucket counts in its batch transaction, and
the one replica holding the crisis lease reads them whole to decide (`crisis/store.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.alerts.db import Base
from shared.db import UTCDateTime


class CrisisRecord(Base):
    __tablename__ = "crises"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CrisisCount(Base):
    """Mentions per key and time bucket; `aspect` "" holds the key's negatives and total,
    an aspect's row the negatives naming it."""

    __tablename__ = "crisis_counts"
    __table_args__ = (Index("ix_crisis_counts_bucket", "bucket"),)

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    aspect: Mapped[str] = mapped_column(Text, primary_key=True)
    negatives: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)


class CrisisSample(Base):
    """Recent negative reviews per key: the evidence a signal quotes."""

    __tablename__ = "crisis_samples"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    mention_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    text: Mapped[str] = mapped_column(Text)


class CrisisCooldown(Base):
    """When a key last signalled (no second signal within the cool-down)."""

    __tablename__ = "crisis_cooldowns"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    last_signal_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class CrisisLease(Base):
    """The one row whose lease (`claim_leases`) lets one replica at a time evaluate the
    windows; it also keeps since when the counts have been watched (`min_history`)."""

    __tablename__ = "crisis_lease"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    watched_since: Mapped[datetime] = mapped_column(UTCDateTime())
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    claim: Mapped[str | None] = mapped_column(String(36), nullable=True)
