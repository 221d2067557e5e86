"""The assignment API: who owns a mention."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from services.alerts.assignment.models import Assignment
from services.alerts.deps import Sessions, require_admin
from shared.db import session_scope
from shared.http import NotFound

router = APIRouter(prefix="/api", tags=["alerts"], dependencies=[Depends(require_admin)])


@router.get("/assignments/{mention_id}")
async def get_assignment(mention_id: str, sessions: Sessions) -> dict[str, Any]:
    """Who owns a mention."""
    async with session_scope(sessions) as session:
        row = await session.get(Assignment, mention_id)
        if row is None:
            raise NotFound(f"no assignment for {mention_id}")
        return {
            "mention_id": row.mention_id,
            "owner_id": row.owner_id,
            "team_id": row.team_id,
            "rule_id": row.rule_id,
        }
