"""Crisis flows: count new mentions into the shared windows, judge the windows under the
crisis lease, turn the signals into crisis records, notifications and alerts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.channel.contract import Notification
from services.alerts.crisis import store
from services.alerts.crisis.detector import CrisisConfig, CrisisSignal, judge, tally
from services.alerts.crisis.domain import Crisis, CrisisStatus, Outcome, on_signal
from services.alerts.crisis.models import CrisisRecord
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.notifier import Notifier
from services.alerts.notification.service import enqueue
from services.alerts.owner.directory import Directory
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
) -> tuple[Crisis, Outcome]:
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


@dataclass(frozen=True)
class Raised:
    """A signal and what it did to its key's crisis."""

    signal: CrisisSignal
    crisis: Crisis
    outcome: Outcome


async def judge_windows(
    session: AsyncSession,
    *,
    crisis: CrisisConfig,
    directory: Directory,
    notifier: Notifier,
    now: datetime,
    lease: timedelta,
) -> list[Raised] | None:
    """Judge every window once if this transaction gets the crisis lease (None: another
    replica holds it). The crises, their notifications and the cool-downs commit with
    the caller's transaction, so a spike opens one crisis whichever replicas counted it."""
    held = await store.claim(session, now, lease)
    if held is None:
        return None
    await store.prune(session, crisis, now)
    windows = await store.read_windows(session, crisis, now)
    last = await store.cooldowns(session, list(windows))
    started_at = held.watched_since.timestamp()

    def signal(key: str) -> CrisisSignal | None:
        return judge(
            crisis, key, windows[key], last_signal_at=last.get(key), started_at=started_at, now=now
        )

    # The counts decide; the evidence (aspects, samples) is read for the keys that spiked.
    spiking = {key: windows[key] for key in sorted(windows) if signal(key) is not None}
    await store.add_evidence(session, crisis, now, spiking)
    raised: list[Raised] = []
    outbox: list[dict[str, Any]] = []
    for key in spiking:
        found = signal(key)
        if found is None:
            continue
        record, outcome = await record_signal(session, found, now)
        raised.append(Raised(found, record, outcome))
        if outcome in ("opened", "reopened"):
            outbox += crisis_outbox(directory, notifier, record.id, found, now)
    await store.mark_signalled(session, [r.signal.key for r in raised], now)
    await enqueue(session, outbox)
    await store.release(session, held, now)
    return raised


async def evaluate(
    *,
    sessions: async_sessionmaker[AsyncSession],
    crisis: CrisisConfig,
    directory: Directory,
    notifier: Notifier,
    publisher: Publisher,
    metrics: AlertsMetrics,
    lease: timedelta,
) -> None:
    """The ticker's crisis pass: judge the windows (on the replica that gets the lease; the
    others return at once), then wake the dispatcher and publish the crisis alerts."""
    async with session_scope(sessions) as session:
        raised = await judge_windows(
            session,
            crisis=crisis,
            directory=directory,
            notifier=notifier,
            now=utcnow(),
            lease=lease,
        )
    if not raised:
        return
    if any(r.outcome in ("opened", "reopened") for r in raised):
        notifier.wakeup.set()
    for r in raised:
        metrics.crises.labels(outcome=r.outcome).inc()
        seq = len(r.crisis.evidence)
        await publisher.publish(
            ALERTS,
            AlertRaised(
                alert_id=derived_event_id("crisis", r.crisis.id, seq),
                kind="crisis",
                severity="critical",
                title=f"Spike of negative reviews: {r.signal.dimension} {r.signal.value}",
                details={"crisis_id": r.crisis.id, "outcome": r.outcome, **r.signal.evidence()},
            ),
            event_id=derived_event_id("crisis-alert", r.crisis.id, seq),
        )


def crisis_outbox(
    doc: Directory, notifier: Notifier, crisis_id: str, signal: CrisisSignal, now: datetime
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
    directory = doc.index()
    head = directory.head_of(doc.default_owner) or doc.default_owner
    return notifier.outbox_rows(
        notification, directory, recipient_id=head, escalation_id=None, now=now
    )
