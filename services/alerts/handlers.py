"""Kafka handlers of the alerts service.

- mentions.classified → an owner for every mention (`assignments`), an escalation for
  every negative one (owner notified at once), the crisis detector fed once per mention;
  mentions imported as already answered on the platform get an owner only.
- sla → SLA news climbs the same ladder (opens an escalation when none exists).
- alerts (digest) → delivered through the configured channels.

Handlers only write: a notification is an outbox row committed with the step it tells
of; the dispatcher (`notification/flows.py`) sends it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.assignment.models import Assignment
from services.alerts.crisis import flows as crisis_flows
from services.alerts.crisis.detector import CrisisSignal
from services.alerts.db import Base
from services.alerts.deps import AlertsContext
from services.alerts.escalation import flows
from services.alerts.escalation.ladder import Step
from services.alerts.escalation.models import Escalation
from services.alerts.notification.channels import Notification
from services.alerts.notification.service import enqueue
from services.alerts.routing.rules import route
from services.alerts.webhook import service as webhook_service
from shared.db import session_scope
from shared.events import (
    AlertRaised,
    AssignmentMade,
    Envelope,
    MentionClassified,
    Sentiment,
    SlaChanged,
    SlaState,
    derived_event_id,
    utcnow,
)
from shared.logging import get_logger
from shared.topics import ALERTS, ASSIGNMENTS

log = get_logger(__name__)


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


async def insert_rows(session: AsyncSession, model: type[Base], rows: Sequence[Base]) -> None:
    """INSERT new ORM objects in one statement (no unit-of-work bookkeeping per object)."""
    if not rows:
        return
    columns = [c.key for c in model.__table__.columns]
    await session.execute(
        insert(model), [{key: getattr(row, key) for key in columns} for row in rows]
    )


#: Escalations the ticker advances at once (each is one short transaction).
ADVANCE_CONCURRENCY = 4


async def handle_mention_classified(envelope: Envelope[Any], *, ctx: AlertsContext) -> None:
    await handle_mentions_classified([envelope], ctx=ctx)


async def handle_mentions_classified(
    envelopes: Sequence[Envelope[Any]], *, ctx: AlertsContext
) -> None:
    """A fetched batch in one transaction: assignments, escalations, their first steps.

    A new escalation's due steps are taken in the same transaction (recorded as done,
    their notifications put in the outbox), as is the outbound webhook fan-out; the
    dispatcher sends the notifications once woken after the commit, so the consumer never
    waits for a channel. A redelivered batch finds the assignments, escalations and
    deliveries and adds nothing. Rows are written with one multi-row INSERT per table.
    """
    config = ctx.config
    directory = config.directory()
    notifier = ctx.notifier
    events: list[MentionClassified] = [e.payload for e in envelopes]
    now = utcnow()
    fresh_ids: set[str] = set()
    steps: list[Step] = []
    outbox: list[dict[str, Any]] = []
    opened: list[Escalation] = []
    async with session_scope(ctx.runtime.sessions) as session:
        ids = [str(e.mention.mention_id) for e in events]
        rows = await session.execute(select(Assignment).where(Assignment.mention_id.in_(ids)))
        assignments = {a.mention_id: a for a in rows.scalars()}
        for event in events:
            mention_id = str(event.mention.mention_id)
            if mention_id in assignments:
                continue  # routed before (a redelivery, or an edit of the mention)
            decision = route(
                event.mention,
                event.classification,
                config.rules,
                config.default_owner,
                team_heads=config.team_heads(),
            )
            assignments[mention_id] = Assignment(
                mention_id=mention_id,
                owner_id=decision.owner_id,
                team_id=decision.team_id,
                rule_id=decision.rule_id,
                platform=event.mention.platform,
                sentiment=event.classification.sentiment.value,
                created_at=now,
            )
            fresh_ids.add(mention_id)
        # A concurrent insert of the same mention fails this transaction; the runner
        # retries the batch, which then finds the assignment.
        await insert_rows(session, Assignment, [assignments[m] for m in fresh_ids])
        # History already answered on the platform (a backfill) gets an owner, no ladder.
        negatives = [
            e
            for e in events
            if e.classification.sentiment == Sentiment.negative and not e.mention.answered
        ]
        existing = await flows.existing_escalations(
            session, [str(e.mention.mention_id) for e in negatives]
        )
        for event in negatives:
            assignment = assignments[str(event.mention.mention_id)]
            if flows.escalation_id_for(assignment.mention_id) in existing:
                continue  # a redelivery: its steps are the ticker's business now
            escalation = flows.new_escalation(
                mention_id=assignment.mention_id,
                owner_id=assignment.owner_id,
                team_id=assignment.team_id,
                reason="negative",
                title=_title(event),
                context=_context(event),
                sentiment=event.classification.sentiment,
                now=now,
            )
            existing.add(escalation.id)
            taken = flows.take_steps(escalation, directory=directory, notifier=notifier, now=now)
            opened.append(escalation)
            steps += taken.steps
            outbox += taken.outbox
        await insert_rows(session, Escalation, opened)
        await enqueue(session, outbox)
        # The outbound webhook fan-out of the same events, in the same commit.
        fanned_out = await webhook_service.enqueue(
            session, events=[webhook_service.webhook_event(e) for e in envelopes], now=now
        )
    if outbox:
        notifier.wakeup.set()
    if fanned_out:
        ctx.webhook_wakeup.set()
    flows.count_steps(ctx.metrics, steps)
    for mention_id in fresh_ids:
        how = "rule" if assignments[mention_id].rule_id else "default"
        ctx.metrics.assignments.labels(how=how).inc()
    # Published on every delivery (same event ids): a crash before this line is repaired
    # by the redelivery, and consumers recognise the repeat.
    out = []
    for envelope, event in zip(envelopes, events, strict=True):
        assignment = assignments[str(event.mention.mention_id)]
        owner = directory.person(assignment.owner_id)
        out.append(
            ctx.runtime.publisher.envelope(
                AssignmentMade(
                    mention_id=event.mention.mention_id,
                    owner_id=assignment.owner_id,
                    owner_name=owner.name if owner else assignment.owner_id,
                    team=assignment.team_id,
                    rule=assignment.rule_id,
                ),
                trace_id=envelope.trace_id,
                event_id=derived_event_id("assignment", assignment.mention_id),
            )
        )
    await ctx.runtime.publisher.publish_envelopes(ASSIGNMENTS, out)
    # The detector sees each new mention once (the first copy, if a batch holds two).
    first_seen: dict[str, tuple[MentionClassified, str]] = {}
    for envelope, event in zip(envelopes, events, strict=True):
        mention_id = str(event.mention.mention_id)
        if mention_id in fresh_ids and not event.mention.answered:  # old news is no spike
            first_seen.setdefault(mention_id, (event, envelope.trace_id))
    await _observe_crises(ctx, list(first_seen.values()))


async def advance_all(ctx: AlertsContext, escalation_ids: Sequence[str]) -> None:
    """Take the due steps of several escalations (a lock and a transaction each)."""
    if not escalation_ids:
        return
    directory = ctx.config.directory()
    limit = asyncio.Semaphore(ADVANCE_CONCURRENCY)

    async def one(escalation_id: str) -> None:
        async with limit:
            await flows.advance(
                sessions=ctx.runtime.sessions,
                escalation_id=escalation_id,
                directory=directory,
                notifier=ctx.notifier,
                now=utcnow(),
            )

    await asyncio.gather(*(one(e) for e in dict.fromkeys(escalation_ids)))


async def _observe_crises(
    ctx: AlertsContext, fresh: Sequence[tuple[MentionClassified, str]]
) -> None:
    """Feed the detector once per new mention; its signals are recorded in one transaction
    together with the notifications of crises that open."""
    if not fresh:
        return
    now = utcnow()
    found: list[tuple[CrisisSignal, str]] = []
    outbox: list[dict[str, Any]] = []
    async with ctx.detector_lock:
        for event, trace_id in fresh:
            signals = ctx.detector.observe(event.mention, event.classification, at=now)
            found += [(signal, trace_id) for signal in signals]
        if not found:
            return
        async with session_scope(ctx.runtime.sessions) as session:
            results = [await crisis_flows.record_signal(session, s, now) for s, _ in found]
            await crisis_flows.save_detector(session, ctx.detector, now)
            for (signal, _), (crisis, outcome) in zip(found, results, strict=True):
                if outcome in ("opened", "reopened"):
                    outbox += _crisis_outbox(ctx, crisis.id, signal, now)
            await enqueue(session, outbox)
    if outbox:
        ctx.notifier.wakeup.set()
    for (signal, trace_id), (crisis, outcome) in zip(found, results, strict=True):
        ctx.metrics.crises.labels(outcome=outcome).inc()
        await ctx.runtime.publisher.publish(
            ALERTS,
            AlertRaised(
                alert_id=derived_event_id("crisis", crisis.id, len(crisis.evidence)),
                kind="crisis",
                severity="critical",
                title=f"Spike of negative reviews: {signal.dimension} {signal.value}",
                details={"crisis_id": crisis.id, "outcome": outcome, **signal.evidence()},
            ),
            trace_id=trace_id,
        )


def _crisis_outbox(
    ctx: AlertsContext, crisis_id: str, signal: CrisisSignal, now: datetime
) -> list[dict[str, Any]]:
    """The notification of an opened crisis, to the default owner's team head."""
    config = ctx.config
    evidence = signal.evidence()
    samples = evidence.get("samples") or []
    text = "\n\n".join(str(s.get("text", "")) for s in samples[:3])
    notification = Notification(
        id=f"crisis:{crisis_id}",
        title=f"Crisis: negatives spike for {signal.dimension} {signal.value}"[:500],
        text=text[:4000],
        severity="critical",
        fields={
            "Negatives": str(evidence.get("negatives")),
            "Baseline per window": f"{evidence.get('baseline_rate', 0):.1f}",
            "Playbook": " → ".join(evidence.get("playbook") or []),
        },
    )
    directory = config.directory()
    head = directory.head_of(config.default_owner) or config.default_owner
    return ctx.notifier.outbox_rows(
        notification, directory, recipient_id=head, escalation_id=None, now=now
    )


