"""The escalation API: list, read, acknowledge; the signed acknowledgement link's pages."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from services.alerts.deps import Metrics, NotifierDep, Sessions, Settings, require_admin
from services.alerts.escalation import flows
from services.alerts.escalation.models import Escalation
from services.alerts.escalation.schemas import AckIn, EscalationRead
from services.alerts.escalation.status import EscalationStatus
from services.alerts.escalation.tokens import AckTokenError, verify_ack_token
from shared.db import session_scope
from shared.events import utcnow
from shared.http import MAX_OFFSET, Conflict, DomainError, NotFound

router = APIRouter(prefix="/api", tags=["alerts"])
auth = [Depends(require_admin)]


@router.get("/escalations", response_model=list[EscalationRead], dependencies=auth)
async def get_escalations(
    sessions: Sessions,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(EscalationStatus) + ")$")] = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[EscalationRead]:
    """Escalations, newest first."""
    stmt = select(Escalation).order_by(Escalation.created_at.desc(), Escalation.id)
    if status:
        stmt = stmt.where(Escalation.status == status)
    if owner:
        stmt = stmt.where(Escalation.owner_id == owner)
    async with session_scope(sessions) as session:
        rows = (await session.execute(stmt.limit(limit).offset(offset))).scalars()
        return [EscalationRead.of(r) for r in rows]


@router.get("/escalations/{escalation_id}", response_model=EscalationRead, dependencies=auth)
async def get_escalation(escalation_id: str, sessions: Sessions) -> EscalationRead:
    """One escalation with the steps already taken."""
    async with session_scope(sessions) as session:
        row = await session.get(Escalation, escalation_id)
        if row is None:
            raise NotFound(f"no escalation {escalation_id}")
        return EscalationRead.of(row)


@router.post("/escalations/{escalation_id}/ack", response_model=EscalationRead, dependencies=auth)
async def acknowledge_escalation(
    escalation_id: str,
    sessions: Sessions,
    notifier: NotifierDep,
    metrics: Metrics,
    ack_in: Annotated[AckIn | None, Body()] = None,
) -> EscalationRead:
    """Stop the climb: someone has it."""
    # The locks keep a step being taken at this moment (here or in another replica)
    # from overwriting the ack.
    async with notifier.lock_for(escalation_id):
        async with session_scope(sessions) as session:
            row = await flows.locked(session, escalation_id)
            if row is None:
                raise NotFound(f"no escalation {escalation_id}")
            if row.status == EscalationStatus.closed:
                raise Conflict("the escalation is already closed (SLA met)")
            flows.acknowledge(row, (ack_in or AckIn()).by, utcnow(), metrics)
    return EscalationRead.of(row)


def escalation_of_link(token: str, settings: Settings) -> str:
    """The escalation a signed link names; 400 naming the fault when it is not valid."""
    secret = settings.alerts_ack_secret.get_secret_value().encode()
    try:
        return verify_ack_token(secret, token)
    except AckTokenError as exc:
        raise DomainError(
            f"acknowledgement link: {exc}", code="bad_ack_link", status_code=400
        ) from None


@router.get("/ack/{token}", response_class=HTMLResponse)
async def confirm_acknowledgement(
    token: str, sessions: Sessions, settings: Settings
) -> HTMLResponse:
    """The signed link in a notification shows a confirmation page; it changes nothing.

    Mail scanners and chat unfurlers open links: only the button (a POST) acknowledges.
    """
    escalation_id = escalation_of_link(token, settings)
    async with session_scope(sessions) as session:
        row = await session.get(Escalation, escalation_id)
        if row is None:
            raise NotFound("the escalation no longer exists")
        status = row.status
    if status != EscalationStatus.open:
        return _ack_page(f"This escalation is already {status}.", form=False)
    return _ack_page("A negative review is waiting for an owner.", form=True)


@router.post("/ack/{token}", response_class=HTMLResponse)
async def acknowledge_by_link(
    token: str, sessions: Sessions, settings: Settings, notifier: NotifierDep, metrics: Metrics
) -> HTMLResponse:
    """The confirmation page's button: acknowledges (idempotent)."""
    escalation_id = escalation_of_link(token, settings)
    async with notifier.lock_for(escalation_id):
        async with session_scope(sessions) as session:
            row = await flows.locked(session, escalation_id)
            if row is None:
                raise NotFound("the escalation no longer exists")
            first = flows.acknowledge(row, "link", utcnow(), metrics)
    message = "Acknowledged. Thank you." if first else "It was already acknowledged."
    return _ack_page(message, form=False)


def _ack_page(message: str, *, form: bool) -> HTMLResponse:
    """A static page (no data from reviews in it); the form posts back to the same URL."""
    button = (
        '<form method="post"><button type="submit">Acknowledge: I take it</button></form>'
        if form
        else ""
    )
    return HTMLResponse(
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Otklik</title>'
        f"<p>{html.escape(message)}</p>{button}</html>"
    )
