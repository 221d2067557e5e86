"""Binds the draft engine to the queue: settings in, a `Drafter` out."""

from __future__ import annotations

from collections.abc import Sequence

from services.responder.config import ResponderSettings
from services.responder.draft.engine import DraftError, DraftSettings, default_library, draft_reply
from services.responder.queue_item.service import Drafter, DraftOut
from services.responder.script.loader import load_scripts
from shared.events import Classification, Mention
from shared.logging import get_logger

log = get_logger(__name__)


def build_drafter(settings: ResponderSettings) -> Drafter:
    """Scripts are loaded (and validated) here, at start: a broken script stops the service."""
    library = (
        load_scripts(settings.responder_scripts_dir)
        if settings.responder_scripts_dir
        else default_library()
    )
    draft_settings = DraftSettings(
        brand=settings.responder_brand,
        support_contact=settings.responder_support_contact,
        similarity_threshold=settings.responder_similarity_threshold,
    )

    def drafter(
        mention: Mention, classification: Classification, recent: Sequence[str], seed: int
    ) -> DraftOut:
        try:
            draft = draft_reply(
                mention=mention,
                classification=classification,
                recent_replies=recent,
                seed=seed,
                settings=draft_settings,
                library=library,
            )
        except DraftError as exc:
            # The item still opens: a person writes the answer; the reason is logged.
            log.warning("no draft for mention", error=str(exc))
            return DraftOut(text="", script_id=None, similarity=None)
        return DraftOut(text=draft.text, script_id=draft.script_id, similarity=draft.similarity)

    return drafter
