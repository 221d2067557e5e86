"""Escalation flows: open, apply SLA news, acknowledge, and take the steps that are due.

A step is taken at least once: the notification id is the step key, so a receiver can
recognise a repeat after a crash between sending and recording. Each taken step is
recorded in the escalation's state (its `done_keys`) before the next one is considered,
so a restart never repeats steps already recorded.
"""

from __future__ import annotations

import asyncio
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.config import AlertsSettings
from services.alerts.escalation import ladder
from services.alerts.escalation.models import Escalation, NotificationLog
from services.alerts.escalation.tokens import ack_url, create_ack_token
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.channels import (
    Channel,
    Notification,
    RetryPolicy,
    SmtpSettings,
    WebhookChannel,
    send_with_retry,
)
from services.alerts.notification.compose import channels_for
from services.alerts.owner.schemas import Directory
from services.alerts.webhook.ssrf import check_destination
from shared.db import session_scope
from shared.events import SlaState, utcnow
from shared.logging import get_logger

log = get_logger(__name__)

ESCALATION_NAMESPACE = uuid.UUID("0b5e3c1e-4c55-5f0c-8a7e-3f5a1d2c9b01")


def escalation_id_for(mention_id: str) -> str:
    return str(uuid.uuid5(ESCALATION_NAMESPACE, mention_id))


@dataclass
class Notifier:
    """Everything needed to reach people; made once in the lifespan."""

    settings: AlertsSettings
    client: httpx.AsyncClient
    metrics: AlertsMetrics
    #: The Kafka handler and the ticker may advance one escalation at the same moment:
    #: a bounded pool of locks, keyed by escalation id, makes them take turns.
    locks: tuple[asyncio.Lock, ...] = field(
        default_factory=lambda: tuple(asyncio.Lock() for _ in range(64))
    )

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

    def channels(self, directory: Directory, person_id: str | None) -> list[Channel]:
        person = directory.person(person_id) if person_id else None
        out: list[Channel] = []
        if person is not None:
            token = self.settings.alerts_telegram_token
            out += channels_for(
                person.contacts,
                client=self.client,
                telegram_token=token.get_secret_value() if token else None,
                telegram_base_url=self.settings.alerts_telegram_api,
                smtp=self.smtp(),
            )
        if self.settings.alerts_webhook_url:
            out.append(WebhookChannel(self.client, self.settings.alerts_webhook_url))
        return out

    async def _allowed(self, channel: Channel) -> str | None:
        url = getattr(channel, "url", None) or getattr(channel, "webhook_url", None)
        if not isinstance(url, str):
            return None
        check = await check_destination(
            url,
            allow_private=self.settings.alerts_allow_private_destinations,
            allowlist=self.settings.alerts_destination_allowlist,
        )
        return None if check.allowed else check.reason

    async def send(
        self,
        session: AsyncSession,
        notification: Notification,
        channels: Sequence[Channel],
        *,
        escalation_id: str | None,
        recipient_id: str | None,
    ) -> bool:
        """Deliver on every channel (with retries); log each; True when one succeeded."""
        policy = RetryPolicy(
            max_attempts=self.settings.alerts_notify_max_attempts,
            base_delay=self.settings.alerts_notify_base_delay_s,
        )
        delivered = False
        for channel in channels:
            refused = await self._allowed(channel)
            error: str | None
            if refused:
                attempts_made = 0
                ok, status, error, latency = False, None, f"destination refused: {refused}", 0.0
            else:
                attempts = await send_with_retry(channel, notification, policy)
                last = attempts[-1]
                attempts_made = len(attempts)
                ok, status, error = last.ok, last.status_code, last.error
                latency = sum(a.latency_s for a in attempts)
            delivered = delivered or ok
            self.metrics.notifications.labels(
                channel=channel.name, result="ok" if ok else "failed"
            ).inc()
            self.metrics.notification_seconds.labels(channel=channel.name).observe(latency)
            session.add(
                NotificationLog(
                    notification_id=notification.id,
                    escalation_id=escalation_id,
                    recipient_id=recipient_id,
                    channel=channel.name,
                    ok=ok,
                    status_code=status,
                    error=error,
                    latency_s=latency,
                    attempts=attempts_made,
                    created_at=utcnow(),
                )
            )
            if not ok:
                log.warning("notification failed", channel=channel.name, error=error)
        return delivered


def _state(row: Escalation) -> ladder.EscalationState:
    return ladder.EscalationState.model_validate(row.state)


def _store(row: Escalation, state: ladder.EscalationState, now: datetime) -> None:
    row.state = state.model_dump(mode="json")
    row.updated_at = now
    if state.acknowledged_at is not None:
        row.status = "acknowledged"
        row.acknowledged_at = state.acknowledged_at
        row.acknowledged_by = state.acknowledged_by
    elif state.closed:
        row.status = "closed"


