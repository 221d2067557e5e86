"""Sign-in for the reply queue: staff sessions in an HMAC-signed cookie, or the API token.

Form posts carry a CSRF token derived from the session, so a page elsewhere cannot make
a signed-in browser approve a reply.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request

from services.responder.users import StaffRole, verify_password
from shared.http import DomainError

if TYPE_CHECKING:
    from services.responder.deps import ResponderContext

COOKIE = "otklik_session"
API_USER = "api"


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
    account = ctx.settings.responder_users.get(user)
    stored = account.password_hash.get_secret_value() if account else None
    return verify_password(stored, password)  # an unknown user costs one verify too


def session_principal(request: Request, ctx: ResponderContext) -> Principal | None:
    """The signed-in member of staff, with the role the settings give them now."""
    token = request.cookies.get(COOKIE)
    name = ctx.signer.verify(token) if token else None
    account = ctx.settings.responder_users.get(name) if name else None
    if name is None or account is None:  # a removed user's cookie no longer works
        return None
    return Principal(name=name, role=account.role)


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
