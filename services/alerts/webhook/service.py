"""Webhook subscriptions and deliveries over a session (no commit inside: the caller's
boundary commits)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.webhook.delivery import DeliveryAttempt, WebhookEndpoint, WebhookEvent
from services.alerts.webhook.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from services.alerts.webhook.retry import retry_delay
from services.alerts.webhook.schemas import WebhookSubscriptionCreate
from services.alerts.webhook.signing import generate_secret
from shared.events import Envelope
from shared.http import NotFound


def to_domain(row: WebhookSubscription) -> WebhookEndpoint:
    """The pure model `deliver()` signs and sends for."""
    return WebhookEndpoint(
        id=row.id, url=row.url, secret=row.secret, event_types=row.event_types, enabled=row.active
    )


def webhook_event(envelope: Envelope[Any]) -> WebhookEvent:
    """The event id becomes `webhook-id`, so every copy of one event is recognisable."""
    return WebhookEvent(
        id=str(envelope.event_id),
        type=envelope.type,
        occurred_at=envelope.occurred_at,
        data=envelope.payload.model_dump(mode="json"),
    )


async def create_subscription(
    session: AsyncSession, *, subscription_in: WebhookSubscriptionCreate, now: datetime
) -> WebhookSubscription:
    row = WebhookSubscription(
        id=str(uuid.uuid4()),
        url=subscription_in.url,
        secret=subscription_in.secret or generate_secret(),
        event_types=list(dict.fromkeys(subscription_in.event_types)),
        description=subscription_in.description,
        active=True,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def list_subscriptions(session: AsyncSession) -> list[WebhookSubscription]:
    rows = await session.execute(
        select(WebhookSubscription)
        .where(WebhookSubscription.active.is_(True))
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    )
    return list(rows.scalars())


async def get_subscription(session: AsyncSession, *, subscription_id: str) -> WebhookSubscription:
    row = await session.get(WebhookSubscription, subscription_id)
    if row is None or not row.active:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return row


async def delete_subscription(
    session: AsyncSession, *, subscription_id: str, now: datetime
) -> None:
    """Deactivate (the delivery log stays readable) and cancel what was still pending."""
    row = await get_subscription(session, subscription_id=subscription_id)
    row.active = False
    row.deleted_at = now
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .where(WebhookDelivery.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.cancelled, next_attempt_at=None, updated_at=now)
    )


def _delivery_row(subscription_id: str, event: WebhookEvent, now: datetime) -> dict[str, Any]:
    return {
        "subscription_id": subscription_id,
        "event_id": event.id,
        "event_type": event.type,
        "occurred_at": event.occurred_at,
        "data": event.data,
        "status": DeliveryStatus.pending,
        "attempts": 0,
        "schedule_failures": 0,
        "next_attempt_at": now,
        "version": 0,
        "created_at": now,
        "updated_at": now,
    }


async def enqueue(
    session: AsyncSession,
    *,
    events: Sequence[WebhookEvent],
    now: datetime,
    subscriptions: Sequence[WebhookSubscription] | None = None,
) -> int:
    """A pending delivery per (matching active subscription, event); repeats are ignored.

    Returns how many deliveries are new: a redelivered Kafka message or a replay over
    events already fanned out adds nothing.
    """
    if subscriptions is None:
        subscriptions = await list_subscriptions(session)
    endpoints = [to_domain(sub) for sub in subscriptions]
    rows = [
        _delivery_row(endpoint.id, event, now)
        for endpoint in endpoints
        for event in events
        if endpoint.wants(event.type)
    ]
    return await _insert_new(session, rows)


async def fan_out(
    session: AsyncSession, *, envelopes: Sequence[Envelope[Any]], now: datetime
) -> int:
    """`enqueue` for consumed envelopes: each is rendered as a webhook event only when an
    active subscription wants its type. Rendering costs a full dump and validation of the
    payload, more CPU than routing the mention, so with no subscriber (the common case)
    a batch costs one SELECT and nothing per event.
    """
    endpoints = [to_domain(sub) for sub in await list_subscriptions(session)]
    if not endpoints:
        return 0
    rows: list[dict[str, Any]] = []
    for envelope in envelopes:
        wanting = [endpoint for endpoint in endpoints if endpoint.wants(envelope.type)]
        if wanting:
            event = webhook_event(envelope)
            rows += [_delivery_row(endpoint.id, event, now) for endpoint in wanting]
    return await _insert_new(session, rows)


async def _insert_new(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the returned rows are the new ones.

    Counted from RETURNING because the driver's rowcount for this statement is 0 on
    both SQLite and PostgreSQL (so `shared.db.insert_ignore` cannot say what was new).
    """
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(WebhookDelivery)
        .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
        .returning(WebhookDelivery.__table__.c.id)
    )
    result = await session.execute(stmt, list(rows))
    return len(result.all())


