"""GET /api/sources: each source's health, as support staff and ops see it; and a
source's history import (backfill), run inside the service on the live connector."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from services.ingest.deps import IngestContext, get_context, require_admin
from services.ingest.source.backfill import DEFAULT_MAX_PAGES, DateRange
from services.ingest.source.backfill_jobs import BackfillJob, BackfillRefused
from services.ingest.source.poller import list_states
from shared.db import session_scope
from shared.http import DomainError

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
    #: Renew soon: e.g. the API token expires in a few days (read from the token).
    warning: str | None = None


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
                warning=poller.warning,
            )
        )
    return result


class BackfillStart(BaseModel):
    """Whole UTC days, both included."""

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    max_pages: int = Field(default=DEFAULT_MAX_PAGES, ge=1, le=1_000_000)
    include_answered: bool = False
    #: Pages per second at most for this import (below the account's own limit).
    rate_per_s: float | None = Field(default=None, gt=0)


class BackfillRead(BaseModel):
    source_id: str
    first: date
    last: date
    state: str
    error: str | None
    pages: int
    fetched: int
    in_range: int
    new: int
    updated: int
    duplicate: int
    truncated: bool
    elapsed_s: float


def _read(job: BackfillJob) -> BackfillRead:
    p = job.progress
    return BackfillRead(
        source_id=job.source_id,
        first=job.span.first,
        last=job.span.last,
        state=str(job.state),
        error=job.error,
        pages=p.pages,
        fetched=p.fetched,
        in_range=p.in_range,
        new=p.new,
        updated=p.updated,
        duplicate=p.duplicate,
        truncated=p.truncated,
        elapsed_s=round(p.elapsed, 3),
    )


@router.post(
    "/sources/{source_id}/backfill",
    response_model=BackfillRead,
    status_code=status.HTTP_202_ACCEPTED,
)
async def start_backfill(
    source_id: str, body: BackfillStart, ctx: Annotated[IngestContext, Depends(get_context)]
) -> BackfillRead:
    """Import the source's history for a date range, sharing the live poller's rate
    limit (the same connector); one import per source at a time."""
    try:
        span = DateRange(body.first, body.last)
        job = ctx.backfills.start(
            source_id,
            span,
            max_pages=body.max_pages,
            include_answered=body.include_answered,
            rate_per_s=body.rate_per_s,
        )
    except ValueError as exc:
        raise DomainError(str(exc), code="invalid_range", status_code=422) from None
    except BackfillRefused as exc:
        raise DomainError(str(exc), code="backfill_refused", status_code=exc.status) from None
    return _read(job)


@router.get("/sources/{source_id}/backfill", response_model=BackfillRead)
async def get_backfill(
    source_id: str, ctx: Annotated[IngestContext, Depends(get_context)]
) -> BackfillRead:
    """The source's last backfill and its progress."""
    job = ctx.backfills.get(source_id)
    if job is None:
        raise DomainError(f"no backfill of {source_id!r}", code="not_found", status_code=404)
    return _read(job)
