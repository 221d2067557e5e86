"""Binds the draft engine to the queue: settings in, a `Drafter` and a `FollowUpDrafter` out."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from services.responder.config import ResponderSettings
from services.responder.draft.engine import (
    Draft,
    DraftError,
    DraftSettings,
    default_library,
    draft_reply,
)
from services.responder.fact.flows import FactAnswerer, FactPlan
from services.responder.queue_item.edits import split_by_moves
from services.responder.queue_item.service import AnswerOut, Drafter, DraftOut, FollowUpDrafter
from services.responder.script.loader import ScriptLibrary, load_scripts
from services.responder.script.model import MoveSpec
from shared.events import Classification, Mention
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Drafters:
    """The first answer's drafter and the resolved case's follow-up drafter, one library."""

    reply: Drafter
    follow_up: FollowUpDrafter


@lru_cache(maxsize=64)
def _parameters(engine: Callable[..., Any]) -> frozenset[str]:
    """The engine's parameter names, read once (`inspect.signature` costs more than a
    short draft)."""
    return frozenset(inspect.signature(engine).parameters)


def engine_fact_kwargs(engine: Callable[..., Any], plan: FactPlan | None) -> dict[str, Any]:
    """``facts=`` and ``answers=`` for an engine that takes them; nothing for one that does
    not (the fact shows on the item either way, for the agent to confirm)."""
    if plan is None:
        return {}
    params = _parameters(engine)
    kwargs: dict[str, Any] = {}
    if "facts" in params:
        kwargs["facts"] = plan.fact_set
    if "answers" in params:
        kwargs["answers"] = plan.answers
    return kwargs


def build_drafters(settings: ResponderSettings, facts: FactAnswerer | None = None) -> Drafters:
    """Scripts are loaded (and validated) here, at start: a broken script stops the service.

    With `facts`, each first answer's draft gets the seller facts that apply to the mention
    and the fact (if any) that answers each of its questions.
    """
    library: ScriptLibrary = (
        load_scripts(settings.responder_scripts_dir)
        if settings.responder_scripts_dir
        else default_library()
    )
    draft_settings = DraftSettings(
        brand=settings.responder_brand,
        support_contact=settings.responder_support_contact,
        similarity_threshold=settings.responder_similarity_threshold,
    )

    def draft(
        mention: Mention,
        classification: Classification,
        recent: Sequence[str],
        seed: int,
        resolution: str | None,
        plan: FactPlan | None = None,
        family: str | None = None,
    ) -> DraftOut:
        used = tuple(plan.uses()) if plan else ()
        extra: dict[str, Any] = engine_fact_kwargs(draft_reply, plan)
        try:
            result = draft_reply(
                mention=mention,
                classification=classification,
                recent_replies=recent,
                seed=seed,
                settings=draft_settings,
                library=library,
                resolution=resolution,
                family=family,
                **extra,
            )
        except DraftError as exc:
            # The item still opens (the case still resolves): a person writes the text.
            log.warning("no draft for mention", error=str(exc))
            return DraftOut(text="", script_id=None, similarity=None, family=family, facts=used)
        topics = tuple(sorted({f.topic for f in plan.fact_set.facts})) if plan else ()
        return replace(draft_out(result, library), facts=used, fact_topics=topics)

    async def reply(
        mention: Mention,
        classification: Classification,
        recent: Sequence[str],
        seed: int,
        /,
        *,
        family: str | None = None,
    ) -> DraftOut:
        plan = await facts.plan(mention, classification) if facts else None
        return draft(mention, classification, recent, seed, None, plan, family)

    def follow_up(
        mention: Mention,
        classification: Classification,
        resolution: str,
        recent: Sequence[str],
        seed: int,
    ) -> DraftOut:
        return draft(mention, classification, recent, seed, resolution)

    return Drafters(reply=reply, follow_up=follow_up)


def draft_out(result: Draft, library: ScriptLibrary) -> DraftOut:
    """What the queue keeps of an engine draft: text, family, moves' parts, answers."""
    return DraftOut(
        text=result.text,
        script_id=result.script_id,
        similarity=result.similarity,
        family=result.family,
        parts=draft_parts(result, library),
        answers=tuple(
            AnswerOut(question=a.question, fact_id=a.fact_id, text=a.text) for a in result.answers
        ),
        facts_used=tuple(result.facts_used),
    )


def draft_parts(result: Draft, library: ScriptLibrary) -> tuple[tuple[str, str], ...] | None:
    """Which text each move wrote (the per-move learning compares them with what was
    published): the engine's own record when it kept one (exact: a move of two sentences,
    a next step of two steps stay whole); else the draft's sentences aligned with the moves
    by the script's phrasings."""
    if result.part_texts and len(result.part_texts) == len(result.moves):
        return result.part_texts
    doc = library.languages.get(result.language)
    script = next((s for s in doc.scripts if s.id == result.script_id), None) if doc else None
    if doc is None or script is None:
        return None
    by_move: dict[str, MoveSpec] = {spec.move: spec for spec in script.moves}
    shared: dict[str, list[str]] = {str(m): list(p) for m, p in doc.phrasings.items()}
    phrasings: list[Sequence[str]] = []
    for move in result.moves:
        spec = by_move.get(move)
        own = spec.phrasings if spec is not None and spec.phrasings is not None else None
        phrasings.append(own or shared.get(move, []))
    found = split_by_moves(result.text, result.moves, phrasings)
    return tuple(found) if found is not None else None
