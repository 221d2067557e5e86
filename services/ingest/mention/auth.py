"""Push authentication: a bearer token, or an HMAC-SHA256 signature over the raw body.

Signature scheme (documented in the README): headers `X-Otklik-Timestamp: <unix seconds>`
and `X-Otklik-Signature: sha256=<hex of HMAC(secret, "<timestamp>." + body)>`; the
timestamp must be at most `max_skew_s` old and `max_future_skew_s` ahead, and the
router remembers each signature for that window (`replay.py`), so a captured request
cannot be sent again.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence


class PushAuthError(Exception):
    pass


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_push_auth(
    *,
    headers: Mapping[str, str],
    body: bytes,
    tokens: Sequence[str],
    hmac_secret: str | None,
    max_skew_s: int,
    now: float | None = None,
) -> str:
    """Returns the method that authenticated ("token" or "hmac"); raises PushAuthError."""
    method = check_push_headers(
        headers=headers, tokens=tokens, hmac_secret=hmac_secret, max_skew_s=max_skew_s, now=now
    )
    if method == "hmac":
        assert hmac_secret is not None
        verify_push_signature(headers=headers, body=body, hmac_secret=hmac_secret)
    return method


def check_push_headers(
    *,
    headers: Mapping[str, str],
    tokens: Sequence[str],
    hmac_secret: str | None,
    max_skew_s: int,
    max_future_skew_s: int | None = None,
    now: float | None = None,
) -> str:
    """Everything that can be checked before reading the body (a stranger's 200 MB must
    never be read): the token, or the signature's presence and timestamp.

    Returns "token" (done) or "hmac" (the signature still has to match the body)."""
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        for expected in tokens:
            if hmac.compare_digest(token.encode(), expected.encode()):
                return "token"
        raise PushAuthError("invalid bearer token")
    signature = headers.get("x-otklik-signature")
    if signature:
        if not hmac_secret:
            raise PushAuthError("signatures are not enabled on this endpoint")
        raw_ts = headers.get("x-otklik-timestamp", "")
        if not raw_ts.isdigit() or len(raw_ts) > 12:
            raise PushAuthError("X-Otklik-Timestamp must be unix seconds")
        timestamp = int(raw_ts)
        current = time.time() if now is None else now
        ahead = max_skew_s if max_future_skew_s is None else max_future_skew_s
        if current - timestamp > max_skew_s:
            raise PushAuthError(f"X-Otklik-Timestamp is older than {max_skew_s} s")
        if timestamp - current > ahead:
            raise PushAuthError(f"X-Otklik-Timestamp is more than {ahead} s in the future")
        return "hmac"
    raise PushAuthError("missing credentials: send a bearer token or X-Otklik-Signature")


def verify_push_signature(*, headers: Mapping[str, str], body: bytes, hmac_secret: str) -> None:
    """The signature over "<timestamp>." + body, in constant time."""
    timestamp = int(headers.get("x-otklik-timestamp", "0"))
    signature = headers.get("x-otklik-signature", "")
    if not hmac.compare_digest(signature, sign(hmac_secret, timestamp, body)):
        raise PushAuthError("signature does not match the body")
