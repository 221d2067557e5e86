"""Kafka handlers of the alerts service.

- mentions.classified → an owner for every mention (`assignments`), an escalation for
  every negative one (owner notified at once), the crisis detector fed once per mention.
- sla → SLA news climbs the same ladder (opens an escalation when none exists).
- alerts (digest) → delivered through the configured channels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from services.alerts.assignment.models import Assignment
from services.alerts.crisis import flows as crisis_flows
from services.alerts.deps import AlertsContext
from services.alerts.escalation import flows
from services.alerts.escalation.models import Escalation, NotificationLog
from services.alerts.notification.channels import Notification
from services.alerts.routing.rules import route
from shared.db import insert_ignore, session_scope
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


#: Escalations advanced at once: their notifications go out in parallel.
ADVANCE_CONCURRENCY = 16


async def handle_mention_classified(envelope: Envelope[Any], *, ctx: AlertsContext) -> None:
    await handle_mentions_classified([envelope], ctx=ctx)


async def handle_mentions_classified(
    envelopes: Sequence[Envelope[Any]], *, ctx: AlertsContext
) -> None:
    """A fetched batch: one transaction, one round of publishes, notifications in parallel."""
    config = ctx.config
    directory = config.directory()
    events: list[MentionClassified] = [e.payload for e in envelopes]
    now = utcnow()
    sessions = ctx.runtime.sessions
    fresh_ids: set[str] = set()
    escalation_ids: list[str] = []
    async with session_scope(sessions) as session:
        for event in events:
            mention_id = str(event.mention.mention_id)
            decision = route(
                event.mention,
                event.classification,
                config.rules,
                config.default_owner,
                team_heads=config.team_heads(),
            )
            inserted = await insert_ignore(
                session,
                Assignment,
                {
                    "mention_id": mention_id,
                    "owner_id": decision.owner_id,
                    "team_id": decision.team_id,
                    "rule_id": decision.rule_id,
                    "platform": event.mention.platform,
                    "sentiment": event.classification.sentiment.value,
                    "created_at": now,
                },
                conflict_on=["mention_id"],
            )
            if inserted:
                fresh_ids.add(mention_id)
                how = "rule" if decision.rule_id else "default"
                ctx.metrics.assignments.labels(how=how).inc()
        ids = [str(e.mention.mention_id) for e in events]
        rows = await session.execute(select(Assignment).where(Assignment.mention_id.in_(ids)))
        assignments = {a.mention_id: a for a in rows.scalars()}
        for event in events:
            if event.classification.sentiment != Sentiment.negative:
                continue
            assignment = assignments[str(event.mention.mention_id)]
            escalation, _ = await flows.open_escalation(
                session,
                mention_id=assignment.mention_id,
                owner_id=assignment.owner_id,
                team_id=assignment.team_id,
                reason="negative",
                title=_title(event),
                context=_context(event),
                sentiment=event.classification.sentiment,
                now=now,
            )
            escalation_ids.append(escalation.id)
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
    for envelope, event in zip(envelopes, events, strict=True):
        if str(event.mention.mention_id) in fresh_ids:
            await _observe_crisis(ctx, event, envelope.trace_id)
    await advance_all(ctx, escalation_ids)


async def advance_all(ctx: AlertsContext, escalation_ids: Sequence[str]) -> None:
    """Take the due steps of several escalations concurrently (a lock per escalation)."""
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


async def _observe_crisis(ctx: AlertsContext, event: MentionClassified, trace_id: str) -> None:
    now = utcnow()
    async with ctx.detector_lock:
        signals = ctx.detector.observe(event.mention, event.classification, at=now)
        async with session_scope(ctx.runtime.sessions) as session:
            results = [await crisis_flows.record_signal(session, s, now) for s in signals]
            if signals:
                await crisis_flows.save_detector(session, ctx.detector, now)
    for signal, (crisis, outcome) in zip(signals, results, strict=True):
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
        if outcome in ("opened", "reopened"):
            await _notify_crisis(ctx, crisis.id, signal.evidence(), signal.dimension, signal.value)


async def _notify_crisis(
    ctx: AlertsContext, crisis_id: str, evidence: dict[str, Any], dimension: str, value: str
) -> None:
    config = ctx.config
    samples = evidence.get("samples") or []
    text = "\n\n".join(str(s.get("text", "")) for s in samples[:3])
    notification = Notification(
        id=f"crisis:{crisis_id}",
        title=f"Crisis: negatives spike for {dimension} {value}"[:500],
        text=text[:4000],
        severity="critical",
        fields={
            "Negatives": str(evidence.get("negatives")),
            "Baseline per window": f"{evidence.get('baseline_rate', 0):.1f}",
            "Playbook": " → ".join(evidence.get("playbook") or []),
        },
    )
    head = config.directory().head_of(config.default_owner) or config.default_owner
    async with session_scope(ctx.runtime.sessions) as session:
        await ctx.notifier.send(
            session,
            notification,
            ctx.notifier.channels(config.directory(), head),
            escalation_id=None,
            recipient_id=head,
        )


async def handle_sla_changed(envelope: Envelope[Any], *, ctx: AlertsContext) -> None:
    event: SlaChanged = envelope.payload
    mention_id = str(event.mention_id)
    now = utcnow()
    config = ctx.config
    async with session_scope(ctx.runtime.sessions) as session:
        row = await session.get(Escalation, flows.escalation_id_for(mention_id))
        if row is None:
            if event.state == SlaState.met:
                return
            assignment = await session.get(Assignment, mention_id)
            owner_id = assignment.owner_id if assignment else event.owner_id or config.default_owner
            row, _ = await flows.open_escalation(
                session,
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
        flows.apply_sla(row, event.state, now, event.due_at)
        escalation_id = row.id
    await flows.advance(
        sessions=ctx.runtime.sessions,
        escalation_id=escalation_id,
        directory=config.directory(),
        notifier=ctx.notifier,
        now=now,
    )


def _sla_words(state: SlaState) -> str:
    return {"due_soon": "is due soon", "breached": "missed its answer deadline"}.get(
        state.value, state.value
    )


async def handle_alert_raised(envelope: Envelope[Any], *, ctx: AlertsContext) -> None:
    """Digests from the responder go out through the channels; our own alerts are ignored."""
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
    async with session_scope(ctx.runtime.sessions) as session:
        delivered = await session.scalar(
            select(NotificationLog.id)
            .where(NotificationLog.notification_id == notification.id)
            .where(NotificationLog.ok.is_(True))
            .limit(1)
        )
        if delivered is not None:
            return  # a redelivered digest event: already sent
        await ctx.notifier.send(
            session,
            notification,
            ctx.notifier.channels(config.directory(), recipient),
            escalation_id=None,
            recipient_id=recipient,
        )
