"""Backoff between attempts of one notification (the dispatcher reschedules the outbox row)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.retry import RetryPolicy as _RetryPolicy


@dataclass(frozen=True)
class RetryPolicy(_RetryPolicy):
    """A notification's retries: few, seconds to a minute apart, half of each randomised."""

    max_attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.5
