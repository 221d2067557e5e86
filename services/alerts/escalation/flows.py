"""Escalation flows: open, apply SLA news, acknowledge, and take the steps that are due.

A step is taken exactly once: its key is recorded in the escalation's state (`done_keys`)
in the same transaction that puts its notification in the outbox, so a crash either
loses both (the step is taken again) or keeps both (the dispatcher delivers it). Delivery
is at least once per channel: the notification id is the step key, so a receiver can
recognise the one repeat a crash between sending and recording the result could cause.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.assignment.service import Owned
from services.alerts.channel.contract import Notification
from services.alerts.config import AlertsSettings
from services.alerts.db import claim_leases, insert_new
from services.alerts.escalation import ladder
from services.alerts.escalation.models import Escalation
from services.alerts.escalation.status import EscalationStatus
from services.alerts.escalation.tokens import ack_url, create_ack_token
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.notifier import Notifier
from services.alerts.notification.service import enqueue
from services.alerts.owner.schemas import DirectoryIndex
from shared.db import session_scope
from shared.events import MentionClassified, Sentiment, SlaState, utcnow
from shared.logging import get_logger

log = get_logger(__name__)

ESCALATION_NAMESPACE = uuid.UUID("0b5e3c1e-4c55-5f0c-8a7e-3f5a1d2c9b01")


def escalation_id_for(mention_id: str) -> str:
    return str(uuid.uuid5(ESCALATION_NAMESPACE, mention_id))


def _state(row: Escalation) -> ladder.EscalationState:
    return ladder.EscalationState.model_validate(row.state)


def _store(row: Escalation, state: ladder.EscalationState, now: datetime) -> None:
    row.state = state.model_dump(mode="json")
    row.updated_at = now
    if state.acknowledged_at is not None:
        row.status = EscalationStatus.acknowledged
        row.acknowledged_at = state.acknowledged_at
        row.acknowledged_by = state.acknowledged_by
    elif state.closed:
        row.status = EscalationStatus.closed


def new_escalation(
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
    escalation_id: str | None = None,
) -> Escalation:
    """The row of a mention's escalation (one per mention: its id derives from the mention)."""
    escalation_id = escalation_id or escalation_id_for(mention_id)
    state = ladder.open_escalation(
        escalation_id,
        owner_id=owner_id,
        started_at=now,
        team_id=team_id,
        mention_id=mention_id,
        sentiment=sentiment,
        sla_due_at=sla_due_at,
    )
    return Escalation(
        id=escalation_id,
        mention_id=mention_id,
        status=EscalationStatus.open,
        owner_id=owner_id,
        reason=reason,
        title=title,
        context=context,
        state=state.model_dump(mode="json"),
        next_wakeup_at=now,
        created_at=now,
        updated_at=now,
    )


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
    row: Escalation, step: ladder.Step, directory: DirectoryIndex, settings: AlertsSettings
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


@dataclass(frozen=True)
class Taken:
    """Steps taken in a transaction: their outbox rows, to enqueue in that transaction."""

    steps: list[ladder.Step]
    outbox: list[dict[str, Any]]


def take_steps(
    row: Escalation, *, directory: DirectoryIndex, notifier: Notifier, now: datetime
) -> Taken:
    """Record the steps due now as done in `row` and return their outbox rows.

    The caller adds the rows to the outbox in the same transaction, so a step is taken
    exactly once: committed together with the intent to deliver it, or not at all.
    Deferred steps (quiet hours) stay pending; `next_wakeup_at` says when to look again.
    """
    policies = notifier.settings.alerts_escalation_policies
    if row.status != EscalationStatus.open:
        row.next_wakeup_at = None
        return Taken([], [])
    state = _state(row)
    steps = [
        s
        for s in ladder.next_steps(state, now, policies=policies, directory=directory)
        if not s.deferred
    ]
    outbox: list[dict[str, Any]] = []
    for step in steps:
        outbox += notifier.outbox_rows(
            _notification(row, step, directory, notifier.settings),
            directory,
            recipient_id=step.recipient_id,
            escalation_id=row.id,
            now=now,
        )
    if steps:
        state = ladder.mark_done(state, *(s.key for s in steps))
        _store(row, state, now)
    row.next_wakeup_at = ladder.next_wakeup(state, now, policies=policies, directory=directory)
    return Taken(steps, outbox)


def count_steps(metrics: AlertsMetrics, steps: Sequence[ladder.Step]) -> None:
    """Count steps once their transaction committed."""
    for step in steps:
        metrics.escalation_steps.labels(level=step.level.value, trigger=step.trigger).inc()


async def locked(session: AsyncSession, escalation_id: str) -> Escalation | None:
    """The escalation, locked for this transaction (`SELECT ... FOR UPDATE`).

    The ticker, the Kafka handlers and an acknowledgement may change one escalation at
    the same moment, in one replica or in several: the row lock makes them take turns,
    each reading what the one before committed, so none overwrites another's step or
    acknowledgement. (SQLite has no row locks: there writers take turns anyway, and the
    in-process `Notifier.lock_for` orders the read.)
    """
    return await session.get(
        Escalation, escalation_id, with_for_update=True, populate_existing=True
    )