async def open_escalation(
    session: AsyncSession,
    *,
    mention_id: str,
    owner_id: str,
    team_id: str | None,
    reason: str,
    title: str,
    context: dict[str, Any],
    sentiment: Any,
    now: datetime,
    sla_due_at: datetime | None = None,
) -> tuple[Escalation, bool]:
    """One escalation per mention; the second call returns the first (replays change nothing)."""
    escalation_id = escalation_id_for(mention_id)
    existing = await session.get(Escalation, escalation_id)
    if existing is not None:
        return existing, False
    state = ladder.open_escalation(
        escalation_id,
        owner_id=owner_id,
        started_at=now,
        team_id=team_id,
        mention_id=mention_id,
        sentiment=sentiment,
        sla_due_at=sla_due_at,
    )
    row = Escalation(
        id=escalation_id,
        mention_id=mention_id,
        status="open",
        owner_id=owner_id,
        reason=reason,
        title=title,
        context=context,
        state=state.model_dump(mode="json"),
        next_wakeup_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    return row, True


def apply_sla(row: Escalation, sla: SlaState, at: datetime, due_at: datetime | None) -> None:
    state = ladder.apply_sla(_state(row), sla, at, due_at)
    _store(row, state, at)
    if not state.closed:
        row.next_wakeup_at = at


def acknowledge(row: Escalation, by: str, at: datetime, metrics: AlertsMetrics) -> bool:
    """Stop the climb; True the first time."""
    before = _state(row)
    if before.acknowledged_at is not None:
        return False
    state = ladder.acknowledge(before, by, at)
    _store(row, state, at)
    row.next_wakeup_at = None
    metrics.ack_seconds.observe(max(0.0, (at - row.created_at).total_seconds()))
    return True


def _notification(
    row: Escalation, step: ladder.Step, directory: Directory, settings: AlertsSettings
) -> Notification:
    ctx = row.context
    expires = utcnow() + timedelta(hours=settings.alerts_ack_link_hours)
    token = create_ack_token(
        settings.alerts_ack_secret.get_secret_value().encode(), row.id, expires
    )
    person = directory.person(step.recipient_id)
    level = {"owner": "", "deputy": " (escalated: deputy)", "team_head": " (escalated: team head)"}
    fields = {k: str(v) for k, v in (ctx.get("fields") or {}).items()}
    fields["Escalation"] = row.id
    fields["To"] = person.name if person else step.recipient_id
    if step.trigger != "ladder":
        fields["Why"] = step.trigger
    return Notification(
        id=step.key,
        title=(row.title + level.get(step.level.value, ""))[:500],
        text=str(ctx.get("text", ""))[:4000],
        severity="critical" if step.level != ladder.Level.owner else "warning",
        platform=ctx.get("platform"),
        author=ctx.get("author"),
        rating=ctx.get("rating"),
        url=ctx.get("url"),
        ack_url=ack_url(settings.alerts_public_url.rstrip("/") + "/api/ack", token),
        fields=fields,
    )


async def advance(
    *,
    sessions: async_sessionmaker[AsyncSession],
    escalation_id: str,
    directory: Directory,
    notifier: Notifier,
    now: datetime,
) -> int:
    """Take every step due now; returns how many were sent."""
    async with notifier.lock_for(escalation_id):
        return await _advance(
            sessions=sessions,
            escalation_id=escalation_id,
            directory=directory,
            notifier=notifier,
            now=now,
        )


async def _advance(
    *,
    sessions: async_sessionmaker[AsyncSession],
    escalation_id: str,
    directory: Directory,
    notifier: Notifier,
    now: datetime,
) -> int:
    policies = notifier.settings.alerts_escalation_policies
    async with session_scope(sessions) as session:
        row = await session.get(Escalation, escalation_id)
        if row is None or row.status != "open":
            return 0
        steps = ladder.next_steps(_state(row), now, policies=policies, directory=directory)
    sent = 0
    for step in steps:
        if step.deferred:
            continue
        async with session_scope(sessions) as session:
            row = await session.get(Escalation, escalation_id)
            if row is None or row.status != "open" or step.key in _state(row).done_keys:
                continue
            notification = _notification(row, step, directory, notifier.settings)
            await notifier.send(
                session,
                notification,
                notifier.channels(directory, step.recipient_id),
                escalation_id=row.id,
                recipient_id=step.recipient_id,
            )
            _store(row, ladder.mark_done(_state(row), step.key), now)
            notifier.metrics.escalation_steps.labels(
                level=step.level.value, trigger=step.trigger
            ).inc()
            sent += 1
    async with session_scope(sessions) as session:
        row = await session.get(Escalation, escalation_id)
        if row is not None:
            state = _state(row)
            row.next_wakeup_at = (
                None
                if row.status != "open"
                else ladder.next_wakeup(state, now, policies=policies, directory=directory)
            )
    return sent


async def due_escalations(session: AsyncSession, now: datetime, limit: int = 200) -> list[str]:
    rows = await session.execute(
        select(Escalation.id)
        .where(Escalation.status == "open")
        .where(Escalation.next_wakeup_at.is_not(None))
        .where(Escalation.next_wakeup_at <= now)
        .order_by(Escalation.next_wakeup_at)
        .limit(limit)
    )
    return [r for (r,) in rows.all()]


async def count_open(session: AsyncSession) -> int:
    return int(
        await session.scalar(select(func.count(Escalation.id)).where(Escalation.status == "open"))
        or 0
    )
