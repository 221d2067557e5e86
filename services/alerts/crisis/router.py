"""The crisis API: crises with their evidence; acknowledge, resolve, reopen."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy import select

from services.alerts.crisis import domain as crisis_domain
from services.alerts.crisis import flows as crisis_flows
from services.alerts.crisis.models import CrisisRecord
from services.alerts.crisis.schemas import CrisisActionIn
from services.alerts.deps import Sessions, require_admin
from shared.db import session_scope
from shared.events import utcnow
from shared.http import Conflict, NotFound

router = APIRouter(prefix="/api", tags=["alerts"], dependencies=[Depends(require_admin)])

TRANSITIONS = {
    "acknowledge": crisis_domain.acknowledge,
    "resolve": crisis_domain.resolve,
    "reopen": crisis_domain.reopen,
}


@router.get("/crises")
async def get_crises(
    sessions: Sessions,
    status: Annotated[str | None, Query(pattern=r"^(open|acknowledged|resolved)$")] = None,
) -> list[dict[str, Any]]:
    """Crises with their evidence, newest first."""
    stmt = select(CrisisRecord).order_by(CrisisRecord.opened_at.desc()).limit(200)
    if status:
        stmt = stmt.where(CrisisRecord.status == status)
    async with session_scope(sessions) as session:
        return [r.data for r in (await session.execute(stmt)).scalars()]


@router.post("/crises/{crisis_id}/{action}")
async def change_crisis(
    crisis_id: str,
    action: str,
    sessions: Sessions,
    action_in: Annotated[CrisisActionIn | None, Body()] = None,
) -> dict[str, Any]:
    """acknowledge | resolve | reopen a crisis."""
    if action not in TRANSITIONS:
        raise NotFound(f"unknown action {action!r} (acknowledge, resolve, reopen)")
    async with session_scope(sessions) as session:
        row = await session.get(CrisisRecord, crisis_id)
        if row is None:
            raise NotFound(f"no crisis {crisis_id}")
        try:
            crisis = TRANSITIONS[action](
                crisis_flows.from_json(row.data), (action_in or CrisisActionIn()).by, utcnow()
            )
        except crisis_domain.CrisisTransitionError as exc:
            raise Conflict(str(exc)) from None
        row.data = crisis_flows.to_json(crisis)
        row.status = crisis.status.value
        row.updated_at = utcnow()
        return row.data
