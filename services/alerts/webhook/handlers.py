"""Fan-out: every event the alerts service consumes becomes a delivery per subscription."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from services.alerts.deps import AlertsContext
from services.alerts.webhook import service
from shared.db import session_scope
from shared.events import Envelope, utcnow

Handler = Callable[[Envelope[Any]], Awaitable[None]]


async def handle_event_for_webhooks(envelope: Envelope[Any], *, ctx: AlertsContext) -> None:
    """Enqueue a delivery for every active subscription that wants this event type.

    Idempotent by (subscription, event id): a redelivered message enqueues nothing new.
    The worker is woken so a delivery does not wait for the next tick.
    """
    async with session_scope(ctx.runtime.sessions) as session:
        added = await service.enqueue(
            session, events=[service.webhook_event(envelope)], now=utcnow()
        )
    if added:
        ctx.webhook_wakeup.set()


async def handle_events_for_webhooks(
    envelopes: Sequence[Envelope[Any]], *, ctx: AlertsContext
) -> None:
    """The batch form of `handle_event_for_webhooks`: one transaction for the batch."""
    async with session_scope(ctx.runtime.sessions) as session:
        added = await service.enqueue(
            session, events=[service.webhook_event(e) for e in envelopes], now=utcnow()
        )
    if added:
        ctx.webhook_wakeup.set()


def with_webhooks(handler: Handler | None, ctx: AlertsContext) -> Handler:
    """The domain handler first, then the fan-out; a topic has one handler per type.

    If the fan-out fails the runner retries both: the domain handlers are idempotent.
    """

    async def both(envelope: Envelope[Any]) -> None:
        if handler is not None:
            await handler(envelope)
        await handle_event_for_webhooks(envelope, ctx=ctx)

    return both
