"""The alerts API: escalations and acknowledgement, crises, notification log, directory."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from services.alerts.assignment.models import Assignment
from services.alerts.crisis import domain as crisis_domain
from services.alerts.crisis import flows as crisis_flows
from services.alerts.crisis.models import CrisisRecord
from services.alerts.deps import AlertsContext, Context
from services.alerts.escalation import flows
from services.alerts.escalation.models import Escalation, NotificationLog
from services.alerts.escalation.tokens import AckTokenError, verify_ack_token
from services.alerts.owner import service as owner_service
from services.alerts.owner.config import ConfigError
from shared.db import session_scope
from shared.events import utcnow
from shared.http import MAX_OFFSET, Conflict, DomainError, NotFound, require_token


class EscalationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    mention_id: str
    status: str
    owner_id: str
    reason: str
    title: str
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    next_wakeup_at: datetime | None
    steps_done: list[str] = []


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    notification_id: str
    escalation_id: str | None
    recipient_id: str | None
    channel: str
    ok: bool
    status_code: int | None
    error: str | None
    latency_s: float
    attempts: int
    created_at: datetime


class AckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = "api"


def _escalation(row: Escalation) -> EscalationRead:
    read = EscalationRead.model_validate(row)
    return read.model_copy(update={"steps_done": sorted(row.state.get("done_keys") or [])})


def build_router(api_token: str) -> APIRouter:
    auth = [Depends(require_token(api_token))]
    router = APIRouter(prefix="/api", tags=["alerts"])

    @router.get("/escalations", response_model=list[EscalationRead], dependencies=auth)
    async def get_escalations(
        ctx: Context,
        status: Annotated[str | None, Query(pattern=r"^(open|acknowledged|closed)$")] = None,
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
        async with session_scope(ctx.runtime.sessions) as session:
            rows = (await session.execute(stmt.limit(limit).offset(offset))).scalars()
            return [_escalation(r) for r in rows]

    @router.get("/escalations/{escalation_id}", response_model=EscalationRead, dependencies=auth)
    async def get_escalation(escalation_id: str, ctx: Context) -> EscalationRead:
        """One escalation with the steps already taken."""
        async with session_scope(ctx.runtime.sessions) as session:
            row = await session.get(Escalation, escalation_id)
            if row is None:
                raise NotFound(f"no escalation {escalation_id}")
            return _escalation(row)

    @router.post(
        "/escalations/{escalation_id}/ack", response_model=EscalationRead, dependencies=auth
    )
    async def acknowledge_escalation(
        escalation_id: str, ctx: Context, ack_in: Annotated[AckIn | None, Body()] = None
    ) -> EscalationRead:
        """Stop the climb: someone has it."""
        # The lock keeps a step being taken at this moment from overwriting the ack.
        async with ctx.notifier.lock_for(escalation_id):
            async with session_scope(ctx.runtime.sessions) as session:
                row = await session.get(Escalation, escalation_id)
                if row is None:
                    raise NotFound(f"no escalation {escalation_id}")
                if row.status == "closed":
                    raise Conflict("the escalation is already closed (SLA met)")
                flows.acknowledge(row, (ack_in or AckIn()).by, utcnow(), ctx.metrics)
        return _escalation(row)

    def escalation_of_link(token: str, ctx: AlertsContext) -> str:
        secret = ctx.settings.alerts_ack_secret.get_secret_value().encode()
        try:
            return verify_ack_token(secret, token)
        except AckTokenError as exc:
            raise DomainError(
                f"acknowledgement link: {exc}", code="bad_ack_link", status_code=400
            ) from None

    @router.get("/ack/{token}", response_class=HTMLResponse)
    async def confirm_acknowledgement(token: str, ctx: Context) -> HTMLResponse:
        """The signed link in a notification shows a confirmation page; it changes nothing.

        Mail scanners and chat unfurlers open links: only the button (a POST) acknowledges.
        """
        escalation_id = escalation_of_link(token, ctx)
        async with session_scope(ctx.runtime.sessions) as session:
            row = await session.get(Escalation, escalation_id)
            if row is None:
                raise NotFound("the escalation no longer exists")
            status = row.status
        if status != "open":
            return _ack_page(f"This escalation is already {status}.", form=False)
        return _ack_page("A negative review is waiting for an owner.", form=True)

    @router.post("/ack/{token}", response_class=HTMLResponse)
    async def acknowledge_by_link(token: str, ctx: Context) -> HTMLResponse:
        """The confirmation page's button: acknowledges (idempotent)."""
        escalation_id = escalation_of_link(token, ctx)
        async with ctx.notifier.lock_for(escalation_id):
            async with session_scope(ctx.runtime.sessions) as session:
                row = await session.get(Escalation, escalation_id)
                if row is None:
                    raise NotFound("the escalation no longer exists")
                first = flows.acknowledge(row, "link", utcnow(), ctx.metrics)
        message = "Acknowledged. Thank you." if first else "It was already acknowledged."
        return _ack_page(message, form=False)

    @router.get("/notifications", response_model=list[NotificationRead], dependencies=auth)
    async def get_notifications(
        ctx: Context,
        escalation_id: Annotated[str | None, Query(max_length=36)] = None,
        failed: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[NotificationRead]:
        """The delivery log of notifications: failing channels are visible here."""
        stmt = select(NotificationLog).order_by(NotificationLog.id.desc()).limit(limit)
        if escalation_id:
            stmt = stmt.where(NotificationLog.escalation_id == escalation_id)
        if failed is not None:
            stmt = stmt.where(NotificationLog.ok.is_(not failed))
        async with session_scope(ctx.runtime.sessions) as session:
            return [
                NotificationRead.model_validate(r) for r in (await session.execute(stmt)).scalars()
            ]

    @router.get("/assignments/{mention_id}", dependencies=auth)
    async def get_assignment(mention_id: str, ctx: Context) -> dict[str, Any]:
        """Who owns a mention."""
        async with session_scope(ctx.runtime.sessions) as session:
            row = await session.get(Assignment, mention_id)
            if row is None:
                raise NotFound(f"no assignment for {mention_id}")
            return {
                "mention_id": row.mention_id,
                "owner_id": row.owner_id,
                "team_id": row.team_id,
                "rule_id": row.rule_id,
            }

    @router.get("/crises", dependencies=auth)
    async def get_crises(
        ctx: Context,
        status: Annotated[str | None, Query(pattern=r"^(open|acknowledged|resolved)$")] = None,
    ) -> list[dict[str, Any]]:
        """Crises with their evidence, newest first."""
        stmt = select(CrisisRecord).order_by(CrisisRecord.opened_at.desc()).limit(200)
        if status:
            stmt = stmt.where(CrisisRecord.status == status)
        async with session_scope(ctx.runtime.sessions) as session:
            return [r.data for r in (await session.execute(stmt)).scalars()]

    @router.post("/crises/{crisis_id}/{action}", dependencies=auth)
    async def change_crisis(
        crisis_id: str, action: str, ctx: Context, ack_in: Annotated[AckIn | None, Body()] = None
    ) -> dict[str, Any]:
        """acknowledge | resolve | reopen a crisis."""
        transitions = {
            "acknowledge": crisis_domain.acknowledge,
            "resolve": crisis_domain.resolve,
            "reopen": crisis_domain.reopen,
        }
        if action not in transitions:
            raise NotFound(f"unknown action {action!r} (acknowledge, resolve, reopen)")
        async with session_scope(ctx.runtime.sessions) as session:
            row = await session.get(CrisisRecord, crisis_id)
            if row is None:
                raise NotFound(f"no crisis {crisis_id}")
            try:
                crisis = transitions[action](
                    crisis_flows.from_json(row.data), (ack_in or AckIn()).by, utcnow()
                )
            except crisis_domain.CrisisTransitionError as exc:
                raise Conflict(str(exc)) from None
            row.data = crisis_flows.to_json(crisis)
            row.status = crisis.status.value
            row.updated_at = utcnow()
            return row.data

    @router.get("/directory", dependencies=auth)
    async def get_directory(ctx: Context) -> dict[str, Any]:
        """People, teams, routing rules and the default owner."""
        return {"version": ctx.config_version, **ctx.config.model_dump(mode="json")}

    @router.put("/directory", dependencies=auth)
    async def put_directory(
        ctx: Context, document: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        """Replace the directory; refused as a whole (422, naming each field) if invalid."""
        document.pop("version", None)
        try:
            async with session_scope(ctx.runtime.sessions) as session:
                config, version = await owner_service.replace(session, document)
        except ConfigError as exc:
            raise DomainError(str(exc), code="invalid_directory", status_code=422) from None
        ctx.config, ctx.config_version = config, version
        return {"version": version, **config.model_dump(mode="json")}

    return router


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
