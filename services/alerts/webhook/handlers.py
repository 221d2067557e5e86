"""Fan-out: every event the alerts service consumes becomes a delivery per subscription."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.webhook import service
from shared.db import session_scope
from shared.events import Envelope, utcnow

Handler = Callable[[Envelope[Any]], Awaitable[None]]


async def handle_event_for_webhooks(
    envelope: Envelope[Any],
    *,
    sessions: async_sessionmaker[AsyncSession],
    webhook_wakeup: asyncio.Event,
) -> None:
    """Enqueue a delivery for every active subscription that wants this event type.

    Idempotent by (subscription, event id): a redelivered message enqueues nothing new.
    The worker is woken so a delivery does not wait for the next tick.
    """
    await handle_events_for_webhooks([envelope], sessions=sessions, webhook_wakeup=webhook_wakeup)


async def handle_events_for_webhooks(
    envelopes: Sequence[Envelope[Any]],
    *,
    sessions: async_sessionmaker[AsyncSession],
    webhook_wakeup: asyncio.Event,
) -> None:
    """The batch form of `handle_event_for_webhooks`: one transaction for the batch."""
    async with session_scope(sessions) as session:
        added = await service.enqueue(
            session, events=[service.webhook_event(e) for e in envelopes], now=utcnow()
        )
    if added:
        webhook_wakeup.set()


def with_webhooks(
    handler: Handler | None,
    *,
    sessions: async_sessionmaker[AsyncSession],
    webhook_wakeup: asyncio.Event,
) -> Handler:
    """The domain handler first, then the fan-out; a topic has one handler per type.

    If the fan-out fails the runner retries both: the domain handlers are idempotent.
    """

    async def both(envelope: Envelope[Any]) -> None:
        if handler is not None:
            await handler(envelope)
        await handle_event_for_webhooks(envelope, sessions=sessions, webhook_wakeup=webhook_wakeup)

    return both