async def handle_sla_changed(envelope: Envelope[Any], *, ctx: AlertsContext) -> None:
    """SLA news climbs the ladder: steps it makes due are taken in the same transaction."""
    event: SlaChanged = envelope.payload
    mention_id = str(event.mention_id)
    escalation_id = flows.escalation_id_for(mention_id)
    now = utcnow()
    config = ctx.config
    directory = config.directory()
    async with ctx.notifier.lock_for(escalation_id):
        async with session_scope(ctx.runtime.sessions) as session:
            row = await session.get(Escalation, escalation_id)
            if row is None:
                if event.state == SlaState.met:
                    return
                assignment = await session.get(Assignment, mention_id)
                owner_id = (
                    assignment.owner_id if assignment else event.owner_id or config.default_owner
                )
                row = flows.new_escalation(
                    mention_id=mention_id,
                    owner_id=owner_id,
                    team_id=assignment.team_id if assignment else None,
                    reason=f"sla_{event.state.value}",
                    title=f"Review on {event.platform} {_sla_words(event.state)}",
                    context={"platform": event.platform, "text": "", "fields": {}},
                    sentiment=event.sentiment,
                    now=now,
                    sla_due_at=event.due_at,
                )
                session.add(row)
            flows.apply_sla(row, event.state, now, event.due_at)
            taken = flows.take_steps(row, directory=directory, notifier=ctx.notifier, now=now)
            await enqueue(session, taken.outbox)
    flows.count_steps(ctx.metrics, taken.steps)
    if taken.outbox:
        ctx.notifier.wakeup.set()


def _sla_words(state: SlaState) -> str:
    return {"due_soon": "is due soon", "breached": "missed its answer deadline"}.get(
        state.value, state.value
    )


async def handle_alert_raised(envelope: Envelope[Any], *, ctx: AlertsContext) -> None:
    """Digests from the responder go out through the channels; our own alerts are ignored.

    The outbox key (notification id, channel, target) makes a redelivered digest event
    enqueue nothing new.
    """
    event: AlertRaised = envelope.payload
    if event.kind != "digest":
        return
    config = ctx.config
    recipient = config.default_owner
    text = str(event.details.get("text") or "")
    notification = Notification(
        id=f"digest:{event.alert_id}",
        title=event.title[:500],
        text=text[:4000],
        severity="info",
        fields={k: str(v) for k, v in (event.details.get("fields") or {}).items()},
    )
    rows = ctx.notifier.outbox_rows(
        notification, config.directory(), recipient_id=recipient, escalation_id=None, now=utcnow()
    )
    async with session_scope(ctx.runtime.sessions) as session:
        added = await enqueue(session, rows)
    if added:
        ctx.notifier.wakeup.set()
