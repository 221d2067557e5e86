"""Learning from the agents: how far each approved reply is from its draft, and the
sentences agents offer as new phrasings (an owner approves or rejects them; approved ones
are exported in the scripts' YAML format for whoever edits the scripts).

No commits here: the caller commits at its boundary.
"""

from __future__ import annotations

from collections import defaultdict

import yaml
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.responder.queue_item.edits import move_edits, normalised_distance, verdict
from services.responder.queue_item.models import (
    DraftEdit,
    DraftMoveEdit,
    PhrasingSuggestion,
    QueueItem,
)
from services.responder.script.model import MOVES, SLOTS, phrasing_slots
from shared.events import utcnow
from shared.http import Conflict, DomainError, NotFound

#: Moves a person writes rather than the scripts: left out of the per-move statistics.
PERSON_WRITTEN_MOVES = frozenset({"answer"})
SUGGESTION_STATES = ("pending", "approved", "rejected")


async def record_draft_edit(
    session: AsyncSession,
    item: QueueItem,
    *,
    reply_id: str,
    text: str,
    approved_by: str,
    target: str = "reply",
) -> DraftEdit | None:
    """Compare the approved text with the engine's draft of the first answer (`reply`) or
    of the case's public follow-up (`follow_up`). One record per item and target: a
    re-approval (after the platform refused) replaces the earlier one. None when there is
    no engine draft to compare with (items drafted before it was kept, no script)."""
    follow_up = target == "follow_up"
    draft = item.follow_up_generated if follow_up else item.draft_generated
    if not draft:
        return None
    await session.execute(
        delete(DraftMoveEdit).where(
            DraftMoveEdit.reply_id.in_(
                select(DraftEdit.reply_id).where(
                    DraftEdit.mention_id == item.mention_id, DraftEdit.target == target
                )
            )
        )
    )
    await session.execute(
        delete(DraftEdit).where(DraftEdit.mention_id == item.mention_id, DraftEdit.target == target)
    )
    now = utcnow()
    parts = [] if follow_up else [(str(m), str(t)) for m, t in (item.draft_parts or [])]
    distance = normalised_distance(draft, text)
    edit = DraftEdit(
        reply_id=reply_id,
        mention_id=item.mention_id,
        target=target,
        platform=item.platform,
        language=item.language,
        script_id=(item.follow_up_script if follow_up else item.draft_script) or "",
        family="follow_up" if follow_up else item.draft_family or "",
        moves=[m for m, _ in parts],
        distance=distance,
        verdict=verdict(distance),
        approved_by=approved_by,
        created_at=now,
    )
    session.add(edit)
    scripted = [(m, t) for m, t in parts if m not in PERSON_WRITTEN_MOVES]
    for move in move_edits(scripted, text):
        session.add(
            DraftMoveEdit(
                reply_id=reply_id,
                target=target,
                platform=item.platform,
                script_id=edit.script_id,
                family=edit.family,
                move=move.move,
                draft=move.draft,
                published=move.published,
                distance=move.distance,
                verdict=move.verdict,
                created_at=now,
            )
        )
    return edit


def _invalid(field: str, message: str, code: str = "invalid_suggestion") -> DomainError:
    return DomainError(f"{field}: {message}", code=code, status_code=422)


def check_phrasing(text: str, move: str) -> str:
    """A suggestion must load as a phrasing: a known move, braces only around known slots."""
    if move not in MOVES:
        raise _invalid("move", f"unknown move {move!r} (known: {', '.join(sorted(MOVES))})")
    cleaned = " ".join(text.split())
    if len(cleaned) < 3:
        raise _invalid("text", "write the sentence to suggest")
    try:
        names = phrasing_slots(cleaned)
    except ValueError as exc:
        raise _invalid("text", str(exc)) from exc
    unknown = sorted(set(names) - SLOTS)
    if unknown:
        raise _invalid(
            "text",
            f"unknown placeholder {{{unknown[0]}}}; placeholders are "
            + ", ".join(f"{{{s}}}" for s in sorted(SLOTS)),
        )
    if "answer" in names:
        raise _invalid("text", "a phrasing cannot leave {answer} for a person to write")
    return cleaned


def suggest_phrasing(
    session: AsyncSession,
    item: QueueItem,
    *,
    text: str,
    move: str,
    replaces: str | None,
    user: str,
) -> PhrasingSuggestion:
    suggestion = PhrasingSuggestion(
        mention_id=item.mention_id,
        language=item.language,
        move=move,
        text=check_phrasing(text, move),
        replaces=(replaces or "").strip() or None,
        script_id=item.draft_script or "",
        family=item.draft_family or "",
        platform=item.platform,
        state="pending",
        suggested_by=user,
        created_at=utcnow(),
    )
    session.add(suggestion)
    return suggestion


async def list_suggestions(
    session: AsyncSession, *, state: str | None, limit: int = 200
) -> list[PhrasingSuggestion]:
    stmt = select(PhrasingSuggestion).order_by(
        PhrasingSuggestion.created_at.desc(), PhrasingSuggestion.id.desc()
    )
    if state:
        stmt = stmt.where(PhrasingSuggestion.state == state)
    return list((await session.scalars(stmt.limit(limit))).all())


async def review_suggestion(
    session: AsyncSession, suggestion_id: int, *, decision: str, note: str | None, user: str
) -> PhrasingSuggestion:
    suggestion = await session.get(PhrasingSuggestion, suggestion_id)
    if suggestion is None:
        raise NotFound(f"no phrasing suggestion {suggestion_id}")
    if suggestion.state != "pending":
        raise Conflict(f"suggestion {suggestion_id} is already {suggestion.state}")
    suggestion.state = decision
    suggestion.review_note = (note or "").strip() or None
    suggestion.reviewed_by = user
    suggestion.reviewed_at = utcnow()
    return suggestion


async def approved_phrasings(session: AsyncSession, language: str) -> dict[str, list[str]]:
    """Approved suggestions of one language, by move, oldest first, each text once."""
    rows = await session.scalars(
        select(PhrasingSuggestion)
        .where(PhrasingSuggestion.state == "approved", PhrasingSuggestion.language == language)
        .order_by(PhrasingSuggestion.move, PhrasingSuggestion.created_at, PhrasingSuggestion.id)
    )
    by_move: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.text not in by_move[row.move]:
            by_move[row.move].append(row.text)
    return dict(by_move)


def phrasings_yaml(language: str, by_move: dict[str, list[str]]) -> str:
    """The scripts' file format (`language:` and `phrasings:` by move), ready to merge
    into services/responder/script/scripts/<language>.yaml by the scripts' editor."""
    header = (
        "# Phrasings written by agents and approved by an owner.\n"
        f"# Merge each move's list into `phrasings:` of {language}.yaml.\n"
    )
    body = yaml.safe_dump(
        {"language": language, "phrasings": by_move},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return header + body
