"""The notification outbox over a session (no commit inside: the caller's boundary commits).

A notification is enqueued in the transaction that decides it (an escalation step is
recorded as done in the same commit), claimed by the dispatcher for one attempt under a
lease, and moved on by the attempt's result: delivered, retried later (backoff), or
failed. Every attempt is also written to the notification log, where a failing channel
is visible.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.channel.contract import DeliveryResult, Notification
from services.alerts.notification.compose import Destination
from services.alerts.notification.models import (
    NotificationLog,
    OutboxNotification,
    OutboxStatus,
)
from services.alerts.notification.retry import RetryPolicy
from shared.db import insert_ignore

#: Core table: the per-row UPDATE of many attempts is one executemany.
_TABLE: Table = OutboxNotification.__table__  # type: ignore[assignment]
_LOG: Table = NotificationLog.__table__  # type: ignore[assignment]


def outbox_key(notification_id: str, destination: Destination) -> str:
    """Stable per (notification, channel, target): enqueueing twice adds one row."""
    raw = f"{notification_id}\x00{destination.channel}\x00{destination.target}"
    return hashlib.sha256(raw.encode()).hexdigest()


def outbox_rows(
    notification: Notification,
    destinations: Sequence[Destination],
    *,
    escalation_id: str | None,
    recipient_id: str | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """One pending row per destination (a destination listed twice is sent once)."""
    payload = notification.model_dump(mode="json")
    rows = {
        outbox_key(notification.id, d): {
            "key": outbox_key(notification.id, d),
            "notification_id": notification.id,
            "escalation_id": escalation_id,
            "recipient_id": recipient_id,
            "channel": d.channel,
            "target": d.target,
            "payload": payload,
            "status": OutboxStatus.pending,
            "attempts": 0,
            "next_attempt_at": now,
            "claim": None,
            "created_at": now,
            "updated_at": now,
        }
        for d in destinations
    }
    return list(rows.values())


async def enqueue(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the rows not enqueued before; returns how many are new."""
    return await insert_ignore(session, OutboxNotification, rows, conflict_on=["key"])


@dataclass(frozen=True)
class Claimed:
    """One outbox row taken for one attempt, as plain data (no session attached)."""

    id: int
    claim: str
    notification: Notification
    destination: Destination
    escalation_id: str | None
    recipient_id: str | None
    attempts: int
    created_at: datetime


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta
) -> list[Claimed]:
    """Take up to `limit` due rows for one attempt each, in one statement.

    The lease of `services.alerts.db.claim_leases`, as one `UPDATE … RETURNING`: the
    candidates (on PostgreSQL locked `FOR UPDATE SKIP LOCKED`, so another replica passes
    over them) get a fresh token and a `next_attempt_at` at the end of the lease, and the
    UPDATE re-checks that each is still due (SQLite: writers take turns, so that check
    is the atomic claim). Two dispatchers never both take a row; a row whose sender died
    before recording the result is given back when its lease ends. The rows come back as
    plain tuples: no ORM objects for what is read once.
    """
    table = _TABLE
    due = (table.c.status == OutboxStatus.pending) & (table.c.next_attempt_at <= now)
    candidates = (
        select(table.c.id)
        .where(due)
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    token = str(uuid.uuid4())
    connection = await session.connection()
    result = await connection.execute(
        update(table)
        .where(table.c.id.in_(candidates))
        .where(due)
        .values(claim=token, next_attempt_at=now + lease)
        .returning(
            table.c.id,
            table.c.payload,
            table.c.channel,
            table.c.target,
            table.c.escalation_id,
            table.c.recipient_id,
            table.c.attempts,
            table.c.created_at,
        )
    )
    claimed = [
        Claimed(
            id=row.id,
            claim=token,
            notification=Notification.model_validate(row.payload),
            destination=Destination(row.channel, row.target),
            escalation_id=row.escalation_id,
            recipient_id=row.recipient_id,
            attempts=row.attempts,
            created_at=row.created_at,
        )
        for row in result
    ]
    claimed.sort(key=lambda c: c.id)
    return claimed


@dataclass(frozen=True)
class Recorded:
    """What one attempt changed: the row's new status and, for a retry, when."""

    claimed: Claimed
    result: DeliveryResult
    status: OutboxStatus
    next_attempt_at: datetime | None


def outcome(
    claimed: Claimed, result: DeliveryResult, *, policy: RetryPolicy, now: datetime
) -> Recorded:
    """Delivered; or retried after the backoff (Retry-After honoured); or given up."""
    attempt = claimed.attempts + 1
    if result.ok:
        return Recorded(claimed, result, OutboxStatus.delivered, None)
    if result.retryable and attempt < policy.max_attempts:
        pause = policy.pause(attempt, result.retry_after_s)
        return Recorded(claimed, result, OutboxStatus.pending, now + timedelta(seconds=pause))
    return Recorded(claimed, result, OutboxStatus.failed, None)


async def record(
    session: AsyncSession,
    attempts: Sequence[tuple[Claimed, DeliveryResult]],
    *,
    policy: RetryPolicy,
    now: datetime,
) -> list[Recorded]:
    """Move every attempted row on and log each attempt: two statements for the lot.

    A row whose lease ran out and was claimed again meanwhile is left to its new holder
    (the claim token no longer matches); the attempt is still logged.
    """
    recorded = [outcome(c, r, policy=policy, now=now) for c, r in attempts]
    if not recorded:
        return []
    table = _TABLE
    # Core statements on the session's connection: executemany, no ORM bulk machinery.
    connection = await session.connection()
    await connection.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .where(table.c.claim == bindparam("b_claim"))
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempts"),
            next_attempt_at=bindparam("b_next"),
            claim=None,
            last_error=bindparam("b_error"),
            last_status_code=bindparam("b_code"),
            updated_at=now,
        ),
        [
            {
                "b_id": r.claimed.id,
                "b_claim": r.claimed.claim,
                "b_status": r.status,
                "b_attempts": r.claimed.attempts + 1,
                "b_next": r.next_attempt_at,
                "b_error": r.result.error,
                "b_code": r.result.status_code,
            }
            for r in recorded
        ],
    )
    await connection.execute(
        insert(_LOG),
        [
            {
                "notification_id": r.claimed.notification.id,
                "escalation_id": r.claimed.escalation_id,
                "recipient_id": r.claimed.recipient_id,
                "channel": r.claimed.destination.channel,
                "ok": r.result.ok,
                "status_code": r.result.status_code,
                "error": r.result.error,
                "latency_s": r.result.latency_s,
                "attempts": r.claimed.attempts + 1,
                "created_at": now,
            }
            for r in recorded
        ],
    )
    return recorded


async def count_pending(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count(OutboxNotification.id)).where(
                OutboxNotification.status == OutboxStatus.pending
            )
        )
        or 0
    )