async def advance(
    *,
    sessions: async_sessionmaker[AsyncSession],
    escalation_id: str,
    directory: DirectoryIndex,
    notifier: Notifier,
    now: datetime,
    claim: str | None = None,
) -> int:
    """Take every step due now (one transaction); returns how many were taken.

    With `claim` (the ticker's lease token) the escalation is advanced only while that
    lease is still held: one whose lease ran out belongs to the replica that claimed it
    next. The lease ends here, replaced by the ladder's next wake-up.
    """
    async with notifier.lock_for(escalation_id):
        async with session_scope(sessions) as session:
            row = await locked(session, escalation_id)
            if row is None or (claim is not None and row.claim != claim):
                return 0
            taken = take_steps(row, directory=directory, notifier=notifier, now=now)
            row.claim = None
            await enqueue(session, taken.outbox)
    count_steps(notifier.metrics, taken.steps)
    if taken.outbox:
        notifier.wakeup.set()
    return len(taken.steps)


async def claim_due(
    session: AsyncSession, now: datetime, *, lease: timedelta, limit: int = 200
) -> tuple[str | None, list[str]]:
    """Lease the open escalations whose next step came due to this replica's ticker.

    Returns the lease token and the escalations it holds. A replica that dies holding
    them gives them back when the lease ends (their `next_wakeup_at`), so a step is
    delayed by at most one lease, never lost; two replicas never hold the same one.
    """
    table: Table = Escalation.__table__  # type: ignore[assignment]
    token = await claim_leases(
        session,
        table,
        due=Escalation.status == EscalationStatus.open,
        until=table.c.next_wakeup_at,
        claim=table.c.claim,
        now=now,
        limit=limit,
        lease=lease,
    )
    if token is None:
        return None, []
    rows = await session.execute(
        select(Escalation.id).where(Escalation.claim == token).order_by(Escalation.next_wakeup_at)
    )
    return token, [r for (r,) in rows.all()]


async def count_open(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count(Escalation.id)).where(Escalation.status == EscalationStatus.open)
        )
        or 0
    )


#: Escalations the ticker advances at once (each is one short transaction).
ADVANCE_CONCURRENCY = 4


async def advance_all(
    *,
    sessions: async_sessionmaker[AsyncSession],
    escalation_ids: Sequence[str],
    directory: DirectoryIndex,
    notifier: Notifier,
    claim: str | None = None,
) -> None:
    """Take the due steps of several escalations (a lock and a transaction each)."""
    if not escalation_ids:
        return
    limit = asyncio.Semaphore(ADVANCE_CONCURRENCY)

    async def one(escalation_id: str) -> None:
        async with limit:
            await advance(
                sessions=sessions,
                escalation_id=escalation_id,
                directory=directory,
                notifier=notifier,
                now=utcnow(),
                claim=claim,
            )

    await asyncio.gather(*(one(e) for e in dict.fromkeys(escalation_ids)))


def _context(event: MentionClassified) -> dict[str, Any]:
    mention, classification = event.mention, event.classification
    fields = {
        k: v for k, v in (("SKU", mention.product.sku), ("Brand", mention.product.brand)) if v
    }
    aspects = sorted({a.aspect for a in classification.aspects if a.polarity == Sentiment.negative})
    if aspects:
        fields["Aspects"] = ", ".join(aspects)
    return {
        "text": mention.full_text[:4000],
        "platform": mention.platform,
        "author": mention.author,
        "rating": mention.rating,
        "url": mention.url,
        "product": mention.product.name,
        "fields": fields,
    }


def _title(event: MentionClassified) -> str:
    mention = event.mention
    stars = f" {mention.rating}★" if mention.rating else ""
    product = mention.product.name or mention.product.sku or mention.platform
    return f"Negative review{stars} on {mention.platform}: {product}"


async def open_for_negatives(
    session: AsyncSession,
    *,
    events: Sequence[MentionClassified],
    owners: Mapping[str, Owned],
    directory: DirectoryIndex,
    notifier: Notifier,
    now: datetime,
) -> Taken:
    """Open an escalation for every new negative mention and take its first steps.

    The steps are recorded as done and their outbox rows enqueued in the caller's
    transaction. History already answered on the platform (a backfill) gets no ladder;
    a redelivered mention finds its escalation and adds nothing (its steps are the
    ticker's business now): the escalations go in with one INSERT that skips the ids
    already stored, and only those really inserted enqueue their steps.
    """
    opened: dict[str, tuple[Escalation, Taken]] = {}
    for event in events:
        if event.classification.sentiment != Sentiment.negative or event.mention.answered:
            continue
        assignment = owners[str(event.mention.mention_id)]
        escalation_id = escalation_id_for(assignment.mention_id)
        if escalation_id in opened:
            continue  # a second copy in the batch
        escalation = new_escalation(
            mention_id=assignment.mention_id,
            owner_id=assignment.owner_id,
            team_id=assignment.team_id,
            reason="negative",
            title=_title(event),
            context=_context(event),
            sentiment=event.classification.sentiment,
            now=now,
            escalation_id=escalation_id,
        )
        taken = take_steps(escalation, directory=directory, notifier=notifier, now=now)
        opened[escalation_id] = (escalation, taken)
    columns = [c.key for c in Escalation.__table__.columns]
    inserted = await insert_new(
        session,
        Escalation,
        [{key: getattr(row, key) for key in columns} for row, _ in opened.values()],
        key="id",
    )
    steps: list[ladder.Step] = []
    outbox: list[dict[str, Any]] = []
    for escalation_id, (_, taken) in opened.items():
        if escalation_id in inserted:
            steps += taken.steps
            outbox += taken.outbox
    await enqueue(session, outbox)
    return Taken(steps, outbox)
