"""Standard Webhooks signing (https://www.standardwebhooks.com) via `standardwebhooks`.

Consumers verify with any Standard Webhooks library, so we only produce what the spec
says: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC>`.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def generate_secret(num_bytes: int = 32) -> str:
    """A new subscription secret, `whsec_` + base64 (24..64 random bytes per the spec)."""
    if not 24 <= num_bytes <= 64:
        raise ValueError("secret length must be 24..64 bytes")
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(num_bytes)).decode()


def validate_secret(secret: str) -> str:
    """Raise ValueError unless `secret` is a usable whsec_ secret; returns it unchanged."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("secret must start with whsec_")
    try:
        raw = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        raise ValueError("secret must be whsec_ followed by base64") from None
    if len(raw) < 24:
        raise ValueError("secret must hold at least 24 bytes")
    return secret


def sign_headers(
    secret: str, msg_id: str, body: str, timestamp: datetime | None = None
) -> dict[str, str]:
    """Headers for one delivery of `body` (the exact string that is sent)."""
    ts = (timestamp or datetime.now(UTC)).astimezone(UTC)
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=ts, data=body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(ts.timestamp())),
        "webhook-signature": signature,
    }
