"""Retry schedule for outbound webhooks: exponential over hours, then give up.

A consumer that is down for a deploy or an evening still gets every event; one that is
gone for good stops costing us after about a day and a half.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from shared.retry import Schedule

DEFAULT_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)


def retry_delay(
    failed_attempts: int, schedule: Sequence[timedelta] = DEFAULT_SCHEDULE
) -> timedelta | None:
    """Wait before the next attempt after `failed_attempts` failures; None = give up."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts starts at 1")
    seconds = Schedule.of([d.total_seconds() for d in schedule]).delay(failed_attempts - 1)
    return timedelta(seconds=seconds) if seconds is not None else None


def next_attempt_at(
    last_attempt_at: datetime,
    failed_attempts: int,
    schedule: Sequence[timedelta] = DEFAULT_SCHEDULE,
) -> datetime | None:
    delay = retry_delay(failed_attempts, schedule)
    return last_attempt_at + delay if delay is not None else None


def max_attempts(schedule: Sequence[timedelta] = DEFAULT_SCHEDULE) -> int:
    """First try plus one per schedule entry."""
    return Schedule.of([d.total_seconds() for d in schedule]).max_attempts


def parse_schedule(values: Sequence[float | int]) -> tuple[timedelta, ...]:
    """Schedule from config seconds, e.g. [5, 300, 1800]; must be positive."""
    return tuple(timedelta(seconds=s) for s in Schedule.of(values).delays)
