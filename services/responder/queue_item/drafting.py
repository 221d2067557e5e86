"""Binds the draft engine to the queue: settings in, a `Drafter` and a `FollowUpDrafter` out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.responder.config import ResponderSettings
from services.responder.draft.engine import DraftError, DraftSettings, default_library, draft_reply
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


def build_drafters(settings: ResponderSettings) -> Drafters:
    """Scripts are loaded (and validated) here, at start: a broken script stops the service."""
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
    ) -> DraftOut:
        try:
            result = draft_reply(
                mention=mention,
                classification=classification,
                recent_replies=recent,
                seed=seed,
                settings=draft_settings,
                library=library,
                resolution=resolution,
            )
        except DraftError as exc:
            # The item still opens (the case still resolves): a person writes the text.
            log.warning("no draft for mention", error=str(exc))
            return DraftOut(text="", script_id=None, similarity=None)
        return DraftOut(text=result.text, script_id=result.script_id, similarity=result.similarity)

    def reply(
        mention: Mention, classification: Classification, recent: Sequence[str], seed: int
    ) -> DraftOut:
        return draft(mention, classification, recent, seed, None)

    def follow_up(
        mention: Mention,
        classification: Classification,
        resolution: str,
        recent: Sequence[str],
        seed: int,
    ) -> DraftOut:
        return draft(mention, classification, recent, seed, resolution)

    return Drafters(reply=reply, follow_up=follow_up)
