"""Phrasing suggestions: an agent offers a sentence they wrote as a new phrasing of a
move; an owner approves or rejects it; approved ones are exported as the scripts' YAML
(`phrasings:` by move) for whoever edits the script files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from services.responder.auth import require_role
from services.responder.deps import Context, Staff
from services.responder.queue_item.learning import (
    approved_phrasings,
    list_suggestions,
    phrasings_yaml,
    review_suggestion,
    suggest_phrasing,
)
from services.responder.queue_item.schemas import SuggestionIn, SuggestionRead, SuggestionReview
from services.responder.queue_item.service import get_item, record_action
from services.responder.users import StaffRole
from shared.db import session_scope

router = APIRouter(prefix="/api", tags=["phrasings"])


@router.post("/queue/{mention_id}/phrasings", response_model=SuggestionRead, status_code=201)
async def suggest(
    mention_id: str, suggestion_in: SuggestionIn, ctx: Context, user: Staff
) -> SuggestionRead:
    """Offer a sentence of this reply as a new phrasing of `move` (an owner reviews it)."""
    require_role(user, StaffRole.agent, "suggesting a phrasing")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        suggestion = suggest_phrasing(
            session,
            item,
            text=suggestion_in.text,
            move=suggestion_in.move,
            replaces=suggestion_in.replaces,
            user=user.name,
        )
        record_action(
            session,
            item,
            action="suggest_phrasing",
            note=f"{suggestion.move}: {suggestion.text}",
            actor=user.name,
            role=user.role,
        )
        await session.flush()
        return SuggestionRead.model_validate(suggestion)


@router.get("/phrasings", response_model=list[SuggestionRead])
async def suggestions(
    ctx: Context,
    user: Staff,
    state: Annotated[str | None, Query(pattern=r"^(pending|approved|rejected)$")] = "pending",
) -> list[SuggestionRead]:
    """Suggestions, newest first (pending by default)."""
    require_role(user, StaffRole.manager, "reviewing phrasing suggestions")
    async with session_scope(ctx.runtime.sessions) as session:
        rows = await list_suggestions(session, state=state)
        return [SuggestionRead.model_validate(r) for r in rows]


@router.post("/phrasings/{suggestion_id}/review", response_model=SuggestionRead)
async def review(
    suggestion_id: int, review_in: SuggestionReview, ctx: Context, user: Staff
) -> SuggestionRead:
    """Approve or reject a pending suggestion (an owner's call; once)."""
    require_role(user, StaffRole.manager, "reviewing phrasing suggestions")
    async with session_scope(ctx.runtime.sessions) as session:
        suggestion = await review_suggestion(
            session,
            suggestion_id,
            decision=review_in.decision,
            note=review_in.note,
            user=user.name,
        )
        await session.flush()
        return SuggestionRead.model_validate(suggestion)


@router.get("/phrasings/export", response_class=PlainTextResponse)
async def export(
    ctx: Context,
    user: Staff,
    language: Annotated[str, Query(min_length=2, max_length=8, pattern=r"^[a-z]{2,8}$")],
) -> PlainTextResponse:
    """Approved phrasings of one language in the scripts' YAML format, by move."""
    require_role(user, StaffRole.manager, "exporting phrasings")
    async with session_scope(ctx.runtime.sessions) as session:
        by_move = await approved_phrasings(session, language)
    return PlainTextResponse(
        phrasings_yaml(language, by_move),
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="phrasings-{language}.yaml"'},
    )
