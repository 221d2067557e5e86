"""The re-confirmer: answers posted but not shown yet (platform moderation, a lost post
answer, a read-back that missed) are read back on a bounded schedule and settled as
published, or failed with the platform's reason (rejected by moderation, or never shown
within the window). Nothing is ever posted from here.

Bounded: one pass per `interval_s` (default hourly), at most `batch` replies a pass, and
a reply is looked at only while younger than `max_age_s` (default 72 h).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.metrics import IngestMetrics
from services.ingest.reply.handlers import UNSETTLED_STATUSES, announce
from services.ingest.reply.models import PostedReply, ReplyStatus
from shared.bus import Publisher
from shared.connector import Connector, ConnectorError, ReplyRequest, check_reply
from shared.db import session_scope
from shared.events import MentionKind, derived_event_id, utcnow
from shared.logging import get_logger

log = get_logger(__name__)

DEFAULT_INTERVAL_S = 3600.0
DEFAULT_MAX_AGE_S = 72 * 3600.0


@dataclass
class PassReport:
    published: int = 0
    rejected: int = 0
    expired: int = 0
    still_pending: int = 0
    errors: list[str] = field(default_factory=list)


async def reconfirm_once(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    connectors: Mapping[str, Connector],
    metrics: IngestMetrics,
    now: datetime | None = None,
    max_age_s: float = DEFAULT_MAX_AGE_S,
    batch: int = 200,
) -> PassReport:
    """One pass over unsettled replies, oldest check first."""
    now = now or utcnow()
    report = PassReport()
    async with session_scope(sessions) as session:
        rows = list(
            await session.scalars(
                select(PostedReply)
                .where(PostedReply.status.in_(UNSETTLED_STATUSES))
                .order_by(PostedReply.checked_at.is_not(None), PostedReply.checked_at)
                .limit(batch)
            )
        )
    for row in rows:
        expired = row.created_at < now - timedelta(seconds=max_age_s)
        connector = connectors.get(row.source_id)
        state, detail = "missing", ""
        if not expired and connector is not None and row.text and row.external_id and row.kind:
            request = ReplyRequest(
                reply_id=row.reply_id,
                external_id=row.external_id,
                kind=MentionKind(row.kind),
                text=row.text,
            )
            try:
                check = await check_reply(connector, request)
                state, detail = check.state, check.detail
            except ConnectorError as exc:
                report.errors.append(f"{row.reply_id}: {exc}")
                log.warning("re-confirmation failed", reply_id=row.reply_id, error=str(exc))
        if state == "published":
            status, error = ReplyStatus.published, None
            report.published += 1
        elif state == "rejected":
            status, error = (
                ReplyStatus.failed,
                f"{row.platform}: {detail or 'moderation rejected it'}",
            )
            report.rejected += 1
        elif expired:
            hours = round(max_age_s / 3600)
            status = ReplyStatus.failed
            error = (
                f"{row.platform} did not show the answer within {hours} h (rejected by its "
                "moderation, or never taken): approve it again to post it"
            )
            report.expired += 1
        else:
            report.still_pending += 1
            await _touch(sessions, row.reply_id, now)
            continue
        settled = await _settle(sessions, row.reply_id, status, error, now)
        if settled is None:
            continue
        outcome = "published" if status == ReplyStatus.published else "failed"
        metrics.replies.labels(platform=row.platform, outcome=outcome).inc()
        if status == ReplyStatus.failed:
            metrics.reply_failures.labels(platform=row.platform, reason="rejected").inc()
        await announce(publisher, settled, event_id=derived_event_id("reply.settled", row.reply_id))
    return report


async def _touch(sessions: async_sessionmaker[AsyncSession], reply_id: str, now: datetime) -> None:
    async with session_scope(sessions) as session:
        record = await session.get(PostedReply, reply_id)
        if record is not None:
            record.checked_at = now


async def _settle(
    sessions: async_sessionmaker[AsyncSession],
    reply_id: str,
    status: ReplyStatus,
    error: str | None,
    now: datetime,
) -> PostedReply | None:
    """Record the outcome unless someone settled it meanwhile (a re-approval)."""
    async with session_scope(sessions) as session:
        record = await session.get(PostedReply, reply_id)
        if record is None or record.status not in UNSETTLED_STATUSES:
            return None
        record.status, record.error, record.checked_at = status, error, now
        if status == ReplyStatus.published:
            record.published_at = now
        return record


async def run_reconfirmer(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    connectors: Mapping[str, Connector],
    metrics: IngestMetrics,
    interval_s: float = DEFAULT_INTERVAL_S,
    max_age_s: float = DEFAULT_MAX_AGE_S,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Forever: a pass, then `interval_s` of rest. A failing pass is logged, not fatal."""
    while True:
        try:
            report = await reconfirm_once(
                sessions=sessions,
                publisher=publisher,
                connectors=connectors,
                metrics=metrics,
                max_age_s=max_age_s,
            )
            if report.published or report.rejected or report.expired:
                log.info(
                    "replies re-confirmed",
                    published=report.published,
                    rejected=report.rejected,
                    expired=report.expired,
                    pending=report.still_pending,
                )
        except Exception as exc:
            log.warning("re-confirmation pass failed", error=str(exc))
        await sleep(interval_s)
