"""The one backoff helper and the one token bucket (shared/retry.py, shared/rate.py)."""

from __future__ import annotations

import random

import pytest

from services.ingest.connectors.http import LimiterRegistry
from shared.rate import TokenBucket, window_rate
from shared.retry import Backoff, RetryPolicy, Schedule
from tests.fakes.server import FakeClock


def test_backoff_is_capped_exponential_with_the_jitter_fraction_random() -> None:
    fixed = Backoff(0.5, cap=4.0)
    assert [fixed.delay(r) for r in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert Backoff(1.0, max_exponent=3).delay(50) == 8.0  # no float overflow
    half = Backoff(2.0, cap=60.0, jitter=0.5)
    assert half.delay(2, lambda: 0.0) == 4.0 and half.delay(2, lambda: 1.0) == 8.0
    rng = random.Random(7)
    full = [Backoff(1.0, cap=30.0, jitter=1.0).delay(3, rng) for _ in range(200)]
    assert all(0.0 <= d <= 8.0 for d in full) and max(full) > 6.0 and min(full) < 2.0
    with pytest.raises(ValueError):
        Backoff(1.0, jitter=1.5)


def test_retry_policy_pause_honours_retry_after_within_its_cap() -> None:
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=60.0, jitter=0.0)
    assert [policy.delay(a) for a in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert policy.pause(1, 30.0) == 30.0 and policy.pause(1, 3600.0) == 60.0
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_schedule_gives_up_after_its_last_delay() -> None:
    schedule = Schedule.of([5, 300])
    assert [schedule.delay(r) for r in range(3)] == [5.0, 300.0, None]
    assert schedule.max_attempts == 3
    with pytest.raises(ValueError):
        Schedule.of([5, 0])


async def test_bucket_waits_for_its_slot_and_grants_without_waiting() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, 3, clock)
    waits = [await bucket.acquire() for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0] and waits[3] == pytest.approx(0.5)
    replay = TokenBucket(1.0, 10, clock, initial=2)
    assert replay.take(5) == 2 and replay.available() == 0
    clock.now += 3.0
    assert replay.available() == 3


def test_window_rate_keeps_any_window_within_the_quota() -> None:
    rate = window_rate(200, 3600, 2)
    assert 2 + rate * 3600 == pytest.approx(200)
    with pytest.raises(ValueError):
        window_rate(10, 3600, 10)


def test_one_account_keeps_one_bucket_when_a_source_asks_another_rate() -> None:
    """A second source (or a history import) of the same account asking another rate
    changes the one bucket in place: a second bucket would double the account's rate."""
    registry = LimiterRegistry(FakeClock())
    first = registry.get("wildberries", "sid:1", 3.0, 6)
    second = registry.get("wildberries", "sid:1", 1.0, 2)
    assert second is first and (first.rate, first.burst) == (1.0, 2)
    assert registry.get("wildberries", "sid:2", 3.0, 6) is not first
