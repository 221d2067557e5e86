"""Backoff between attempts of one notification (the dispatcher reschedules the outbox row)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from shared.retry import Backoff


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded in attempts and per-delay length."""

    max_attempts: int = 4
    base_delay: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 60.0
    #: Fraction of each delay that is randomised (0 = none, 1 = "full jitter").
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("max_attempts >= 1 and non-negative delays required")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Pause after failed attempt number `attempt` (1-based)."""
        backoff = Backoff(self.base_delay, self.max_delay, self.multiplier, self.jitter)
        return backoff.delay(attempt - 1, rng)

    def pause(
        self, attempt: int, retry_after_s: float | None, rng: random.Random | None = None
    ) -> float:
        """Pause after failed attempt `attempt`, honouring a server's Retry-After (bounded)."""
        pause = self.delay(attempt, rng)
        if retry_after_s is not None:
            pause = max(pause, min(retry_after_s, self.max_delay))
        return pause
