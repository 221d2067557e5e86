"""The crisis entity: open → acknowledged → resolved, with re-open rules.

Pure transitions over a frozen dataclass so the ORM layer (`models.py`) only stores fields.
A new signal for a key with an open/acknowledged crisis adds evidence to it (one
crisis, not a stream of them); a signal shortly after resolution re-opens the same
crisis (the problem came back) instead of starting a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from services.alerts.crisis.detector import CrisisSignal

MAX_EVIDENCE = 10


class CrisisStatus(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    resolved = "resolved"


class CrisisTransitionError(ValueError):
    """The requested transition is not allowed from the current status."""


@dataclass(frozen=True)
class Crisis:
    id: str
    key: str
    status: CrisisStatus
    opened_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    reopen_count: int = 0
    #: Signal evidence, oldest first, bounded to MAX_EVIDENCE.
    evidence: tuple[dict[str, Any], ...] = field(default_factory=tuple)


Outcome = Literal["opened", "reopened", "updated"]


def _with_evidence(crisis: Crisis, signal: CrisisSignal, now: datetime, **changes: Any) -> Crisis:
    evidence = (*crisis.evidence, signal.evidence())[-MAX_EVIDENCE:]
    return replace(crisis, updated_at=now, evidence=evidence, **changes)


def on_signal(
    current: Crisis | None,
    signal: CrisisSignal,
    now: datetime,
    *,
    new_id: str,
    reopen_within: timedelta = timedelta(hours=24),
) -> tuple[Crisis, Outcome]:
    """Apply a detector signal to the latest crisis of the same key (or None)."""
    if current is not None and current.key != signal.key:
        raise ValueError("signal key does not match the crisis key")
    if current is not None and current.status != CrisisStatus.resolved:
        return _with_evidence(current, signal, now), "updated"
    if (
        current is not None
        and current.resolved_at is not None
        and now - current.resolved_at <= reopen_within
    ):
        reopened = _with_evidence(
            current,
            signal,
            now,
            status=CrisisStatus.open,
            acknowledged_at=None,
            acknowledged_by=None,
            resolved_at=None,
            resolved_by=None,
            reopen_count=current.reopen_count + 1,
        )
        return reopened, "reopened"
    fresh = Crisis(
        id=new_id, key=signal.key, status=CrisisStatus.open, opened_at=now, updated_at=now
    )
    return _with_evidence(fresh, signal, now), "opened"


def acknowledge(crisis: Crisis, by: str, at: datetime) -> Crisis:
    if crisis.status == CrisisStatus.acknowledged:
        return crisis  # idempotent: a second click changes nothing
    if crisis.status != CrisisStatus.open:
        raise CrisisTransitionError(f"cannot acknowledge a {crisis.status.value} crisis")
    return replace(
        crisis,
        status=CrisisStatus.acknowledged,
        acknowledged_at=at,
        acknowledged_by=by,
        updated_at=at,
    )


def resolve(crisis: Crisis, by: str, at: datetime) -> Crisis:
    if crisis.status == CrisisStatus.resolved:
        return crisis
    return replace(
        crisis, status=CrisisStatus.resolved, resolved_at=at, resolved_by=by, updated_at=at
    )


def reopen(crisis: Crisis, by: str, at: datetime) -> Crisis:
    """Manual re-open (someone decided it is not over)."""
    if crisis.status != CrisisStatus.resolved:
        raise CrisisTransitionError(f"cannot re-open a {crisis.status.value} crisis")
    return replace(
        crisis,
        status=CrisisStatus.open,
        resolved_at=None,
        resolved_by=None,
        acknowledged_at=None,
        acknowledged_by=None,
        reopen_count=crisis.reopen_count + 1,
        updated_at=at,
    )
