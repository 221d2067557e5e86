"""Signed acknowledgement links: "I've got it" from a chat message without logging in.

Token = base64url(escalation id) "." expiry (unix seconds) "." base64url(HMAC-SHA256).
The MAC covers a version tag, the id and the expiry, so neither can be swapped; the
comparison is constant-time, and expiry is checked only after the MAC is valid (no
oracle on forged tokens).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote

_VERSION = b"otklik-ack-v1"


class AckTokenError(ValueError):
    """The token is malformed, forged, or expired; `reason` is safe to show."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, escalation_id: str, expires: int) -> bytes:
    msg = b"\x00".join((_VERSION, escalation_id.encode(), str(expires).encode()))
    return hmac.new(secret, msg, hashlib.sha256).digest()


def create_ack_token(secret: bytes, escalation_id: str, expires_at: datetime) -> str:
    if len(secret) < 16:
        raise ValueError("ack secret must be at least 16 bytes")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    expires = int(expires_at.timestamp())
    return f"{_b64(escalation_id.encode())}.{expires}.{_b64(_mac(secret, escalation_id, expires))}"


def verify_ack_token(secret: bytes, token: str, now: datetime | None = None) -> str:
    """Return the escalation id the token acknowledges, or raise AckTokenError."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 1024:
        raise AckTokenError("malformed token")
    raw_id, raw_exp, raw_sig = parts
    try:
        escalation_id = _unb64(raw_id).decode()
        expires = int(raw_exp)
        signature = _unb64(raw_sig)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise AckTokenError("malformed token") from None
    if not hmac.compare_digest(signature, _mac(secret, escalation_id, expires)):
        raise AckTokenError("invalid signature")
    now = now or datetime.now(UTC)
    if now.timestamp() >= expires:
        raise AckTokenError("token expired")
    return escalation_id


def ack_url(base_url: str, token: str) -> str:
    """The link put in a notification, e.g. base_url = "https://otklik.example/api/alerts/ack"."""
    return f"{base_url.rstrip('/')}/{quote(token, safe='')}"
