"""Kafka handlers that keep the insight aggregates current (their own consumer group)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.responder.insight import service
from services.responder.metrics import InsightMetrics
from shared.db import session_scope
from shared.events import (
    AlertRaised,
    AssignmentMade,
    Envelope,
    Mention,
    MentionClassified,
    ReplyPublished,
    SlaChanged,
)

DeadlineFor = Callable[[Mention], datetime]


def _count(metrics: InsightMetrics | None, event_type: str, changed: bool) -> None:
    if metrics is not None:
        outcome = "changed" if changed else "unchanged"
        metrics.events.labels(event_type=event_type, outcome=outcome).inc()


async def handle_mention_classified(
    envelope: Envelope[MentionClassified],
    *,
    sessions: async_sessionmaker[AsyncSession],
    deadline_for: DeadlineFor,
    metrics: InsightMetrics | None = None,
) -> None:
    await handle_mentions_classified(
        [envelope], sessions=sessions, deadline_for=deadline_for, metrics=metrics
    )


async def handle_mentions_classified(
    envelopes: Sequence[Envelope[MentionClassified]],
    *,
    sessions: async_sessionmaker[AsyncSession],
    deadline_for: DeadlineFor,
    metrics: InsightMetrics | None = None,
) -> None:
    """A fetched batch in one transaction with a few bulk statements (per mention, the
    read-modify-write and its upserts cost more than drafting the reply)."""
    events: list[service.Classified] = []
    for envelope in envelopes:
        event = envelope.payload
        events.append(
            service.Classified(
                mention=event.mention,
                classification=event.classification,
                occurred_at=envelope.occurred_at,
                due_at=deadline_for(event.mention),
            )
        )
    async with session_scope(sessions) as session:
        changes = await service.record_classified_many(session, events)
    for envelope, change in zip(envelopes, changes, strict=True):
        _count(metrics, envelope.type, bool(change))


async def handle_assignment_made(
    envelope: Envelope[AssignmentMade],
    *,
    sessions: async_sessionmaker[AsyncSession],
    metrics: InsightMetrics | None = None,
) -> None:
    event = envelope.payload
    async with session_scope(sessions) as session:
        change = await service.record_assignment(
            session,
            mention_id=str(event.mention_id),
            owner_id=event.owner_id,
            owner_name=event.owner_name,
            occurred_at=envelope.occurred_at,
        )
    _count(metrics, envelope.type, bool(change))


async def handle_reply_published(
    envelope: Envelope[ReplyPublished],
    *,
    sessions: async_sessionmaker[AsyncSession],
    metrics: InsightMetrics | None = None,
) -> None:
    event = envelope.payload
    async with session_scope(sessions) as session:
        change = await service.record_answer(
            session, mention_id=str(event.mention_id), published_at=event.published_at
        )
    _count(metrics, envelope.type, bool(change))


async def handle_sla_changed(
    envelope: Envelope[SlaChanged],
    *,
    sessions: async_sessionmaker[AsyncSession],
    metrics: InsightMetrics | None = None,
) -> None:
    event = envelope.payload
    async with session_scope(sessions) as session:
        change = await service.record_sla(
            session,
            mention_id=str(event.mention_id),
            state=event.state,
            due_at=event.due_at,
            owner_id=event.owner_id,
        )
    _count(metrics, envelope.type, bool(change))


async def handle_alert_raised(
    envelope: Envelope[AlertRaised],
    *,
    sessions: async_sessionmaker[AsyncSession],
    metrics: InsightMetrics | None = None,
) -> None:
    """Crises are counted; other alerts (escalations, our own digests) are not insights."""
    event = envelope.payload
    if event.kind != "crisis":
        return
    async with session_scope(sessions) as session:
        fresh = await service.record_crisis(session, alert=event, raised_at=envelope.occurred_at)
    _count(metrics, envelope.type, fresh)
