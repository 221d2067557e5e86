"""How agents take the drafts: acceptance (approved unchanged or lightly edited) per
script, family and platform, and the moves agents edit most.

Read from the approval records (queue_item.models.DraftEdit / DraftMoveEdit); the day
range is the approval day (UTC). Thresholds: services.responder.queue_item.edits.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.responder.insight.schemas import InsightFilter
from services.responder.queue_item.edits import LIGHT_MAX
from services.responder.queue_item.models import DraftEdit, DraftMoveEdit


class AcceptanceRow(BaseModel):
    key: str
    approvals: int
    unchanged: int
    light: int
    rewritten: int
    #: (unchanged + light) / approvals.
    acceptance: float | None
    avg_distance: float | None


class MoveRow(BaseModel):
    move: str
    sentences: int
    edited: int
    rewritten: int
    #: Share of this move's draft sentences the agents changed (light or rewritten).
    edited_share: float | None
    avg_distance: float | None
    #: One recent rewrite: the draft's sentence and what the agent published instead.
    example_draft: str = ""
    example_published: str = ""


class DraftQuality(BaseModel):
    light_max: float
    total: AcceptanceRow
    by_script: list[AcceptanceRow]
    by_family: list[AcceptanceRow]
    by_platform: list[AcceptanceRow]
    moves: list[MoveRow]


def _bounds(f: InsightFilter) -> tuple[datetime, datetime]:
    start = datetime.combine(f.day_from, time.min, tzinfo=UTC)
    return start, datetime.combine(f.day_to, time.min, tzinfo=UTC) + timedelta(days=1)


def _conds(model: Any, f: InsightFilter) -> list[Any]:
    start, end = _bounds(f)
    conds = [model.created_at >= start, model.created_at < end]
    if f.platform:
        conds.append(model.platform == f.platform)
    return conds


def _counted(verdict: str) -> Any:
    return func.sum(case((DraftEdit.verdict == verdict, 1), else_=0))


def _row(key: str, approvals: int, unchanged: int, light: int, avg: Any) -> AcceptanceRow:
    approvals, unchanged, light = int(approvals or 0), int(unchanged or 0), int(light or 0)
    return AcceptanceRow(
        key=key or "(none)",
        approvals=approvals,
        unchanged=unchanged,
        light=light,
        rewritten=approvals - unchanged - light,
        acceptance=round((unchanged + light) / approvals, 4) if approvals else None,
        avg_distance=round(float(avg), 4) if avg is not None else None,
    )


async def _acceptance_by(
    session: AsyncSession, f: InsightFilter, column: Any | None
) -> list[AcceptanceRow]:
    measures = [
        func.count(),
        _counted("unchanged"),
        _counted("light"),
        func.avg(DraftEdit.distance),
    ]
    keys = [column] if column is not None else []
    stmt = select(*keys, *measures).where(*_conds(DraftEdit, f))
    if column is not None:
        stmt = stmt.group_by(column)
    rows = (await session.execute(stmt)).all()
    out = [
        _row(str(r[0]) if column is not None else "all", *r[-4:])
        for r in rows
        if (r[-4] or 0) > 0 or column is None
    ]
    out.sort(key=lambda r: (-r.approvals, r.key))
    return out


async def _moves(session: AsyncSession, f: InsightFilter) -> list[MoveRow]:
    edited = func.sum(case((DraftMoveEdit.verdict != "unchanged", 1), else_=0))
    rewritten = func.sum(case((DraftMoveEdit.verdict == "rewritten", 1), else_=0))
    stmt = (
        select(
            DraftMoveEdit.move,
            func.count(),
            edited,
            rewritten,
            func.avg(DraftMoveEdit.distance),
        )
        .where(*_conds(DraftMoveEdit, f))
        .group_by(DraftMoveEdit.move)
    )
    rows: list[MoveRow] = []
    for move, count, n_edited, n_rewritten, avg in (await session.execute(stmt)).all():
        count, n_edited = int(count), int(n_edited or 0)
        rows.append(
            MoveRow(
                move=move,
                sentences=count,
                edited=n_edited,
                rewritten=int(n_rewritten or 0),
                edited_share=round(n_edited / count, 4) if count else None,
                avg_distance=round(float(avg), 4) if avg is not None else None,
            )
        )
    rows.sort(key=lambda r: (-(r.edited_share or 0), -r.sentences, r.move))
    for row in rows[:10]:
        example = await session.scalar(
            select(DraftMoveEdit)
            .where(
                *_conds(DraftMoveEdit, f),
                DraftMoveEdit.move == row.move,
                DraftMoveEdit.verdict == "rewritten",
            )
            .order_by(DraftMoveEdit.created_at.desc(), DraftMoveEdit.id.desc())
            .limit(1)
        )
        if example is not None:
            row.example_draft, row.example_published = example.draft, example.published
    return rows


async def draft_quality(session: AsyncSession, f: InsightFilter) -> DraftQuality:
    total = await _acceptance_by(session, f, None)
    return DraftQuality(
        light_max=LIGHT_MAX,
        total=total[0] if total else _row("all", 0, 0, 0, None),
        by_script=await _acceptance_by(session, f, DraftEdit.script_id),
        by_family=await _acceptance_by(session, f, DraftEdit.family),
        by_platform=await _acceptance_by(session, f, DraftEdit.platform),
        moves=await _moves(session, f),
    )
