"""The notification outbox (what is to be sent, written in the same transaction as the
escalation step, crisis or digest it tells of) and the log of every attempt."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.alerts.db import Base
from shared.db import UTCDateTime


class OutboxStatus(StrEnum):
    """An outbox row: pending (due now or after a backoff), delivered, or failed (gave up)."""

    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class OutboxNotification(Base):
    """One notification on one channel; `key` (notification, channel, target) is unique,
    so enqueueing the same notification again (a redelivered digest) adds nothing."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    notification_id: Mapped[str] = mapped_column(String(200), index=True)
    escalation_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    recipient_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The channel kind (telegram, slack, teams, email, hook), and where: chat id, URL or
    #: e-mail address.
    channel: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(2000))
    #: The `Notification` as JSON: what every attempt sends.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: pending → delivered | failed (gave up, or refused)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Due time; while claimed, the end of the lease (a dead sender gives it back).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The token of the dispatcher pass that holds it, so two passes never send it at once.
    claim: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NotificationLog(Base):
    """Every attempt to reach a person: what a failing channel looks like, visibly."""

    __tablename__ = "notification_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[str] = mapped_column(String(200), index=True)
    escalation_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    recipient_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    channel: Mapped[str] = mapped_column(String(32))
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    latency_s: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
