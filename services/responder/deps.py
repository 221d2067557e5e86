"""What the responder's routes and handlers are given: made once in the lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from services.responder.auth import (
    LoginRequired,
    Principal,
    SessionSigner,
    current_principal,
    current_user,
    require_role,
    session_principal,
)
from services.responder.config import ResponderSettings
from services.responder.fact.flows import FactAnswerer
from services.responder.metrics import ResponderMetrics
from services.responder.queue_item.service import Drafter, FollowUpDrafter
from services.responder.sla.policy import SlaPolicy
from services.responder.users import StaffRole
from shared.runtime import Runtime
from shared.throttle import FailureThrottle


@dataclass
class ResponderContext:
    settings: ResponderSettings
    runtime: Runtime
    metrics: ResponderMetrics
    drafter: Drafter
    follow_up_drafter: FollowUpDrafter
    policy: SlaPolicy
    signer: SessionSigner
    #: Seller facts for the drafts (and the facts API's catalog to refresh after edits).
    facts: FactAnswerer | None = None
    #: Failed sign-ins per account, and per client address (several staff may share a
    #: proxy's address, so it gets a larger budget) (audit M5).
    account_throttle: FailureThrottle = field(default_factory=FailureThrottle)
    client_throttle: FailureThrottle = field(
        default_factory=lambda: FailureThrottle(max_failures=30)
    )


def get_context(request: Request) -> ResponderContext:
    ctx: ResponderContext = request.app.state.ctx
    return ctx


async def get_user(request: Request) -> str:
    """Who is calling: a signed-in staff member (cookie) or the API token holder."""
    return current_user(request, request.app.state.ctx)


Context = Annotated[ResponderContext, Depends(get_context)]
User = Annotated[str, Depends(get_user)]


async def get_principal(request: Request) -> Principal:
    """Who is calling and with which role (agent < manager < admin; the API token is admin)."""
    return current_principal(request, request.app.state.ctx)


Staff = Annotated[Principal, Depends(get_principal)]


async def get_page_principal(request: Request) -> Principal:
    """The signed-in member of staff an HTML page is for; a stranger (or the API token,
    which pages do not take) is sent to /login and back to the same page, query included."""
    principal = session_principal(request, request.app.state.ctx)
    if principal is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise LoginRequired(request.url.path + query)
    return principal


PageStaff = Annotated[Principal, Depends(get_page_principal)]


async def require_dlq_admin(principal: Staff) -> None:
    """The dead-letter API is for admins (an admin member of staff, or the API token)."""
    require_role(principal, StaffRole.admin, "the DLQ API")
