"""Binds the draft engine to the queue: settings in, a `Drafter` and a `FollowUpDrafter` out."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from services.responder.config import ResponderSettings
from services.responder.draft.engine import (
    ANSWER_PLACEHOLDER,
    DraftError,
    DraftSettings,
    default_library,
    draft_reply,
)
from services.responder.fact.flows import FactAnswerer, FactPlan
from services.responder.queue_item.edits import split_by_moves
from services.responder.queue_item.service import AnswerOut, Drafter, DraftOut, FollowUpDrafter
from services.responder.script.loader import ScriptLibrary, load_scripts
from shared.events import Classification, Mention
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Drafters:
    """The first answer's drafter and the resolved case's follow-up drafter, one library."""

    reply: Drafter
    follow_up: FollowUpDrafter


def engine_fact_kwargs(engine: Callable[..., Any], plan: FactPlan | None) -> dict[str, Any]:
    """``facts=`` and ``answers=`` for an engine that takes them; nothing for one that does
    not (the fact shows on the item either way, for the agent to confirm)."""
    if plan is None:
        return {}
    params = inspect.signature(engine).parameters
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
        if family is not None and _ENGINE_TAKES_FAMILY:
            extra["family"] = family
        try:
            result = draft_reply(
                mention=mention,
                classification=classification,
                recent_replies=recent,
                seed=seed,
                settings=draft_settings,
                library=library,
                resolution=resolution,
                **extra,
            )
        except DraftError as exc:
            # The item still opens (the case still resolves): a person writes the text.
            log.warning("no draft for mention", error=str(exc))
            return DraftOut(text="", script_id=None, similarity=None, family=family, facts=used)
        return replace(draft_out(result, mention, classification, library), facts=used)

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


# --- temporary bridge to the draft engine of issue 13 (family, answers, facts) ----------
# The engine gains `family=`, `Draft.family`, `Draft.answers` and `Draft.facts_used` on
# another branch; until it is merged these read what the current engine has.
_ENGINE_TAKES_FAMILY = "family" in inspect.signature(draft_reply).parameters


def draft_out(
    result: Any, mention: Mention, classification: Classification, library: ScriptLibrary
) -> DraftOut:
    """What the queue keeps of an engine draft: text, family, moves' parts, answers."""
    script = _script(library, result.language, result.script_id)
    family = getattr(result, "family", None) or (script.family if script else None)
    return DraftOut(
        text=result.text,
        script_id=result.script_id,
        similarity=result.similarity,
        family=family,
        parts=draft_parts(result, library),
        answers=_answers(result, mention, classification),
        facts_used=tuple(getattr(result, "facts_used", ())),
    )


def _script(library: ScriptLibrary, language: str, script_id: str) -> Any:
    doc = library.languages.get(language)
    return next((s for s in doc.scripts if s.id == script_id), None) if doc else None


def draft_parts(result: Any, library: ScriptLibrary) -> tuple[tuple[str, str], ...] | None:
    """Which text each move wrote: the engine's own parts when it gives them, else found
    by matching the script's phrasings in the text."""
    given = getattr(result, "parts", None)
    if given is not None:
        return tuple((str(move), str(text)) for move, text in given)
    script = _script(library, result.language, result.script_id)
    if script is None:
        return None
    doc = library.languages[result.language]
    by_move = {spec.move: spec for spec in script.moves}
    phrasings: list[Sequence[str]] = []
    for move in result.moves:
        spec = by_move.get(move)
        own = spec.phrasings if spec is not None and spec.phrasings is not None else None
        phrasings.append(own or doc.phrasings.get(move, []))
    found = split_by_moves(result.text, result.moves, phrasings)
    return tuple(found) if found is not None else None


def _answers(
    result: Any, mention: Mention, classification: Classification
) -> tuple[AnswerOut, ...]:
    given = getattr(result, "answers", None)
    if given is not None:
        return tuple(AnswerOut(question=a.question, fact_id=a.fact_id, text=a.text) for a in given)
    if ANSWER_PLACEHOLDER not in result.text:
        return ()
    questions = [q.text for q in classification.questions] or [mention.text]
    return (AnswerOut(question=questions[0], fact_id=None, text=ANSWER_PLACEHOLDER),)
