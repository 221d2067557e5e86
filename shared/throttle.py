"""Failure throttling for credentials (sign-in): after a few failures, wait.

Pure and clock-injected. Keys are what an attacker varies least: the account name and
the client address, each counted on its own, so guessing one account's password from
many addresses, or many accounts from one address, both meet the limit. Held in process
memory: each replica counts its own attempts (an attacker spreading over N replicas gets
N times the budget, still far from brute force).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int
    first_at: float
    blocked_until: float = 0.0


class FailureThrottle:
    def __init__(
        self,
        *,
        max_failures: int = 5,
        window_s: float = 300.0,
        block_s: float = 300.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_failures = max_failures
        self._window = window_s
        self._block = block_s
        self._max_keys = max_keys
        self._clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def retry_after(self, keys: Iterable[str]) -> int:
        """Seconds until these keys may try again; 0 when they may now."""
        now = self._clock()
        wait = 0.0
        for key in keys:
            record = self._records.get(key)
            if record is not None and record.blocked_until > now:
                wait = max(wait, record.blocked_until - now)
        return math.ceil(wait)

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        for key in keys:
            record = self._records.get(key)
            if record is None or now - record.first_at > self._window:
                record = _Record(failures=0, first_at=now)
            record.failures += 1
            if record.failures >= self._max_failures:
                record.blocked_until = now + self._block
                record.failures = 0
                record.first_at = now
            self._records[key] = record
            self._records.move_to_end(key)
        while len(self._records) > self._max_keys:
            self._records.popitem(last=False)

    def succeeded(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._records.pop(key, None)
