"""The seller facts API: list, read, create, update, delete (owners edit, agents read),
the audit trail (who, when, before/after), and a try-a-question match."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.exc import IntegrityError

from services.responder.auth import require_role
from services.responder.deps import Context, ResponderContext, Staff
from services.responder.fact.contract import FACT_TOPICS
from services.responder.fact.flows import FactAnswerer, FactCatalog
from services.responder.fact.matching import match
from services.responder.fact.resolution import resolve
from services.responder.fact.schemas import (
    ID_PATTERN,
    PLATFORM_PATTERN,
    AuditPage,
    FactAuditRead,
    FactCreate,
    FactPage,
    FactRead,
    FactUpdate,
    FactUseRead,
    MatchIn,
    MatchResult,
)
from services.responder.fact.service import (
    FactFilter,
    create_fact,
    delete_fact,
    get_fact,
    list_audit,
    list_facts,
    update_fact,
)
from services.responder.users import StaffRole
from shared.db import session_scope
from shared.http import Conflict

router = APIRouter(prefix="/api/facts", tags=["facts"])

FactId = Annotated[str, Path(pattern=ID_PATTERN, description="the fact's id")]
TOPICS = "^(" + "|".join(FACT_TOPICS) + ")$"


def answerer(ctx: ResponderContext) -> FactAnswerer:
    if ctx.facts is None:  # every app made by create_app has one
        return FactAnswerer(catalog=FactCatalog(ctx.runtime.sessions))
    return ctx.facts


def _edited(ctx: ResponderContext) -> None:
    """The drafts see an edit at once (other replicas within the refresh interval)."""
    answerer(ctx).catalog.invalidate()


@router.get("", response_model=FactPage)
async def get_facts(
    ctx: Context,
    user: Staff,
    topic: Annotated[str | None, Query(pattern=TOPICS)] = None,
    sku: Annotated[str | None, Query(max_length=200)] = None,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    platform: Annotated[str | None, Query(pattern=PLATFORM_PATTERN)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> FactPage:
    """Live facts: shop-wide first, then brands, then products; by topic."""
    require_role(user, StaffRole.agent, "reading seller facts")
    f = FactFilter(
        topic=topic,
        sku=sku or None,
        brand=brand or None,
        platform=platform,
        q=q or None,
        limit=limit,
        offset=offset,
    )
    async with session_scope(ctx.runtime.sessions) as session:
        rows, total = await list_facts(session, f)
        items = [FactRead.model_validate(r) for r in rows]
    return FactPage(items=items, total=total, limit=limit, offset=offset)


@router.post("", response_model=FactRead, status_code=201)
async def create_seller_fact(fact_in: FactCreate, ctx: Context, user: Staff) -> FactRead:
    """Add a fact (owner or admin)."""
    require_role(user, StaffRole.manager, "adding a seller fact")
    try:
        async with session_scope(ctx.runtime.sessions) as session:
            record = await create_fact(session, fact_in=fact_in, actor=user.name, role=user.role)
            await session.flush()
            read = FactRead.model_validate(record)
    except IntegrityError as exc:  # created at the same moment by someone else
        raise Conflict(f"a seller fact with id {fact_in.id!r} already exists") from exc
    _edited(ctx)
    return read


@router.get("/audit", response_model=AuditPage)
async def get_audit(
    ctx: Context,
    user: Staff,
    fact_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> AuditPage:
    """Who changed which fact and when, with the fact before and after; newest first."""
    require_role(user, StaffRole.agent, "reading the seller facts audit")
    async with session_scope(ctx.runtime.sessions) as session:
        rows, total = await list_audit(session, fact_id=fact_id, limit=limit, offset=offset)
        items = [FactAuditRead.model_validate(r) for r in rows]
    return AuditPage(items=items, total=total, limit=limit, offset=offset)


@router.post("/match", response_model=MatchResult)
async def match_question(match_in: MatchIn, ctx: Context, user: Staff) -> MatchResult:
    """Which fact would answer this question for this product on this platform."""
    require_role(user, StaffRole.agent, "trying seller facts")
    facts = answerer(ctx)
    fact_set = resolve(
        await facts.catalog.facts(),
        sku=match_in.sku,
        brand=match_in.brand,
        platform=match_in.platform,
    )
    answer = await match(
        match_in.question,
        fact_set,
        match_in.language,
        facts.embedder,
        cache=facts.cache,
        settings=facts.settings,
    )
    return MatchResult(
        answer=FactUseRead(
            id=answer.fact.id,
            topic=answer.fact.topic,
            question=answer.question,
            wording=answer.wording,
            method=answer.method,
            score=answer.score,
        )
        if answer
        else None,
        candidates=[f.id for f in fact_set.facts],
    )


@router.get("/{fact_id}", response_model=FactRead)
async def get_seller_fact(fact_id: FactId, ctx: Context, user: Staff) -> FactRead:
    """One fact."""
    require_role(user, StaffRole.agent, "reading seller facts")
    async with session_scope(ctx.runtime.sessions) as session:
        return FactRead.model_validate(await get_fact(session, fact_id))


@router.put("/{fact_id}", response_model=FactRead)
async def update_seller_fact(
    fact_id: FactId, fact_in: FactUpdate, ctx: Context, user: Staff
) -> FactRead:
    """Replace a fact's content (owner or admin); ``revision`` guards against lost edits."""
    require_role(user, StaffRole.manager, "editing a seller fact")
    async with session_scope(ctx.runtime.sessions) as session:
        record = await update_fact(
            session, fact_id=fact_id, fact_in=fact_in, actor=user.name, role=user.role
        )
        await session.flush()
        read = FactRead.model_validate(record)
    _edited(ctx)
    return read


@router.delete("/{fact_id}", response_model=FactRead)
async def delete_seller_fact(fact_id: FactId, ctx: Context, user: Staff) -> FactRead:
    """Delete a fact (owner or admin); the facts file does not bring it back."""
    require_role(user, StaffRole.manager, "deleting a seller fact")
    async with session_scope(ctx.runtime.sessions) as session:
        record = await get_fact(session, fact_id)
        read = FactRead.model_validate(record)
        await delete_fact(session, fact_id=fact_id, actor=user.name, role=user.role)
    _edited(ctx)
    return read


@router.get("/{fact_id}/audit", response_model=AuditPage)
async def get_fact_audit(
    fact_id: FactId,
    ctx: Context,
    user: Staff,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> AuditPage:
    """One fact's history, newest first."""
    return await get_audit(ctx, user, fact_id=fact_id, limit=limit, offset=offset)