async def due_deliveries(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[WebhookDelivery]:
    rows = await session.execute(
        select(WebhookDelivery)
        .where(WebhookDelivery.status == DeliveryStatus.pending)
        .where(WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    return list(rows.scalars())


async def claim(session: AsyncSession, *, delivery: WebhookDelivery, lease_until: datetime) -> bool:
    """Take a due delivery for one attempt; False when another worker took it first.

    The lease (a later `next_attempt_at`) makes a worker that died mid-send give the
    delivery back by itself once the lease runs out.
    """
    result = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id)
        .where(WebhookDelivery.version == delivery.version)
        .where(WebhookDelivery.status == DeliveryStatus.pending)
        .values(version=delivery.version + 1, next_attempt_at=lease_until)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def outcome(
    attempt: DeliveryAttempt, *, schedule_failures: int, schedule: Sequence[timedelta]
) -> tuple[DeliveryStatus, datetime | None]:
    """(status, next attempt) after one attempt: retry by the schedule, else give up."""
    if attempt.ok:
        return DeliveryStatus.delivered, None
    if not attempt.retryable:
        return DeliveryStatus.failed, None
    delay = retry_delay(schedule_failures + 1, schedule)
    if delay is None:
        return DeliveryStatus.failed, None
    return DeliveryStatus.pending, attempt.attempted_at + delay


async def record_attempt(
    session: AsyncSession,
    *,
    delivery_id: int,
    attempt: DeliveryAttempt,
    schedule: Sequence[timedelta],
    manual: bool = False,
) -> DeliveryStatus:
    """Log the attempt and move the delivery on; returns its new status."""
    row = await session.get(WebhookDelivery, delivery_id)
    if row is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    status, next_at = outcome(attempt, schedule_failures=row.schedule_failures, schedule=schedule)
    session.add(
        WebhookAttempt(
            delivery_id=delivery_id,
            attempted_at=attempt.attempted_at,
            ok=attempt.ok,
            status_code=attempt.status_code,
            latency_s=attempt.latency_s,
            error=attempt.error,
            response_excerpt=attempt.response_excerpt,
            manual=manual,
        )
    )
    row.attempts += 1
    if not attempt.ok:
        row.schedule_failures += 1
    row.status = status
    row.next_attempt_at = next_at
    row.last_status_code = attempt.status_code
    row.last_latency_s = attempt.latency_s
    row.last_error = attempt.error
    row.updated_at = attempt.attempted_at
    if attempt.ok:
        row.delivered_at = attempt.attempted_at
    return status


async def cancel(session: AsyncSession, *, delivery_id: int, now: datetime) -> None:
    row = await session.get(WebhookDelivery, delivery_id)
    if row is not None and row.status == DeliveryStatus.pending:
        row.status = DeliveryStatus.cancelled
        row.next_attempt_at = None
        row.updated_at = now


async def redeliver(
    session: AsyncSession, *, delivery_id: int, now: datetime, schedule: Sequence[timedelta]
) -> WebhookDelivery:
    """Send again now, whatever the state (the consumer de-duplicates by webhook-id).

    A pending delivery just moves up; a finished one gets one more attempt and does not
    restart the hours-long retry schedule (its failures stay counted).
    """
    row = await get_delivery(session, delivery_id=delivery_id)
    subscription = await session.get(WebhookSubscription, row.subscription_id)
    if subscription is None or not subscription.active:
        raise NotFound(f"the subscription of delivery {delivery_id} was deleted")
    if row.status != DeliveryStatus.pending:
        row.schedule_failures = max(row.schedule_failures, len(schedule))
    row.status = DeliveryStatus.pending
    row.next_attempt_at = now
    row.updated_at = now
    return row


async def get_delivery(session: AsyncSession, *, delivery_id: int) -> WebhookDelivery:
    row = await session.get(WebhookDelivery, delivery_id)
    if row is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    return row


async def list_deliveries(
    session: AsyncSession,
    *,
    subscription_id: str,
    status: str | None,
    limit: int,
    offset: int,
) -> list[WebhookDelivery]:
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    return list((await session.execute(stmt)).scalars())


async def list_attempts(session: AsyncSession, *, delivery_id: int) -> list[WebhookAttempt]:
    rows = await session.execute(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.id)
    )
    return list(rows.scalars())


async def count_retries_pending(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count(WebhookDelivery.id))
            .where(WebhookDelivery.status == DeliveryStatus.pending)
            .where(WebhookDelivery.schedule_failures > 0)
        )
        or 0
    )
