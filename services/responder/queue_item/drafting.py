"""Binds the draft engine to the queue: settings in, a `Drafter` and a `FollowUpDrafter` out."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from services.responder.config import ResponderSettings
from services.responder.draft.engine import DraftError, DraftSettings, default_library, draft_reply
from services.responder.fact.flows import FactAnswerer, FactPlan
from services.responder.queue_item.service import Drafter, DraftOut, FollowUpDrafter
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
    ) -> DraftOut:
        used = tuple(plan.uses()) if plan else ()
        try:
            result = draft_reply(
                mention=mention,
                classification=classification,
                recent_replies=recent,
                seed=seed,
                settings=draft_settings,
                library=library,
                resolution=resolution,
                **engine_fact_kwargs(draft_reply, plan),
            )
        except DraftError as exc:
            # The item still opens (the case still resolves): a person writes the text.
            log.warning("no draft for mention", error=str(exc))
            return DraftOut(text="", script_id=None, similarity=None, facts=used)
        return DraftOut(
            text=result.text, script_id=result.script_id, similarity=result.similarity, facts=used
        )

    async def reply(
        mention: Mention, classification: Classification, recent: Sequence[str], seed: int
    ) -> DraftOut:
        plan = await facts.plan(mention, classification) if facts else None
        return draft(mention, classification, recent, seed, None, plan)

    def follow_up(
        mention: Mention,
        classification: Classification,
        resolution: str,
        recent: Sequence[str],
        seed: int,
    ) -> DraftOut:
        return draft(mention, classification, recent, seed, resolution)

    return Drafters(reply=reply, follow_up=follow_up)
