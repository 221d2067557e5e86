"""Memory of the push signatures used within their validity window: a replay is refused.

A signed push stays valid for `INGEST_PUSH_MAX_SKEW_S` (default 300 s); without this
memory a captured request could be sent again for that long. A signature is claimed
when it is checked and released if the push then fails (the platform may retry the same
request), so only a push that went through blocks its copies. One ingest replica holds
its memory in process (ingest runs as one replica); a restart forgets it, which lets a
replay through at most once per restart, and mentions are de-duplicated downstream.
"""

from __future__ import annotations

from collections import OrderedDict


class SignatureMemory:
    def __init__(self, *, max_entries: int = 200_000) -> None:
        self._max = max_entries
        #: signature -> unix time after which its timestamp is too old to be accepted.
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def claim(self, signature: str, *, expires_at: float, now: float) -> bool:
        """True the first time within the window; False for a replay."""
        self._forget_expired(now)
        if signature in self._seen:
            return False
        self._seen[signature] = expires_at
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return True

    def release(self, signature: str) -> None:
        """The push failed: the same request may be sent again."""
        self._seen.pop(signature, None)

    def _forget_expired(self, now: float) -> None:
        # Insertion order is nearly expiry order (timestamps are close to now): stop at
        # the first one still valid.
        while self._seen:
            signature, expires_at = next(iter(self._seen.items()))
            if expires_at > now:
                return
            del self._seen[signature]
