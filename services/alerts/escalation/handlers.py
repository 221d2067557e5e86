"""Kafka handlers of escalations.

- mentions.classified → an owner for every mention (`assignments`), an escalation for
  every negative one (owner notified at once), each new mention counted once into the
  crisis windows (judged by the ticker of the replica holding the crisis lease);
  mentions imported as already answered on the platform get an owner only.
- sla → SLA news climbs the same ladder (opens an escalation when none exists).

Handlers only write: a notification is an outbox row committed with the step it tells
of; the dispatcher (`notification/flows.py`) sends it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.assignment import service as assignment_service
from services.alerts.assignment.models import Assignment
from services.alerts.crisis import flows as crisis_flows
from services.alerts.crisis.detector import CrisisConfig
from services.alerts.escalation import flows
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.notifier import Notifier
from services.alerts.notification.service import enqueue
from services.alerts.owner.current import CurrentDirectory
from services.alerts.webhook import service as webhook_service
from shared.bus import Publisher
from shared.db import session_scope
from shared.events import (
    Envelope,
    MentionClassified,
    SlaChanged,
    SlaState,
    derived_event_id,
    utcnow,
)
from shared.logging import get_logger
from shared.topics import ASSIGNMENTS

log = get_logger(__name__)


async def handle_mentions_classified(
    envelopes: Sequence[Envelope[MentionClassified]],
    *,
    sessions: async_sessionmaker[AsyncSession],
    directory: CurrentDirectory,
    notifier: Notifier,
    crisis: CrisisConfig,
    publisher: Publisher,
    metrics: AlertsMetrics,
    webhook_wakeup: asyncio.Event,
) -> None:
    """A fetched batch in one transaction: assignments, escalations, their first steps.

    A new escalation's due steps are taken in the same transaction (recorded as done,
    their notifications put in the outbox), as are the outbound webhook fan-out and the
    crisis counts of the mentions new to this database (exactly once with the commit); the
    dispatcher sends the notifications once woken after the commit, so the consumer never
    waits for a channel. A redelivered batch finds the assignments, escalations and
    deliveries and adds nothing. Rows are written with one multi-row INSERT per table.
    """
    doc = directory.document
    people = doc.index()
    events = [e.payload for e in envelopes]
    now = utcnow()
    async with session_scope(sessions) as session:
        assigned = await assignment_service.assign(session, events=events, directory=doc, now=now)
        taken = await flows.open_for_negatives(
            session,
            events=events,
            owners=assigned.by_mention,
            directory=people,
            notifier=notifier,
            now=now,
        )
        # The outbound webhook fan-out of the same events, in the same commit.
        fanned_out = await webhook_service.fan_out(session, envelopes=envelopes, now=now)
        # Last, so the crisis rows every replica adds to stay locked the shortest time.
        await crisis_flows.count(
            session, fresh=_new_to_crisis(events, assigned.fresh_ids), config=crisis, now=now
        )
    if taken.outbox:
        notifier.wakeup.set()
    if fanned_out:
        webhook_wakeup.set()
    flows.count_steps(metrics, taken.steps)
    for mention_id in assigned.fresh_ids:
        how = "rule" if assigned.by_mention[mention_id].rule_id else "default"
        metrics.assignments.labels(how=how).inc()
    # Published on every delivery (same event ids): a crash before this line is repaired
    # by the redelivery, and consumers recognise the repeat.
    out = []
    for envelope, event in zip(envelopes, events, strict=True):
        assignment = assigned.by_mention[str(event.mention.mention_id)]
        out.append(
            publisher.envelope(
                assignment_service.assignment_made(assignment, people),
                trace_id=envelope.trace_id,
                event_id=derived_event_id("assignment", assignment.mention_id),
            )
        )
    await publisher.publish_envelopes(ASSIGNMENTS, out)


def _new_to_crisis(
    events: Sequence[MentionClassified], fresh_ids: set[str]
) -> list[MentionClassified]:
    """Each mention new to this database once (the first copy, if a batch holds two),
    not those imported as already answered on the platform (old news)."""
    first_seen: dict[str, MentionClassified] = {}
    for event in events:
        mention_id = str(event.mention.mention_id)
        if mention_id in fresh_ids and not event.mention.answered:
            first_seen.setdefault(mention_id, event)
    return list(first_seen.values())


async def handle_sla_changed(
    envelope: Envelope[SlaChanged],
    *,
    sessions: async_sessionmaker[AsyncSession],
    directory: CurrentDirectory,
    notifier: Notifier,
    metrics: AlertsMetrics,
) -> None:
    """SLA news climbs the ladder: steps it makes due are taken in the same transaction."""
    event = envelope.payload
    mention_id = str(event.mention_id)
    escalation_id = flows.escalation_id_for(mention_id)
    now = utcnow()
    doc = directory.document
    async with notifier.lock_for(escalation_id):
        async with session_scope(sessions) as session:
            row = await flows.locked(session, escalation_id)
            if row is None:
                if event.state == SlaState.met:
                    return
                assignment = await session.get(Assignment, mention_id)
                owner_id = (
                    assignment.owner_id if assignment else event.owner_id or doc.default_owner
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
            taken = flows.take_steps(row, directory=doc.index(), notifier=notifier, now=now)
            await enqueue(session, taken.outbox)
    flows.count_steps(metrics, taken.steps)
    if taken.outbox:
        notifier.wakeup.set()


def _sla_words(state: SlaState) -> str:
    return {"due_soon": "is due soon", "breached": "missed its answer deadline"}.get(
        state.value, state.value
    )
