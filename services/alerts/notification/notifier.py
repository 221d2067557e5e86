"""The notifier: who is reached where, and one delivery attempt on one channel.

Owned by the notification domain: escalation, crisis and digest handlers ask it for the
outbox rows that tell a person; the dispatcher asks it to send one row.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from services.alerts.channel.contract import (
    Channel,
    DeliveryResult,
    Notification,
    SmtpSettings,
    Transports,
)
from services.alerts.config import AlertsSettings
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.compose import Destination, destinations_for, open_channel
from services.alerts.notification.service import outbox_rows
from services.alerts.owner.schemas import DirectoryIndex


@dataclass
class Notifier:
    """Everything needed to reach people; made once in the lifespan."""

    settings: AlertsSettings
    client: httpx.AsyncClient
    metrics: AlertsMetrics
    transports: Transports = field(init=False)
    #: The Kafka handler, the ticker and an acknowledgement may change one escalation at
    #: the same moment: a bounded pool of locks, keyed by escalation id, makes them take
    #: turns within this process (across replicas, the row lock of `flows.locked` does).
    locks: tuple[asyncio.Lock, ...] = field(
        default_factory=lambda: tuple(asyncio.Lock() for _ in range(64))
    )
    #: Set after notifications were enqueued (committed), so the dispatcher sends at once.
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def lock_for(self, escalation_id: str) -> asyncio.Lock:
        return self.locks[zlib.crc32(escalation_id.encode()) % len(self.locks)]

    def __post_init__(self) -> None:
        s = self.settings
        token = s.alerts_telegram_token
        self.transports = Transports(
            client=self.client,
            timeout_s=s.alerts_http_timeout_s,
            telegram_token=token.get_secret_value() if token else None,
            telegram_base_url=s.alerts_telegram_api,
            smtp=self.smtp(),
            allow_private=s.alerts_allow_private_destinations,
            allowlist=tuple(s.alerts_destination_allowlist),
        )

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

    def destinations(self, directory: DirectoryIndex, person_id: str | None) -> list[Destination]:
        """Where a notification to this person goes: their contacts, then the ops hook URL."""
        person = directory.person(person_id) if person_id else None
        out: list[Destination] = []
        if person is not None:
            out += destinations_for(person.contacts, self.transports)
        if self.settings.alerts_hook_url:
            out.append(Destination("hook", self.settings.alerts_hook_url))
        return out

    def outbox_rows(
        self,
        notification: Notification,
        directory: DirectoryIndex,
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

    async def open(self, destination: Destination) -> Channel | str:
        """The channel to `destination`, SSRF-checked now and pinned to the checked
        address, or why it cannot be used. The dispatcher opens one per destination per
        wave and sends that wave's notifications to it through it."""
        return await open_channel(destination, self.transports)

    async def deliver(self, notification: Notification, destination: Destination) -> DeliveryResult:
        """One attempt on one channel; failures are data (the dispatcher retries them)."""
        channel = await self.open(destination)
        if isinstance(channel, str):
            return DeliveryResult(ok=False, channel=destination.channel, error=channel)
        return await channel.send(notification)
