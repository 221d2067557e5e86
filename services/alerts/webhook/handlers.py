"""Fan-out: every event the alerts service consumes becomes a delivery per subscription."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.webhook import service
from shared.bus import Handler
from shared.db import session_scope
from shared.events import Envelope, Payload, utcnow


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
        added = await service.fan_out(session, envelopes=envelopes, now=utcnow())
    if added:
        webhook_wakeup.set()


def with_webhooks(
    registration: tuple[str, Handler],
    *,
    sessions: async_sessionmaker[AsyncSession],
    webhook_wakeup: asyncio.Event,
) -> tuple[str, Handler]:
    """The domain handler (an `on(...)` registration) first, then the fan-out; a topic has
    one handler per type.

    If the fan-out fails the runner retries both: the domain handlers are idempotent.
    """
    event_type, handler = registration

    async def both(envelope: Envelope[Any]) -> None:
        await handler(envelope)
        await handle_event_for_webhooks(envelope, sessions=sessions, webhook_wakeup=webhook_wakeup)

    return event_type, both


def webhooks_only(
    event: type[Payload],
    *,
    sessions: async_sessionmaker[AsyncSession],
    webhook_wakeup: asyncio.Event,
) -> tuple[str, Handler]:
    """An event consumed for the fan-out alone (the alerts service does nothing else with it)."""

    async def fan_out(envelope: Envelope[Any]) -> None:
        await handle_event_for_webhooks(envelope, sessions=sessions, webhook_wakeup=webhook_wakeup)

    return event.event_type, fan_out
