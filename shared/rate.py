"""The one token bucket: pacing calls to a platform's documented rate, and a demo replay.

A clock is passed in (tests use a virtual one so waits cost no real time).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    """Time source; tests inject a virtual clock so waits cost no real time."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


class FunctionClock:
    """A clock read from a plain function (`time.monotonic` or a test's counter)."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def monotonic(self) -> float:
        return self._now()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class TokenBucket:
    """Token bucket: `rate` tokens/s, at most `burst - headroom` banked.

    Two ways to take: `acquire()` waits for one token (a platform call), `take(n)` grants
    what is there now without waiting (a replay that paces its own pages).

    `acquire` is reservation based and lock free: a caller takes a token at once (the
    balance may go negative) and sleeps until its slot. That keeps callers FIFO, needs
    no asyncio.Lock (so one bucket can outlive an event loop), and a request is only
    sent in its slot.
    """

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Clock = SYSTEM_CLOCK,
        headroom: int = 0,
        initial: float | None = None,
    ) -> None:
        if rate <= 0 or burst < 1 or not 0 <= headroom < burst:
            raise ValueError("rate must be > 0, burst >= 1 and 0 <= headroom < burst")
        self.clock = clock
        self.rate = rate
        self.burst = burst
        #: Tokens of the platform's burst we never use: a request delayed on the network
        #: (a new connection) then arriving close to the next one must still find a token
        #: in the platform's own bucket. The steady rate stays the full documented rate.
        self.headroom = headroom
        self.capacity = float(burst - headroom)
        self._tokens = self.capacity if initial is None else min(float(initial), self.capacity)
        self._updated = clock.monotonic()

    def configure(self, rate: float, burst: float) -> None:
        """Change the rate in place: every holder of this bucket (one account's sources,
        the live poller and a backfill) keeps sharing it."""
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self._refill(self.clock.monotonic())
        self.rate = rate
        self.burst = burst
        self.headroom = min(self.headroom, int(burst) - 1) if burst >= 2 else 0
        self.capacity = float(burst - self.headroom)
        self._tokens = min(self._tokens, self.capacity)

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    def reserve(self) -> float:
        """Take one token; return how long the caller must wait before using it."""
        self._refill(self.clock.monotonic())
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> float:
        """Wait for a token; return the seconds waited (for throttling metrics)."""
        wait = self.reserve()
        if wait > 0:
            await self.clock.sleep(wait)
        return wait

    def available(self) -> int:
        """Whole tokens there now (never negative)."""
        self._refill(self.clock.monotonic())
        return max(0, int(self._tokens + 1e-9))  # 0.1/s * 10 s may give 0.9999999

    def take(self, want: int) -> int:
        """Take up to `want` tokens without waiting; return how many were granted."""
        granted = min(want, self.available())
        self._tokens -= granted
        return granted


def window_rate(limit: int, window_s: float, burst: float) -> float:
    """The steady rate of a bucket of `burst` that never passes `limit` requests in any
    `window_s` seconds (a quota counted per hour or day, however its window is placed).

    A bucket of capacity B and rate r lets through at most B + r*T in any T seconds, so
    r = (limit - B) / window: a small burst keeps nearly the whole quota usable.
    """
    if not 0 <= burst < limit or window_s <= 0:
        raise ValueError("0 <= burst < limit and window_s > 0 required")
    return (limit - burst) / window_s
