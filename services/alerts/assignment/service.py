"""Assignments over a session: an owner for every new mention, routed once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.assignment.models import Assignment
from services.alerts.db import insert_new
from services.alerts.owner.directory import Directory
from services.alerts.owner.schemas import DirectoryIndex
from services.alerts.routing.rules import route
from shared.events import AssignmentMade, MentionClassified


class AssignmentConflict(RuntimeError):
    """An assignment that another transaction holds could not be read back."""


@dataclass(frozen=True, slots=True)
class Owned:
    """A mention's stored routing decision, as plain data (no ORM instance per mention:
    building and reading those cost more CPU than routing itself)."""

    mention_id: str
    owner_id: str
    team_id: str | None
    rule_id: str | None


@dataclass(frozen=True)
class Assigned:
    """Every mention's assignment (new or found), and the ids routed by this call."""

    by_mention: dict[str, Owned]
    fresh_ids: set[str]


async def assign(
    session: AsyncSession,
    *,
    events: Sequence[MentionClassified],
    directory: Directory,
    now: datetime,
) -> Assigned:
    """Route every mention and INSERT the assignments not stored yet (one statement); the
    assignments found stored (a redelivery, an edit of the mention, or another replica's
    work) win over this routing and are read back (a second statement, only then).
    """
    heads = directory.team_heads()
    routed: dict[str, Owned] = {}
    rows: list[dict[str, Any]] = []
    for event in events:
        mention_id = str(event.mention.mention_id)
        if mention_id in routed:
            continue  # a second copy in the batch: the first one decides
        decision = route(
            event.mention,
            event.classification,
            directory.rules,
            directory.default_owner,
            team_heads=heads,
        )
        routed[mention_id] = Owned(
            mention_id, decision.owner_id, decision.team_id, decision.rule_id
        )
        rows.append(
            {
                "mention_id": mention_id,
                "owner_id": decision.owner_id,
                "team_id": decision.team_id,
                "rule_id": decision.rule_id,
                "platform": event.mention.platform,
                "sentiment": event.classification.sentiment.value,
                "created_at": now,
            }
        )
    fresh_ids: set[str] = await insert_new(session, Assignment, rows, key="mention_id")
    earlier = [m for m in routed if m not in fresh_ids]
    if earlier:
        found = await session.execute(
            select(
                Assignment.mention_id, Assignment.owner_id, Assignment.team_id, Assignment.rule_id
            ).where(Assignment.mention_id.in_(earlier))
        )
        stored = {row[0]: Owned(*row) for row in found.all()}
        if len(stored) != len(earlier):
            # Skipped as a conflict yet not visible: the runner retries the batch.
            raise AssignmentConflict(f"{len(earlier) - len(stored)} assignment(s) not readable")
        routed.update(stored)
    return Assigned(routed, fresh_ids)


def assignment_made(assignment: Owned, directory: DirectoryIndex) -> AssignmentMade:
    """The event telling other services who owns the mention."""
    owner = directory.person(assignment.owner_id)
    return AssignmentMade(
        mention_id=uuid.UUID(assignment.mention_id),
        owner_id=assignment.owner_id,
        owner_name=owner.name if owner else assignment.owner_id,
        team=assignment.team_id,
        rule=assignment.rule_id,
    )
