"""The webhook API: subscriptions, their delivery log, manual redelivery, replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel

from services.alerts.deps import Context, Sessions, Settings, WebhookWakeup, require_admin
from services.alerts.ssrf import check_destination
from services.alerts.webhook import flows, service
from services.alerts.webhook.schemas import (
    ReplayIn,
    ReplayResult,
    WebhookAttemptRead,
    WebhookDeliveryDetail,
    WebhookDeliveryRead,
    WebhookSubscriptionCreate,
    WebhookSubscriptionCreated,
    WebhookSubscriptionRead,
)
from shared.db import session_scope
from shared.events import utcnow
from shared.http import MAX_DB_INT, MAX_OFFSET, DomainError

#: A delivery's row id; beyond a signed 64-bit integer the database cannot even look.
DeliveryId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


def _detail(row: BaseModel | object, attempts: list[WebhookAttemptRead]) -> WebhookDeliveryDetail:
    read = WebhookDeliveryRead.model_validate(row)
    return WebhookDeliveryDetail(**read.model_dump(), attempt_log=attempts)


router = APIRouter(prefix="/api/webhooks", tags=["webhooks"], dependencies=[Depends(require_admin)])


@router.post("", response_model=WebhookSubscriptionCreated, status_code=201)
async def create_webhook(
    sessions: Sessions, settings: Settings, subscription_in: WebhookSubscriptionCreate
) -> WebhookSubscriptionCreated:
    """Subscribe a URL to event types; the signing secret is shown only in this answer."""
    check = await check_destination(
        subscription_in.url,
        allow_private=settings.alerts_allow_private_destinations,
        allowlist=settings.alerts_destination_allowlist,
    )
    if not check.allowed:
        raise DomainError(f"url: {check.reason}", code="destination_refused", status_code=422)
    async with session_scope(sessions) as session:
        row = await service.create_subscription(
            session, subscription_in=subscription_in, now=utcnow()
        )
        read = WebhookSubscriptionRead.model_validate(row)
        return WebhookSubscriptionCreated(**read.model_dump(), secret=row.secret)


@router.get("", response_model=list[WebhookSubscriptionRead])
async def get_webhooks(sessions: Sessions) -> list[WebhookSubscriptionRead]:
    """Active subscriptions (secrets are never shown again)."""
    async with session_scope(sessions) as session:
        rows = await service.list_subscriptions(session)
        return [WebhookSubscriptionRead.model_validate(r) for r in rows]


@router.get("/{subscription_id}", response_model=WebhookSubscriptionRead)
async def get_webhook(subscription_id: str, sessions: Sessions) -> WebhookSubscriptionRead:
    """One active subscription."""
    async with session_scope(sessions) as session:
        row = await service.get_subscription(session, subscription_id=subscription_id)
        return WebhookSubscriptionRead.model_validate(row)


@router.delete("/{subscription_id}", status_code=204)
async def delete_webhook(subscription_id: str, sessions: Sessions) -> Response:
    """Stop delivering: pending deliveries are cancelled, the log stays readable."""
    async with session_scope(sessions) as session:
        await service.delete_subscription(session, subscription_id=subscription_id, now=utcnow())
    return Response(status_code=204)


@router.get("/{subscription_id}/deliveries", response_model=list[WebhookDeliveryRead])
async def get_webhook_deliveries(
    subscription_id: str,
    sessions: Sessions,
    status: Annotated[str | None, Query(pattern=r"^(pending|delivered|failed|cancelled)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[WebhookDeliveryRead]:
    """The delivery log: status, attempts, last response code and latency, next attempt."""
    async with session_scope(sessions) as session:
        rows = await service.list_deliveries(
            session, subscription_id=subscription_id, status=status, limit=limit, offset=offset
        )
        return [WebhookDeliveryRead.model_validate(r) for r in rows]


@router.get("/deliveries/{delivery_id}", response_model=WebhookDeliveryDetail)
async def get_webhook_delivery(
    delivery_id: DeliveryId, sessions: Sessions
) -> WebhookDeliveryDetail:
    """One delivery with every attempt made."""
    async with session_scope(sessions) as session:
        row = await service.get_delivery(session, delivery_id=delivery_id)
        attempts = await service.list_attempts(session, delivery_id=delivery_id)
        return _detail(row, [WebhookAttemptRead.model_validate(a) for a in attempts])


@router.post(
    "/deliveries/{delivery_id}/redeliver", response_model=WebhookDeliveryRead, status_code=202
)
async def redeliver_webhook(
    delivery_id: DeliveryId, sessions: Sessions, settings: Settings, wakeup: WebhookWakeup
) -> WebhookDeliveryRead:
    """Send this delivery again now (same webhook-id: consumers de-duplicate)."""
    async with session_scope(sessions) as session:
        row = await service.redeliver(
            session,
            delivery_id=delivery_id,
            now=utcnow(),
            schedule=settings.webhook_retry_schedule(),
        )
        read = WebhookDeliveryRead.model_validate(row)
    wakeup.set()
    return read


@router.post("/{subscription_id}/replay", response_model=ReplayResult, status_code=202)
async def replay_webhook(subscription_id: str, ctx: Context, replay_in: ReplayIn) -> ReplayResult:
    """Re-read a time range from Kafka and enqueue the deliveries this subscription lacks."""
    return await flows.replay(
        sessions=ctx.runtime.sessions,
        settings=ctx.settings,
        topics=ctx.runtime.topics,
        webhook_wakeup=ctx.webhook_wakeup,
        subscription_id=subscription_id,
        start=replay_in.from_,
        end=replay_in.to or utcnow(),
    )
