"""Crisis flows: count new mentions into the shared windows, judge the windows under the
crisis lease, turn the signals into crisis records, notifications and alerts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.channel.contract import Notification
from services.alerts.crisis import store
from services.alerts.crisis.detector import CrisisConfig, CrisisSignal, judge, tally
from services.alerts.crisis.domain import Crisis, CrisisStatus, on_signal
from services.alerts.crisis.models import CrisisRecord
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.notifier import Notifier
from services.alerts.notification.service import enqueue
from services.alerts.owner.config import AlertsConfig
from shared.bus import Publisher
from shared.db import session_scope
from shared.events import AlertRaised, MentionClassified, derived_event_id, utcnow
from shared.topics import ALERTS


def to_json(crisis: Crisis) -> dict[str, Any]:
    data = asdict(crisis)
    for key, value in list(data.items()):
        if isinstance(value, datetime):
            data[key] = value.isoformat()
    data["status"] = crisis.status.value
    data["evidence"] = list(crisis.evidence)
    return data


def from_json(data: dict[str, Any]) -> Crisis:
    values = dict(data)
    for key in ("opened_at", "updated_at", "acknowledged_at", "resolved_at"):
        if values.get(key):
            values[key] = datetime.fromisoformat(values[key])
    values["status"] = CrisisStatus(values["status"])
    values["evidence"] = tuple(values.get("evidence") or ())
    return Crisis(**values)


async def record_signal(
    session: AsyncSession, signal: CrisisSignal, now: datetime
) -> tuple[Crisis, str]:
    """Open, re-open or update the crisis of the signal's key."""
    rows = await session.execute(
        select(CrisisRecord)
        .where(CrisisRecord.key == signal.key)
        .order_by(CrisisRecord.opened_at.desc())
        .limit(1)
        .with_for_update()  # an acknowledgement through the API waits for this update
    )
    latest = rows.scalars().first()
    current = from_json(latest.data) if latest is not None else None
    crisis, outcome = on_signal(current, signal, now, new_id=str(uuid.uuid4()))
    if latest is not None and latest.id == crisis.id:
        latest.data = to_json(crisis)
        latest.status = crisis.status.value
        latest.updated_at = now
    else:
        session.add(
            CrisisRecord(
                id=crisis.id,
                key=crisis.key,
                status=crisis.status.value,
                data=to_json(crisis),
                opened_at=crisis.opened_at,
                updated_at=now,
            )
        )
    return crisis, outcome


async def count_active(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count(CrisisRecord.id)).where(CrisisRecord.status != "resolved")
        )
        or 0
    )


async def count(
    session: AsyncSession,
    *,
    fresh: Sequence[MentionClassified],
    config: CrisisConfig,
    now: datetime,
) -> None:
    """Add new mentions (each once) to the shared windows, in the batch's transaction."""
    if fresh:
        await store.add_tally(
            session, tally(config, ((e.mention, e.classification) for e in fresh), now)
        )


async def evaluate(
    *,
    sessions: async_sessionmaker[AsyncSession],
    crisis: CrisisConfig,
    config: AlertsConfig,
    notifier: Notifier,
    publisher: Publisher,
    metrics: AlertsMetrics,
    lease: timedelta,
) -> list[tuple[Crisis, str]]:
    """Judge every window once, on the replica that holds the crisis lease (the others
    return at once); the crises and their notifications commit with the cool-downs, so a
    spike opens one crisis whichever replicas counted its mentions. Returns what changed."""
    now = utcnow()
    outbox: list[dict[str, Any]] = []
    async with session_scope(sessions) as session:
        held = await store.claim(session, now, lease)
        if held is None:
            return []
        await store.prune(session, crisis, now)
        windows = await store.read_windows(session, crisis, now)
        last = await store.cooldowns(session, list(windows))
        started_at = held.watched_since.timestamp()

        def signal(key: str) -> CrisisSignal | None:
            return judge(
                crisis,
                key,
                windows[key],
                last_signal_at=last.get(key),
                started_at=started_at,
                now=now,
            )

        # Counts decide; the evidence (aspects, samples) is read for the keys that spiked.
        spiking = {key: windows[key] for key in sorted(windows) if signal(key) is not None}
        await store.add_evidence(session, crisis, now, spiking)
        found = [s for key in spiking if (s := signal(key)) is not None]
        results = [await record_signal(session, s, now) for s in found]
        await store.mark_signalled(session, [s.key for s in found], now)
        for sig, (record, outcome) in zip(found, results, strict=True):
            if outcome in ("opened", "reopened"):
                outbox += crisis_outbox(config, notifier, record.id, sig, now)
        await enqueue(session, outbox)
        await store.release(session, held, now)
    if outbox:
        notifier.wakeup.set()
    for sig, (record, outcome) in zip(found, results, strict=True):
        metrics.crises.labels(outcome=outcome).inc()
        await publisher.publish(
            ALERTS,
            AlertRaised(
                alert_id=derived_event_id("crisis", record.id, len(record.evidence)),
                kind="crisis",
                severity="critical",
                title=f"Spike of negative reviews: {sig.dimension} {sig.value}",
                details={"crisis_id": record.id, "outcome": outcome, **sig.evidence()},
            ),
            event_id=derived_event_id("crisis-alert", record.id, len(record.evidence)),
        )
    return [(record, outcome) for record, outcome in results]


def crisis_outbox(
    config: AlertsConfig, notifier: Notifier, crisis_id: str, signal: CrisisSignal, now: datetime
) -> list[dict[str, Any]]:
    """The notification of an opened crisis, to the default owner's team head."""
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
    return notifier.outbox_rows(
        notification, directory, recipient_id=head, escalation_id=None, now=now
    )
