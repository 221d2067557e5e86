"""The notification API: the delivery log, where failing channels are visible."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from services.alerts.deps import Sessions, require_admin
from services.alerts.notification.models import NotificationLog
from services.alerts.notification.schemas import NotificationRead
from shared.db import session_scope

router = APIRouter(prefix="/api", tags=["alerts"], dependencies=[Depends(require_admin)])


@router.get("/notifications", response_model=list[NotificationRead])
async def get_notifications(
    sessions: Sessions,
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
    async with session_scope(sessions) as session:
        return [NotificationRead.model_validate(r) for r in (await session.execute(stmt)).scalars()]
