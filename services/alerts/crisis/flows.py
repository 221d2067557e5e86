"""Crisis flows: feed the detector, turn its signals into crisis records and alerts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.channel.contract import Notification
from services.alerts.crisis.detector import CrisisConfig, CrisisDetector, CrisisSignal
from services.alerts.crisis.domain import Crisis, CrisisStatus, on_signal
from services.alerts.crisis.models import CrisisRecord, DetectorSnapshot
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.notifier import Notifier
from services.alerts.notification.service import enqueue
from services.alerts.owner.directory import Directory
from shared.bus import Publisher
from shared.db import session_scope
from shared.events import AlertRaised, MentionClassified, derived_event_id, utcnow
from shared.topics import ALERTS

SNAPSHOT_ID = 1


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


async def load_detector(session: AsyncSession, config: CrisisConfig) -> CrisisDetector:
    row = await session.get(DetectorSnapshot, SNAPSHOT_ID)
    if row is None:
        return CrisisDetector(config)
    return CrisisDetector.from_snapshot(row.snapshot, config)


async def save_detector(session: AsyncSession, detector: CrisisDetector, now: datetime) -> None:
    row = await session.get(DetectorSnapshot, SNAPSHOT_ID)
    if row is None:
        row = DetectorSnapshot(id=SNAPSHOT_ID, snapshot={}, updated_at=now)
        session.add(row)
    row.snapshot = detector.snapshot()
    row.updated_at = now


async def record_signal(
    session: AsyncSession, signal: CrisisSignal, now: datetime
) -> tuple[Crisis, str]:
    """Open, re-open or update the crisis of the signal's key."""
    rows = await session.execute(
        select(CrisisRecord)
        .where(CrisisRecord.key == signal.key)
        .order_by(CrisisRecord.opened_at.desc())
        .limit(1)
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


@dataclass
class CrisisWatch:
    """The detector (shared state, restored at start) and the lock that lets one batch of
    mentions at a time change it."""

    detector: CrisisDetector
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


async def observe(
    *,
    fresh: Sequence[tuple[MentionClassified, str]],
    sessions: async_sessionmaker[AsyncSession],
    watch: CrisisWatch,
    directory: Directory,
    notifier: Notifier,
    publisher: Publisher,
    metrics: AlertsMetrics,
) -> None:
    """Feed the detector once per new mention (with its trace id); its signals are
    recorded in one transaction together with the notifications of crises that open."""
    if not fresh:
        return
    now = utcnow()
    found: list[tuple[CrisisSignal, str]] = []
    outbox: list[dict[str, Any]] = []
    async with watch.lock:
        for event, trace_id in fresh:
            signals = watch.detector.observe(event.mention, event.classification, at=now)
            found += [(signal, trace_id) for signal in signals]
        if not found:
            return
        async with session_scope(sessions) as session:
            results = [await record_signal(session, s, now) for s, _ in found]
            await save_detector(session, watch.detector, now)
            for (signal, _), (crisis, outcome) in zip(found, results, strict=True):
                if outcome in ("opened", "reopened"):
                    outbox += crisis_outbox(directory, notifier, crisis.id, signal, now)
            await enqueue(session, outbox)
    if outbox:
        notifier.wakeup.set()
    for (signal, trace_id), (crisis, outcome) in zip(found, results, strict=True):
        metrics.crises.labels(outcome=outcome).inc()
        await publisher.publish(
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


async def upkeep(session: AsyncSession, *, watch: CrisisWatch, now: datetime) -> None:
    """Forget what fell out of the detector's windows and save its state (each tick)."""
    async with watch.lock:
        watch.detector.prune()
        await save_detector(session, watch.detector, now)
