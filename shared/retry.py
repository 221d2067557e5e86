"""The one retry schedule helper: capped exponential backoff with jitter, or a fixed
table of delays.

Every retry loop (platform calls, notifications, webhooks, the bus, a failing poll)
asks one of these how long to wait; each keeps its own bound on attempts and total time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """`min(cap, base * multiplier**retry)`, of which the `jitter` fraction is random.

    `retry` counts from 0 (the wait before the first retry). jitter 0 = a fixed
    schedule, 0.5 = "equal jitter", 1 = "full jitter" (uniform from 0 to the cap).
    """

    base: float
    cap: float = math.inf
    multiplier: float = 2.0
    jitter: float = 0.0
    #: Exponent bound, so that a long outage does not overflow the float.
    max_exponent: int = 30

    def __post_init__(self) -> None:
        if self.base < 0 or self.cap < 0 or self.multiplier <= 0:
            raise ValueError("non-negative base and cap, positive multiplier required")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")

    def ceiling(self, retry: int) -> float:
        """The wait before retry number `retry` without jitter."""
        exponent = min(max(0, retry), self.max_exponent)
        return min(self.cap, self.base * self.multiplier**exponent)

    def delay(self, retry: int, rand: random.Random | Callable[[], float] | None = None) -> float:
        """The wait before retry number `retry` (from 0), jittered with `rand`."""
        raw = self.ceiling(retry)
        if self.jitter == 0:
            return raw
        draw = rand.random() if isinstance(rand, random.Random) else (rand or random.random)()
        return raw * (1 - self.jitter) + raw * self.jitter * draw


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with capped exponential backoff and jitter between them.

    The defaults suit a platform call (full jitter); a user keeps its own defaults by
    subclassing with other field defaults, and adds its own bounds (time, timeouts).
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    multiplier: float = 2.0
    #: Fraction of each delay that is randomised (0 = none, 1 = "full jitter").
    jitter: float = 1.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("max_attempts >= 1 and non-negative delays required")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")

    def delay(self, attempt: int, rng: random.Random | Callable[[], float] | None = None) -> float:
        """Pause after failed attempt number `attempt` (1-based)."""
        backoff = Backoff(self.base_delay, self.max_delay, self.multiplier, self.jitter)
        return backoff.delay(attempt - 1, rng)

    def pause(
        self,
        attempt: int,
        retry_after_s: float | None,
        rng: random.Random | Callable[[], float] | None = None,
    ) -> float:
        """Pause after failed attempt `attempt`, at least a server's Retry-After (bounded
        by `max_delay`)."""
        pause = self.delay(attempt, rng)
        if retry_after_s is not None:
            pause = max(pause, min(retry_after_s, self.max_delay))
        return pause


@dataclass(frozen=True)
class Schedule:
    """Fixed delays in seconds, one per retry; past the last one: give up."""

    delays: tuple[float, ...]

    def __post_init__(self) -> None:
        if any(d <= 0 for d in self.delays):
            raise ValueError("retry delays must be positive seconds")

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Schedule:
        return cls(tuple(float(s) for s in seconds))

    def delay(self, retry: int) -> float | None:
        """The wait before retry number `retry` (from 0); None = give up."""
        if retry < 0:
            raise ValueError("retry counts from 0")
        return self.delays[retry] if retry < len(self.delays) else None

    @property
    def max_attempts(self) -> int:
        """First try plus one per delay."""
        return len(self.delays) + 1
