"""Accepting mentions: de-duplicate by id and revision, publish, then record.

Publish first, record after: a crash between the two re-publishes the same events with
the same deterministic event ids, which every consumer recognises. Recording first
could lose a mention.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.mention.models import SeenMention
from shared.bus import Publisher
from shared.db import insert_ignore, session_scope
from shared.events import Mention, MentionReceived, derived_event_id, utcnow
from shared.topics import MENTIONS_RAW


class Outcome(StrEnum):
    new = "new"
    updated = "updated"
    duplicate = "duplicate"


@dataclass(frozen=True)
class AcceptResult:
    outcomes: dict[str, Outcome]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for o in self.outcomes.values() if o is outcome)


def mention_received_event_id(mention: Mention) -> str:
    return str(derived_event_id("mention.received", mention.mention_id, mention.revision))


async def outcomes_for(session: AsyncSession, mentions: Sequence[Mention]) -> dict[str, Outcome]:
    """new / updated (revision changed) / duplicate, against what was recorded."""
    ids = [str(m.mention_id) for m in mentions]
    rows = await session.execute(
        select(SeenMention.mention_id, SeenMention.revision).where(SeenMention.mention_id.in_(ids))
    )
    known = {mid: rev for mid, rev in rows.all()}
    result: dict[str, Outcome] = {}
    for mention in mentions:
        mid = str(mention.mention_id)
        if mid not in known:
            result[mid] = Outcome.new
        elif known[mid] != mention.revision:
            result[mid] = Outcome.updated
        else:
            result[mid] = Outcome.duplicate
    return result


async def record(
    session: AsyncSession,
    mentions: Sequence[Mention],
    now: datetime,
    outcomes: dict[str, Outcome] | None = None,
) -> None:
    """Insert new ones; move the revision of edited ones (only those: one UPDATE each)."""
    rows = [
        {
            "mention_id": str(m.mention_id),
            "platform": m.platform,
            "source_id": m.source_id,
            "external_id": m.external_id,
            "revision": m.revision,
            "first_seen_at": now,
            "updated_at": now,
            "kind": m.kind.value,
            "answered": m.answered,
        }
        for m in mentions
    ]
    await insert_ignore(session, SeenMention, rows, conflict_on=["mention_id"])
    for m in mentions:
        if outcomes is not None and outcomes.get(str(m.mention_id)) is not Outcome.updated:
            continue
        await session.execute(
            update(SeenMention)
            .where(SeenMention.mention_id == str(m.mention_id))
            .where(SeenMention.revision != m.revision)
            .values(revision=m.revision, updated_at=now)
        )


async def accept_mentions(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    mentions: Sequence[Mention],
    after_record: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> AcceptResult:
    """Publish what is new or changed, then record it (and, in the same commit, a cursor)."""
    latest: dict[str, Mention] = {}
    for mention in mentions:  # the same mention twice in one page: the last one wins
        latest[str(mention.mention_id)] = mention
    async with session_scope(sessions) as session:
        outcomes = await outcomes_for(session, list(latest.values()))
    fresh = [m for mid, m in latest.items() if outcomes[mid] is not Outcome.duplicate]
    envelopes = [
        publisher.envelope(MentionReceived(mention=m), event_id=mention_received_event_id(m))
        for m in fresh
    ]
    await publisher.publish_envelopes(MENTIONS_RAW, envelopes)
    async with session_scope(sessions) as session:
        if fresh:
            await record(session, fresh, utcnow(), outcomes)
        if after_record is not None:
            await after_record(session)
    return AcceptResult(outcomes=outcomes)
