"""replies.approved → post through the source's connector → replies.published / failed.

Our own record (`posted_replies`) is checked before posting: a redelivered or replayed
approval never posts twice, nor does a new approval of an answer already posted but not
yet shown by the platform. A reply stuck in `posting` after a crash is confirmed by
reading the platform back before any new attempt.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.metrics import IngestMetrics
from services.ingest.reply.models import PostedReply
from shared.bus import Publisher
from shared.connector import (
    AlreadyAnswered,
    Connector,
    ConnectorError,
    ReplyRequest,
    answer_digest,
)
from shared.db import session_scope
from shared.events import (
    Envelope,
    ReplyApproved,
    ReplyFailed,
    ReplyPublished,
    derived_event_id,
    utcnow,
)
from shared.logging import get_logger
from shared.topics import REPLIES_FAILED, REPLIES_PUBLISHED

log = get_logger(__name__)

#: Our records whose answer may be on the platform (posted; shown or not yet).
OWN_STATUSES = ("published", "unconfirmed")


async def handle_reply_approved(
    envelope: Envelope[Any],
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    connectors: Mapping[str, Connector],
    metrics: IngestMetrics,
) -> None:
    approved: ReplyApproved = envelope.payload
    reply_id = str(approved.reply_id)
    text_sha = answer_digest(approved.text)
    earlier: PostedReply | None = None
    async with session_scope(sessions) as session:
        own = await _own_answers(session, str(approved.mention_id), reply_id)
        record = await session.get(PostedReply, reply_id)
        if record is None:
            earlier = await _unconfirmed_same_answer(session, str(approved.mention_id), text_sha)
            record = PostedReply(
                reply_id=reply_id,
                mention_id=str(approved.mention_id),
                source_id=approved.source_id,
                platform=approved.platform,
                status="posting",
                text_sha=text_sha,
                created_at=utcnow(),
            )
            session.add(record)
            previous_status = None
        else:
            previous_status = record.status
    request = ReplyRequest(
        reply_id=reply_id,
        external_id=approved.external_id,
        kind=approved.kind,
        text=approved.text,
        edit=approved.edit,
        own_answers=own,
    )

    if previous_status in ("published", "failed", "unconfirmed"):
        metrics.replies.labels(platform=approved.platform, outcome="duplicate").inc()
        await _announce(publisher, approved, envelope, record)  # re-announce, same event id
        return

    connector = connectors.get(approved.source_id)
    if connector is None or not connector.can_reply:
        reason = (
            f"source {approved.source_id!r} is not configured"
            if connector is None
            else f"{approved.platform} is monitor-only: replies cannot be posted"
        )
        await _finish(sessions, reply_id, status="failed", error=reason)
        record.status, record.error = "failed", reason
        metrics.replies.labels(platform=approved.platform, outcome="failed").inc()
        metrics.reply_failures.labels(
            platform=approved.platform,
            reason="not_configured" if connector is None else "monitor_only",
        ).inc()
        await _announce(publisher, approved, envelope, record)
        return

    if earlier is not None:
        # The same answer was posted under an earlier approval and the platform did not show
        # it yet (Ozon lists comments only after moderation): approving it again must not
        # post it twice, only look again.
        external_id = earlier.external_reply_id
        confirmed = await _already_there(connector, request)
        status = "published" if confirmed else "unconfirmed"
        error = (
            None
            if confirmed
            else f"already posted (reply {earlier.reply_id}); {approved.platform} does not show "
            "it yet (moderation?): not posted again"
        )
    elif previous_status == "posting" and await _already_there(connector, request):
        # A crash after posting and before recording: the platform has it, do not repost.
        status, external_id, error = "published", None, None
    else:
        started = time.perf_counter()
        try:
            result = await connector.post_reply(request)
        except ConnectorError as exc:
            metrics.reply_failures.labels(
                platform=approved.platform, reason=failure_reason(exc)
            ).inc()
            if exc.retryable:
                raise  # the runner retries with backoff; still `posting` in our record
            await _finish(sessions, reply_id, status="failed", error=str(exc))
            record.status, record.error = "failed", str(exc)
            metrics.replies.labels(platform=approved.platform, outcome="failed").inc()
            await _announce(publisher, approved, envelope, record)
            return
        finally:
            metrics.reply_post_seconds.labels(platform=approved.platform).observe(
                time.perf_counter() - started
            )
        external_id = result.external_reply_id
        confirmed = await _already_there(connector, request)
        status = "published" if confirmed else "unconfirmed"
        if not confirmed:
            metrics.reply_failures.labels(platform=approved.platform, reason="unconfirmed").inc()
        error = None if confirmed else "posted, but the platform does not show the answer"
    await _finish(sessions, reply_id, status=status, error=error, external_reply_id=external_id)
    record.status, record.error, record.external_reply_id = status, error, external_id
    record.published_at = utcnow()
    metrics.replies.labels(platform=approved.platform, outcome=status).inc()
    await _announce(publisher, approved, envelope, record)


async def _own_answers(session: AsyncSession, mention_id: str, reply_id: str) -> frozenset[str]:
    """Digests of the answers we posted to this mention under other approvals (shown or
    not yet shown): the connector tells them from answers written in the cabinet."""
    rows = await session.scalars(
        select(PostedReply.text_sha).where(
            PostedReply.mention_id == mention_id,
            PostedReply.reply_id != reply_id,
            PostedReply.status.in_(OWN_STATUSES),
        )
    )
    return frozenset(rows.all())


async def _unconfirmed_same_answer(
    session: AsyncSession, mention_id: str, text_sha: str
) -> PostedReply | None:
    """An earlier post of this very text to this mention that the platform never showed."""
    rows = await session.scalars(
        select(PostedReply)
        .where(
            PostedReply.mention_id == mention_id,
            PostedReply.text_sha == text_sha,
            PostedReply.status == "unconfirmed",
        )
        .order_by(PostedReply.created_at.desc())
        .limit(1)
    )
    return rows.first()


def failure_reason(exc: ConnectorError) -> str:
    """A bounded label for why a post failed (the full text goes to the user and logs)."""
    if isinstance(exc, AlreadyAnswered):
        return "already_answered"
    if exc.retryable:
        return "transient"
    text = str(exc).lower()
    status = getattr(exc, "status", None)
    if "subscription" in text:
        return "subscription_missing"
    if "reply is" in text and ("accepts" in text or "at most" in text):
        return "text_length"
    if status == 404 or "no longer exists" in text or "not found" in text:
        return "review_deleted"
    if status == 401:
        return "unauthorized"
    return "rejected"


async def _already_there(connector: Connector, request: ReplyRequest) -> bool:
    try:
        return await connector.confirm_reply(request)
    except ConnectorError as exc:
        log.warning("reply confirmation failed", error=str(exc))
        return False


async def _finish(
    sessions: async_sessionmaker[AsyncSession],
    reply_id: str,
    *,
    status: str,
    error: str | None,
    external_reply_id: str | None = None,
) -> None:
    async with session_scope(sessions) as session:
        record = await session.get(PostedReply, reply_id)
        if record is None:
            return
        record.status = status
        record.error = error
        record.external_reply_id = external_reply_id
        if status == "published":
            record.published_at = utcnow()


async def _announce(
    publisher: Publisher, approved: ReplyApproved, envelope: Envelope[Any], record: PostedReply
) -> None:
    event_id = derived_event_id("reply.outcome", approved.reply_id)
    if record.status == "published":
        await publisher.publish(
            REPLIES_PUBLISHED,
            ReplyPublished(
                reply_id=approved.reply_id,
                mention_id=approved.mention_id,
                platform=approved.platform,
                external_reply_id=record.external_reply_id,
                published_at=record.published_at or utcnow(),
            ),
            trace_id=envelope.trace_id,
            event_id=event_id,
        )
    else:
        await publisher.publish(
            REPLIES_FAILED,
            ReplyFailed(
                reply_id=approved.reply_id,
                mention_id=approved.mention_id,
                platform=approved.platform,
                error=record.error or record.status,
                retryable=record.status == "unconfirmed",
            ),
            trace_id=envelope.trace_id,
            event_id=event_id,
        )
