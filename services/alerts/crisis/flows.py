"""Crisis flows: feed the detector, turn its signals into crisis records and alerts."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.crisis.detector import CrisisConfig, CrisisDetector, CrisisSignal
from services.alerts.crisis.domain import Crisis, CrisisStatus, on_signal
from services.alerts.crisis.models import CrisisRecord, DetectorSnapshot

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
