"""Claims of a JWT-shaped API token, read without verifying it (the platform does that):
what we need is when it expires and whose account it is (Wildberries: `exp`, `sid`)."""

from __future__ import annotations

import base64
import json
from typing import Any


def token_claims(token: str) -> dict[str, Any] | None:
    """The payload of `header.payload.signature`; None when the token is not a JWT."""
    parts = token.removeprefix("Bearer ").strip().split(".")
    if len(parts) != 3:
        return None
    segment = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(segment.encode()))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None
