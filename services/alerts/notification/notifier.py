"""The notifier: who is reached where, and one delivery attempt on one channel.

Owned by the notification domain: escalation, crisis and digest handlers ask it for the
outbox rows that tell a person; the dispatcher asks it to send one row.
"""

from __future__ import annotations

import asyncio
import dataclasses
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from services.alerts.config import AlertsSettings
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.channels import (
    Channel,
    DeliveryResult,
    Notification,
    SlackChannel,
    SmtpSettings,
    WebhookChannel,
)
from services.alerts.notification.compose import Destination, build_channel, destinations_for
from services.alerts.notification.service import outbox_rows
from services.alerts.owner.schemas import ChannelKind, Directory
from services.alerts.webhook.ssrf import check_destination


@dataclass
class Notifier:
    """Everything needed to reach people; made once in the lifespan."""

    settings: AlertsSettings
    client: httpx.AsyncClient
    metrics: AlertsMetrics
    #: The Kafka handler, the ticker and an acknowledgement may change one escalation at
    #: the same moment: a bounded pool of locks, keyed by escalation id, makes them take
    #: turns.
    locks: tuple[asyncio.Lock, ...] = field(
        default_factory=lambda: tuple(asyncio.Lock() for _ in range(64))
    )
    #: Set after notifications were enqueued (committed), so the dispatcher sends at once.
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def lock_for(self, escalation_id: str) -> asyncio.Lock:
        return self.locks[zlib.crc32(escalation_id.encode()) % len(self.locks)]

    def smtp(self) -> SmtpSettings | None:
        s = self.settings
        if not s.alerts_smtp_host:
            return None
        return SmtpSettings(
            host=s.alerts_smtp_host,
            port=s.alerts_smtp_port,
            tls=s.alerts_smtp_tls,
            username=s.alerts_smtp_username,
            password=s.alerts_smtp_password.get_secret_value() if s.alerts_smtp_password else None,
            sender=s.alerts_smtp_sender,
        )

    def destinations(self, directory: Directory, person_id: str | None) -> list[Destination]:
        """Where a notification to this person goes: their contacts, then the ops webhook."""
        person = directory.person(person_id) if person_id else None
        out: list[Destination] = []
        if person is not None:
            out += destinations_for(
                person.contacts,
                telegram=self.settings.alerts_telegram_token is not None,
                email=self.settings.alerts_smtp_host is not None,
            )
        if self.settings.alerts_webhook_url:
            out.append(Destination(ChannelKind.webhook, self.settings.alerts_webhook_url))
        return out

    def outbox_rows(
        self,
        notification: Notification,
        directory: Directory,
        *,
        recipient_id: str | None,
        escalation_id: str | None,
        now: datetime,
    ) -> list[dict[str, Any]]:
        """The outbox rows that will tell `recipient_id` (enqueue them in the caller's
        transaction)."""
        return outbox_rows(
            notification,
            self.destinations(directory, recipient_id),
            escalation_id=escalation_id,
            recipient_id=recipient_id,
            now=now,
        )

    def channel(self, destination: Destination) -> Channel | None:
        token = self.settings.alerts_telegram_token
        return build_channel(
            destination,
            client=self.client,
            telegram_token=token.get_secret_value() if token else None,
            telegram_base_url=self.settings.alerts_telegram_api,
            smtp=self.smtp(),
        )

    async def _pinned(self, channel: Channel) -> Channel | str:
        """The channel bound to the address its URL was checked at, or why it is refused.

        Sending by host name after the check would let DNS answer differently the second
        time (rebinding) and reach an address the check refused."""
        if not isinstance(channel, WebhookChannel | SlackChannel):
            return channel
        check = await check_destination(
            channel.destination_url,
            allow_private=self.settings.alerts_allow_private_destinations,
            allowlist=self.settings.alerts_destination_allowlist,
        )
        if not check.allowed:
            return check.reason
        return dataclasses.replace(channel, pin=check)

    async def deliver(self, notification: Notification, destination: Destination) -> DeliveryResult:
        """One attempt on one channel; failures are data (the dispatcher retries them)."""
        name = destination.channel.value
        channel = self.channel(destination)
        if channel is None:
            return DeliveryResult(ok=False, channel=name, error=f"{name} is not configured")
        pinned = await self._pinned(channel)
        if isinstance(pinned, str):
            return DeliveryResult(ok=False, channel=name, error=f"destination refused: {pinned}")
        return await pinned.send(notification)
