"""Kafka handlers of notifications: digests from the responder go out through the channels."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.channel.contract import Notification
from services.alerts.notification.notifier import Notifier
from services.alerts.notification.service import enqueue
from services.alerts.owner.current import CurrentDirectory
from shared.db import session_scope
from shared.events import AlertRaised, Envelope, utcnow


async def handle_alert_raised(
    envelope: Envelope[AlertRaised],
    *,
    sessions: async_sessionmaker[AsyncSession],
    directory: CurrentDirectory,
    notifier: Notifier,
) -> None:
    """Digests go to the default owner; our own alerts (crises) are ignored.

    The outbox key (notification id, channel, target) makes a redelivered digest event
    enqueue nothing new.
    """
    event = envelope.payload
    if event.kind != "digest":
        return
    doc = directory.document
    text = str(event.details.get("text") or "")
    notification = Notification(
        id=f"digest:{event.alert_id}",
        title=event.title[:500],
        text=text[:4000],
        severity="info",
        fields={k: str(v) for k, v in (event.details.get("fields") or {}).items()},
    )
    rows = notifier.outbox_rows(
        notification,
        doc.index(),
        recipient_id=doc.default_owner,
        escalation_id=None,
        now=utcnow(),
    )
    async with session_scope(sessions) as session:
        added = await enqueue(session, rows)
    if added:
        notifier.wakeup.set()
