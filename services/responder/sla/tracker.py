"""The SLA sweep: publishes due-soon, breached and met events, each once per item.

Publish first, then mark: a crash in between re-publishes the same event with the same
deterministic id (consumers recognise it); marking first could lose a warning.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.responder.metrics import ResponderMetrics
from services.responder.queue_item.models import QueueItem, SlaMark
from services.responder.queue_item.service import WAITING_STATES
from services.responder.sla.policy import SlaEvent, SlaPolicy, due_events
from shared.bus import Publisher
from shared.db import insert_ignore, session_scope
from shared.events import Sentiment, SlaChanged, derived_event_id, utcnow
from shared.logging import get_logger
from shared.topics import SLA

log = get_logger(__name__)

SWEEP_BATCH = 500


async def _marks(session: AsyncSession, mention_ids: list[str]) -> dict[str, set[str]]:
    rows = await session.execute(
        select(SlaMark.mention_id, SlaMark.mark).where(SlaMark.mention_id.in_(mention_ids))
    )
    marks: dict[str, set[str]] = {}
    for mention_id, mark in rows.all():
        marks.setdefault(mention_id, set()).add(mark)
    return marks


async def _publish(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    item: QueueItem,
    events: list[SlaEvent],
    metrics: ResponderMetrics,
) -> None:
    envelopes = [
        publisher.envelope(
            SlaChanged(
                mention_id=item.mention_id,  # type: ignore[arg-type]
                state=event.state,
                platform=item.platform,
                due_at=item.due_at,
                lead_seconds=event.lead_seconds,
                owner_id=item.assignee_id,
                sentiment=Sentiment(item.sentiment),
            ),
            event_id=derived_event_id("sla", item.mention_id, event.key),
        )
        for event in events
    ]
    await publisher.publish_envelopes(SLA, envelopes)
    async with session_scope(sessions) as session:
        now = utcnow()
        for event in events:
            fresh = await insert_ignore(
                session,
                SlaMark,
                {"mention_id": item.mention_id, "mark": event.key, "created_at": now},
                conflict_on=["mention_id", "mark"],
            )
            if fresh:
                metrics.sla_events.labels(platform=item.platform, state=event.state.value).inc()


async def sweep(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    policy: SlaPolicy,
    metrics: ResponderMetrics,
    now: datetime,
) -> int:
    """One pass over waiting items whose next SLA moment has come; returns events sent."""
    horizon = now + max(policy.due_soon_leads, default=timedelta(0)) + timedelta(days=7)
    sent = 0
    last_due: datetime | None = None
    last_id = ""
    while True:
        async with session_scope(sessions) as session:
            stmt = (
                select(QueueItem)
                .where(QueueItem.state.in_(WAITING_STATES))
                .where(QueueItem.due_at <= horizon)
                .order_by(QueueItem.due_at, QueueItem.mention_id)
                .limit(SWEEP_BATCH)
            )
            if last_due is not None:
                stmt = stmt.where(
                    (QueueItem.due_at > last_due)
                    | ((QueueItem.due_at == last_due) & (QueueItem.mention_id > last_id))
                )
            items = list((await session.execute(stmt)).scalars())
            marks = await _marks(session, [i.mention_id for i in items])
        for item in items:
            events = due_events(
                now=now,
                due_at=item.due_at,
                sent=marks.get(item.mention_id, set()),
                leads=policy.due_soon_leads,
                calendar=policy.calendar_for(item.platform),
            )
            if events:
                await _publish(
                    sessions=sessions,
                    publisher=publisher,
                    item=item,
                    events=events,
                    metrics=metrics,
                )
                sent += len(events)
        if len(items) < SWEEP_BATCH:
            break
        last_due, last_id = items[-1].due_at, items[-1].mention_id
    await refresh_open_gauge(sessions=sessions, metrics=metrics, now=now, policy=policy)
    return sent


async def refresh_open_gauge(
    *,
    sessions: async_sessionmaker[AsyncSession],
    metrics: ResponderMetrics,
    now: datetime,
    policy: SlaPolicy,
) -> None:
    soon = now + max(policy.due_soon_leads, default=timedelta(0))
    state = case(
        (QueueItem.due_at <= now, "breached"), (QueueItem.due_at <= soon, "due_soon"), else_="ok"
    )
    async with session_scope(sessions) as session:
        rows = await session.execute(
            select(QueueItem.platform, state, func.count())
            .where(QueueItem.state.in_(WAITING_STATES))
            .group_by(QueueItem.platform, state)
        )
        counts = {(platform, sla_state): int(n) for platform, sla_state, n in rows.all()}
    metrics.open_items.clear()
    for (platform, state), count in counts.items():
        metrics.open_items.labels(platform=platform, sla_state=state).set(count)


async def publish_met(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    item: QueueItem,
    metrics: ResponderMetrics,
) -> None:
    """On publication: `met` (or a late `breached`), once."""
    if item.answered_at is None:
        return
    async with session_scope(sessions) as session:
        marks = await _marks(session, [item.mention_id])
    events = due_events(
        now=item.answered_at,
        due_at=item.due_at,
        sent=marks.get(item.mention_id, set()),
        answered_at=item.answered_at,
    )
    if events:
        await _publish(
            sessions=sessions, publisher=publisher, item=item, events=events, metrics=metrics
        )


async def run_sweeper(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    policy: SlaPolicy,
    metrics: ResponderMetrics,
    interval_s: float,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Sweep forever; one failed pass is logged and the next one tries again."""
    while True:
        try:
            await sweep(
                sessions=sessions, publisher=publisher, policy=policy, metrics=metrics, now=clock()
            )
        except Exception:
            log.exception("SLA sweep failed")
        await asyncio.sleep(interval_s)
