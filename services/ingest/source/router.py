"""GET /api/sources: each source's health, as support staff and ops see it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from services.ingest.deps import IngestContext, get_context, require_admin
from services.ingest.source.poller import list_states
from shared.db import session_scope

# Source health names accounts and carries platform error text: staff only.
router = APIRouter(prefix="/api", tags=["sources"], dependencies=[Depends(require_admin)])


class SourceRead(BaseModel):
    source_id: str
    platform: str
    enabled: bool
    healthy: bool
    consecutive_failures: int
    last_error: str | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    mentions_total: int


@router.get("/sources", response_model=list[SourceRead])
async def get_sources(ctx: Annotated[IngestContext, Depends(get_context)]) -> list[SourceRead]:
    """Configured sources with their poll health."""
    async with session_scope(ctx.runtime.sessions) as session:
        states = {s.source_id: s for s in await list_states(session)}
    result = []
    for source_id, poller in sorted(ctx.pollers.items()):
        state = states.get(source_id)
        result.append(
            SourceRead(
                source_id=source_id,
                platform=poller.config.platform,
                enabled=poller.config.enabled,
                healthy=state.healthy if state else True,
                consecutive_failures=state.consecutive_failures if state else 0,
                last_error=state.last_error if state else None,
                last_success_at=state.last_success_at if state else None,
                last_attempt_at=state.last_attempt_at if state else None,
                mentions_total=state.mentions_total if state else 0,
            )
        )
    return result
