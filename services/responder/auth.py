"""Sign-in for the reply queue: staff sessions (an HMAC-signed cookie naming a session
stored server-side, so signing out ends it), or the API token.

Form posts carry a CSRF token derived from the session, so a page elsewhere cannot make
a signed-in browser approve a reply (or sign it out).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from services.responder import staff_sessions
from services.responder.users import StaffRole, verify_password
from shared.db import session_scope
from shared.events import utcnow
from shared.http import DomainError

if TYPE_CHECKING:
    from services.responder.deps import ResponderContext

COOKIE = "otklik_session"
API_USER = "api"
#: Where the session middleware leaves the user of an open stored session.
STATE_USER = "staff_user"


@dataclass(frozen=True)
class Principal:
    name: str
    role: StaffRole

    def can(self, role: StaffRole) -> bool:
        return self.role.includes(role)


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


def require_role(principal: Principal, role: StaffRole, action: str) -> None:
    if not principal.can(role):
        raise Forbidden(
            f"{action} needs the {role} role or higher; {principal.name} is {principal.role}"
        )


@dataclass(frozen=True)
class SignedSession:
    """What a cookie with a valid signature says: who, and which stored session."""

    user: str
    session_id: str


class SessionSigner:
    def __init__(self, secret: str, ttl_s: float) -> None:
        self._key = secret.encode()
        self._ttl = ttl_s

    def _mac(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, user: str, session_id: str, now: float | None = None) -> str:
        expires = int((now or time.time()) + self._ttl)
        name = base64.urlsafe_b64encode(user.encode()).decode()
        payload = f"{name}.{expires}.{session_id}"
        return f"{payload}.{self._mac(payload)}"

    def verify(self, token: str, now: float | None = None) -> SignedSession | None:
        """The cookie's session if signed by us and not expired (it may still be ended)."""
        try:
            name, expires, session_id, mac = token.split(".")
        except ValueError:
            return None
        if not hmac.compare_digest(mac, self._mac(f"{name}.{expires}.{session_id}")):
            return None
        if not expires.isdigit() or int(expires) < (now or time.time()):
            return None
        try:
            return SignedSession(base64.urlsafe_b64decode(name.encode()).decode(), session_id)
        except (ValueError, UnicodeDecodeError):
            return None

    def csrf(self, token: str) -> str:
        return self._mac("csrf:" + token)[:32]


def check_password(ctx: ResponderContext, user: str, password: str) -> bool:
    account = ctx.settings.responder_users.get(user)
    stored = account.password_hash.get_secret_value() if account else None
    return verify_password(stored, password)  # an unknown user costs one verify too


async def resolve_staff_session(request: Request) -> None:
    """Before every route: the cookie's user, when its stored session is still open.

    An app-wide dependency (not middleware), so a database outage here is answered like
    any other: 503 with Retry-After.
    """
    token = request.cookies.get(COOKIE)
    signed = request.app.state.ctx.signer.verify(token) if token else None
    user = None
    if signed is not None:
        ctx: ResponderContext = request.app.state.ctx
        async with session_scope(ctx.runtime.sessions) as session:
            if await staff_sessions.is_open(
                session, session_id=signed.session_id, user=signed.user, now=utcnow()
            ):
                user = signed.user
    setattr(request.state, STATE_USER, user)


def session_principal(request: Request, ctx: ResponderContext) -> Principal | None:
    """The signed-in member of staff, with the role the settings give them now.

    The cookie's stored session was checked before the request reached the route
    (`staff_user`, set by the responder's session middleware): an ended one signs no one in.
    """
    name: str | None = getattr(request.state, STATE_USER, None)
    account = ctx.settings.responder_users.get(name) if name else None
    if name is None or account is None:  # a removed user's cookie no longer works
        return None
    return Principal(name=name, role=account.role)


class LoginRequired(Exception):
    """A page asked for without a staff session: answered with a redirect to /login that
    comes back to `target` (path and query) after signing in."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def login_redirect(_: Request, exc: Exception) -> Response:
    """The handler for `LoginRequired` (installed by the responder's app)."""
    target = exc.target if isinstance(exc, LoginRequired) else "/"
    return RedirectResponse(url=f"/login?{urlencode({'next': target})}", status_code=303)


def session_user(request: Request, ctx: ResponderContext) -> str | None:
    principal = session_principal(request, ctx)
    return principal.name if principal else None


def current_user(request: Request, ctx: ResponderContext) -> str:
    return current_principal(request, ctx).name


def current_principal(request: Request, ctx: ResponderContext) -> Principal:
    principal = session_principal(request, ctx)
    if principal:
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(sent, ctx.signer.csrf(request.cookies[COOKIE])):
                raise HTTPException(status_code=403, detail="missing or invalid CSRF token")
        return principal
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    expected = ctx.settings.api_token.get_secret_value()
    if scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), expected.encode()):
        return Principal(name=API_USER, role=StaffRole.admin)
    raise HTTPException(
        status_code=401,
        detail="sign in or send a bearer token",
        headers={"WWW-Authenticate": "Bearer"},
    )
