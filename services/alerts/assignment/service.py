"""Assignments over a session: an owner for every new mention, routed once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.assignment.models import Assignment
from services.alerts.db import insert_rows
from services.alerts.owner.directory import Directory
from services.alerts.owner.schemas import DirectoryIndex
from services.alerts.routing.rules import route
from shared.events import AssignmentMade, MentionClassified


@dataclass(frozen=True)
class Assigned:
    """Every mention's assignment (new or found), and the ids routed by this call."""

    by_mention: dict[str, Assignment]
    fresh_ids: set[str]


async def assign(
    session: AsyncSession,
    *,
    events: Sequence[MentionClassified],
    directory: Directory,
    now: datetime,
) -> Assigned:
    """Route the mentions not routed before and INSERT their assignments (one statement).

    A concurrent insert of the same mention fails the caller's transaction; the runner
    retries the batch, which then finds the assignment.
    """
    ids = [str(e.mention.mention_id) for e in events]
    rows = await session.execute(select(Assignment).where(Assignment.mention_id.in_(ids)))
    assignments = {a.mention_id: a for a in rows.scalars()}
    fresh_ids: set[str] = set()
    for event in events:
        mention_id = str(event.mention.mention_id)
        if mention_id in assignments:
            continue  # routed before (a redelivery, or an edit of the mention)
        decision = route(
            event.mention,
            event.classification,
            directory.rules,
            directory.default_owner,
            team_heads=directory.team_heads(),
        )
        assignments[mention_id] = Assignment(
            mention_id=mention_id,
            owner_id=decision.owner_id,
            team_id=decision.team_id,
            rule_id=decision.rule_id,
            platform=event.mention.platform,
            sentiment=event.classification.sentiment.value,
            created_at=now,
        )
        fresh_ids.add(mention_id)
    await insert_rows(session, Assignment, [assignments[m] for m in fresh_ids])
    return Assigned(assignments, fresh_ids)


def assignment_made(assignment: Assignment, directory: DirectoryIndex) -> AssignmentMade:
    """The event telling other services who owns the mention."""
    owner = directory.person(assignment.owner_id)
    return AssignmentMade(
        mention_id=uuid.UUID(assignment.mention_id),
        owner_id=assignment.owner_id,
        owner_name=owner.name if owner else assignment.owner_id,
        team=assignment.team_id,
        rule=assignment.rule_id,
    )
