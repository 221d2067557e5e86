"""Sign-in for the reply queue: staff sessions in an HMAC-signed cookie, or the API token.

Form posts carry a CSRF token derived from the session, so a page elsewhere cannot make
a signed-in browser approve a reply.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request

if TYPE_CHECKING:
    from services.responder.deps import ResponderContext

COOKIE = "otklik_session"


class SessionSigner:
    def __init__(self, secret: str, ttl_s: float) -> None:
        self._key = secret.encode()
        self._ttl = ttl_s

    def _mac(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, user: str, now: float | None = None) -> str:
        expires = int((now or time.time()) + self._ttl)
        name = base64.urlsafe_b64encode(user.encode()).decode()
        payload = f"{name}.{expires}"
        return f"{payload}.{self._mac(payload)}"

    def verify(self, token: str, now: float | None = None) -> str | None:
        try:
            name, expires, mac = token.split(".")
        except ValueError:
            return None
        if not hmac.compare_digest(mac, self._mac(f"{name}.{expires}")):
            return None
        if not expires.isdigit() or int(expires) < (now or time.time()):
            return None
        try:
            return base64.urlsafe_b64decode(name.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            return None

    def csrf(self, token: str) -> str:
        return self._mac("csrf:" + token)[:32]


def check_password(ctx: ResponderContext, user: str, password: str) -> bool:
    expected = ctx.settings.responder_users.get(user)
    if expected is None:
        hmac.compare_digest(password.encode(), b"x" * 16)  # same work for unknown users
        return False
    return hmac.compare_digest(password.encode(), expected.get_secret_value().encode())


def session_user(request: Request, ctx: ResponderContext) -> str | None:
    token = request.cookies.get(COOKIE)
    return ctx.signer.verify(token) if token else None


def current_user(request: Request, ctx: ResponderContext) -> str:
    user = session_user(request, ctx)
    if user:
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(sent, ctx.signer.csrf(request.cookies[COOKIE])):
                raise HTTPException(status_code=403, detail="missing or invalid CSRF token")
        return user
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    expected = ctx.settings.api_token.get_secret_value()
    if scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), expected.encode()):
        return "api"
    raise HTTPException(
        status_code=401,
        detail="sign in or send a bearer token",
        headers={"WWW-Authenticate": "Bearer"},
    )
