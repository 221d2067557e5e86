"""Reviews deleted on the platform: recent, unanswered mentions are asked about on a
bounded schedule, and one the platform no longer has becomes `mention.deleted` (the
responder closes its queue item as "deleted by the customer or the platform").

Platforms do not announce deletions; Yandex Market documents that its list leaves deleted
reviews out, Wildberries answers 422 and Ozon 404 for an unknown id. Bounded: one pass
per `interval_s`, at most `batch` mentions a pass (least recently checked first), only
mentions first seen within `horizon_s`, not answered before we saw them and without a
published answer of ours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.mention.models import SeenMention
from services.ingest.reply.models import PostedReply, ReplyStatus
from shared.bus import Publisher
from shared.connector import Connector, ConnectorError, deletion_checking
from shared.db import session_scope
from shared.events import MentionDeleted, MentionKind, derived_event_id, utcnow
from shared.logging import get_logger
from shared.topics import MENTIONS_DELETED

log = get_logger(__name__)

DEFAULT_INTERVAL_S = 3600.0
DEFAULT_HORIZON_S = 14 * 24 * 3600.0
DEFAULT_BATCH = 200


@dataclass
class DeletionReport:
    checked: int = 0
    deleted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def check_deleted_once(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    connectors: Mapping[str, Connector],
    now: datetime | None = None,
    horizon_s: float = DEFAULT_HORIZON_S,
    batch: int = DEFAULT_BATCH,
) -> DeletionReport:
    now = now or utcnow()
    report = DeletionReport()
    answered_by_us = select(PostedReply.mention_id).where(
        PostedReply.status == ReplyStatus.published
    )
    async with session_scope(sessions) as session:
        rows = list(
            await session.scalars(
                select(SeenMention)
                .where(
                    SeenMention.deleted_at.is_(None),
                    SeenMention.answered.is_not(True),
                    SeenMention.kind.is_not(None),
                    SeenMention.source_id.in_(list(connectors)),
                    SeenMention.first_seen_at >= now - timedelta(seconds=horizon_s),
                    SeenMention.mention_id.not_in(answered_by_us),
                )
                .order_by(SeenMention.checked_at.is_not(None), SeenMention.checked_at)
                .limit(batch)
            )
        )
    groups: dict[tuple[str, str], list[SeenMention]] = {}
    for row in rows:
        groups.setdefault((row.source_id, row.kind or ""), []).append(row)
    for (source_id, kind), group in groups.items():
        connector = connectors[source_id]
        checking = deletion_checking(connector)
        if checking is None:
            continue
        try:
            gone = await checking.missing_ids(MentionKind(kind), [r.external_id for r in group])
        except ConnectorError as exc:  # nothing concluded; the others get their turn first
            report.errors.append(f"{source_id}: {exc}")
            log.warning("deleted-review check failed", source_id=source_id, error=str(exc))
            await _mark(sessions, [r.mention_id for r in group], set(), group, now)
            continue
        if gone is None:
            continue
        report.checked += len(group)
        for row in group:
            if row.external_id in gone:
                await publisher.publish(
                    MENTIONS_DELETED,
                    MentionDeleted(
                        mention_id=row.mention_id,  # type: ignore[arg-type]
                        platform=row.platform,
                        source_id=row.source_id,
                        external_id=row.external_id,
                        detected_at=now,
                    ),
                    event_id=derived_event_id("mention.deleted", row.mention_id),
                )
                report.deleted.append(row.mention_id)
        await _mark(sessions, [r.mention_id for r in group], gone, group, now)
    return report


async def _mark(
    sessions: async_sessionmaker[AsyncSession],
    ids: list[str],
    gone: set[str],
    group: list[SeenMention],
    now: datetime,
) -> None:
    deleted = {r.mention_id for r in group if r.external_id in gone}
    async with session_scope(sessions) as session:
        for mention_id in ids:
            row = await session.get(SeenMention, mention_id)
            if row is None:
                continue
            row.checked_at = now
            if mention_id in deleted:
                row.deleted_at = now


async def run_deleted_check(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    connectors: Mapping[str, Connector],
    interval_s: float = DEFAULT_INTERVAL_S,
    horizon_s: float = DEFAULT_HORIZON_S,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Forever: a pass, then `interval_s` of rest. A failing pass is logged, not fatal."""
    while True:
        try:
            report = await check_deleted_once(
                sessions=sessions, publisher=publisher, connectors=connectors, horizon_s=horizon_s
            )
            if report.deleted:
                log.info("reviews deleted on the platform", count=len(report.deleted))
        except Exception as exc:  # the loop must outlive one bad pass
            log.warning("deleted-review pass failed", error=str(exc))
        await sleep(interval_s)
