"""Insight tables: one contribution row per mention, and additive daily aggregates.

Every aggregate row is a sum of per-mention contributions. A mention's row records what
it last added (`contribution`), so an edited review, a late assignment or an answer moves
its counts (subtract the old contribution, add the new) instead of counting twice; a
replayed event produces the same state and therefore a zero delta.

Empty dimensions are stored as "" (not NULL) so they take part in the primary keys.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.responder.db import Base
from shared.db import UTCDateTime


class InsightMention(Base):
    """What the insights know of one mention, and what it last added to the aggregates."""

    __tablename__ = "insight_mentions"

    mention_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: False until the classified mention arrives (an answer or assignment may come first).
    classified: Mapped[bool] = mapped_column(Boolean, default=False)
    platform: Mapped[str] = mapped_column(String(64), default="")
    brand: Mapped[str] = mapped_column(String(200), default="")
    sku: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16), default="review")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revision: Mapped[str] = mapped_column(String(32), default="")
    #: `occurred_at` of the classification applied: an older replay never wins over it.
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sentiment: Mapped[str] = mapped_column(String(16), default="")
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: [[aspect, polarity, quote], ...], one entry per (aspect, polarity).
    aspects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    owner_id: Mapped[str] = mapped_column(String(100), default="")
    #: `occurred_at` of the assignment applied: a replayed older one does not undo a newer.
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sla_met: Mapped[bool] = mapped_column(Boolean, default=False)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    #: {table: [[key values...], {column: delta}]...} exactly as last applied.
    contribution: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class _MentionCounts:
    mentions: Mapped[int] = mapped_column(Integer, default=0)
    positive: Mapped[int] = mapped_column(Integer, default=0)
    neutral: Mapped[int] = mapped_column(Integer, default=0)
    negative: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)


class MentionDaily(_MentionCounts, Base):
    """Mentions per day, platform and brand: the overview reads this small rollup."""

    __tablename__ = "insight_mentions_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)


class ProductDaily(_MentionCounts, Base):
    """Mentions per day, platform, brand and product (product filter, rating trend)."""

    __tablename__ = "insight_product_daily"
    __table_args__ = (Index("ix_insight_product_daily_sku_day", "sku", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    sku: Mapped[str] = mapped_column(String(200), primary_key=True)


class AspectDaily(Base):
    """Aspect mentions by polarity per day, platform, brand and product."""

    __tablename__ = "insight_aspect_daily"
    __table_args__ = (Index("ix_insight_aspect_daily_sku_day", "sku", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    sku: Mapped[str] = mapped_column(String(200), primary_key=True)
    aspect: Mapped[str] = mapped_column(String(100), primary_key=True)
    positive: Mapped[int] = mapped_column(Integer, default=0)
    neutral: Mapped[int] = mapped_column(Integer, default=0)
    negative: Mapped[int] = mapped_column(Integer, default=0)


class _AnswerCounts:
    #: Mentions that wait for an answer (reviews and questions, not media mentions).
    answerable: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    answer_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    answered_1h: Mapped[int] = mapped_column(Integer, default=0)
    answered_4h: Mapped[int] = mapped_column(Integer, default=0)
    answered_24h: Mapped[int] = mapped_column(Integer, default=0)
    sla_met: Mapped[int] = mapped_column(Integer, default=0)
    sla_breached: Mapped[int] = mapped_column(Integer, default=0)


class SlaDaily(_AnswerCounts, Base):
    """Answers and SLA outcomes per day (of the mention), platform and brand."""

    __tablename__ = "insight_sla_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)


class OwnerDaily(_AnswerCounts, Base):
    """Answers and SLA outcomes per owner ("" = unassigned)."""

    __tablename__ = "insight_owner_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(100), primary_key=True)


class OwnerProductDaily(_AnswerCounts, Base):
    """Answers per owner and product: read only when a product filter is given."""

    __tablename__ = "insight_owner_product_daily"
    __table_args__ = (Index("ix_insight_owner_product_daily_sku_day", "sku", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    sku: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(100), primary_key=True)


class AspectQuote(Base):
    """A few example quotes per product, aspect and polarity (the newest are kept)."""

    __tablename__ = "insight_aspect_quotes"
    __table_args__ = (Index("ix_insight_aspect_quotes_bucket", "sku", "aspect", "polarity"),)

    mention_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    aspect: Mapped[str] = mapped_column(String(100), primary_key=True)
    polarity: Mapped[str] = mapped_column(String(16), primary_key=True)
    sku: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(64))
    brand: Mapped[str] = mapped_column(String(200))
    quote: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InsightOwner(Base):
    """Display names of owners (the aggregates key by id)."""

    __tablename__ = "insight_owners"

    owner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner_name: Mapped[str] = mapped_column(String(200))


class InsightProduct(Base):
    """Display name and brand of a product (the aggregates key by SKU)."""

    __tablename__ = "insight_products"

    sku: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    brand: Mapped[str] = mapped_column(String(200), default="")


class InsightCrisis(Base):
    """A crisis alert seen on the alerts topic (few: kept one row per alert)."""

    __tablename__ = "insight_crises"

    alert_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    dimension: Mapped[str] = mapped_column(String(32), default="")
    key: Mapped[str] = mapped_column(String(300), default="")
    brand: Mapped[str] = mapped_column(String(200), default="")
    sku: Mapped[str] = mapped_column(String(200), default="")


class DigestMark(Base):
    """A weekly digest already published for a brand: each goes out once per week."""

    __tablename__ = "insight_digest_marks"

    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO week "2026-W14"
    alert_id: Mapped[str] = mapped_column(String(36))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
