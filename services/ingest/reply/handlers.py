"""replies.approved → post through the source's connector → replies.published / pending /
failed.

Our own record (`posted_replies`) is checked before posting: a redelivered or replayed
approval never posts twice, nor does a new approval of an answer already posted but not
yet shown by the platform. A reply stuck in `posting` after a crash is confirmed by
reading the platform back before any new attempt.

An answer the platform took but does not show yet (its moderation) is `pending`, not
failed; on a platform that hides unmoderated answers and has no idempotency (Ozon), a
post whose outcome is unknown is never sent again (`unknown`). `reconfirm.py` settles
both later.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.connectors.http import OutcomeUnknown
from services.ingest.metrics import IngestMetrics
from services.ingest.reply.models import PostedReply, ReplyStatus
from shared.bus import Publisher
from shared.connector import (
    AlreadyAnswered,
    Connector,
    ConnectorError,
    ReplyCheck,
    Replying,
    ReplyRequest,
    answer_digest,
    check_reply,
    hides_unmoderated,
    replying,
)
from shared.db import session_scope
from shared.events import (
    Envelope,
    ReplyApproved,
    ReplyFailed,
    ReplyPending,
    ReplyPublished,
    derived_event_id,
    utcnow,
)
from shared.logging import get_logger
from shared.topics import REPLIES_FAILED, REPLIES_PENDING, REPLIES_PUBLISHED

log = get_logger(__name__)

#: Our records whose answer may be on the platform (posted; shown or not yet).
OWN_STATUSES = (
    ReplyStatus.published,
    ReplyStatus.unconfirmed,
    ReplyStatus.pending,
    ReplyStatus.unknown,
)
#: Posted and not settled: the re-confirmer looks at these.
UNSETTLED_STATUSES = (ReplyStatus.unconfirmed, ReplyStatus.pending, ReplyStatus.unknown)
#: Outcomes already announced: a redelivered approval only re-announces them.
FINAL_OR_WAITING = (ReplyStatus.published, ReplyStatus.failed, *UNSETTLED_STATUSES)


@dataclass(frozen=True)
class Outcome:
    status: ReplyStatus
    error: str | None = None
    external_reply_id: str | None = None


async def handle_reply_approved(
    envelope: Envelope[ReplyApproved],
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    connectors: Mapping[str, Connector],
    metrics: IngestMetrics,
) -> None:
    approved = envelope.payload
    reply_id = str(approved.reply_id)
    text_sha = answer_digest(approved.text)
    earlier: PostedReply | None = None
    waiting: PostedReply | None = None
    async with session_scope(sessions) as session:
        own = await _own_answers(session, str(approved.mention_id), reply_id)
        record = await session.get(PostedReply, reply_id)
        if record is None:
            earlier = await _unsettled(session, str(approved.mention_id), reply_id, text_sha)
            if earlier is None and not approved.edit:
                waiting = await _unsettled(session, str(approved.mention_id), reply_id)
            record = PostedReply(
                reply_id=reply_id,
                mention_id=str(approved.mention_id),
                source_id=approved.source_id,
                platform=approved.platform,
                status=ReplyStatus.posting,
                text_sha=text_sha,
                created_at=utcnow(),
                external_id=approved.external_id,
                kind=approved.kind.value,
                text=approved.text,
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

    if previous_status in FINAL_OR_WAITING:
        metrics.replies.labels(platform=approved.platform, outcome="duplicate").inc()
        await _announce(publisher, approved, envelope, record)  # re-announce, same event id
        return

    connector = connectors.get(approved.source_id)
    replier = replying(connector) if connector is not None else None
    if connector is None or replier is None:
        reason = (
            f"source {approved.source_id!r} is not configured"
            if connector is None
            else f"{approved.platform} is monitor-only: replies cannot be posted"
        )
        label = "not_configured" if connector is None else "monitor_only"
        await _fail(sessions, publisher, approved, envelope, record, metrics, reason, label=label)
        return

    if waiting is not None:
        # Another answer of ours is still in moderation (or its post's outcome is unknown):
        # a second, different one would be a second public answer once both are shown.
        reason = (
            f"an earlier answer (reply {waiting.reply_id}) is still awaiting "
            f"{approved.platform}'s moderation: not posted. Approve the new text as an edit "
            "to replace it"
        )
        await _fail(
            sessions,
            publisher,
            approved,
            envelope,
            record,
            metrics,
            reason,
            label="earlier_pending",
        )
        return

    if earlier is not None:
        # The same answer was posted under an earlier approval and the platform did not show
        # it yet (Ozon lists comments only after moderation): approving it again must not
        # post it twice, only look again.
        check = await _check(connector, request)
        outcome = _settled(check, approved.platform, earlier.external_reply_id)
        if outcome.status in UNSETTLED_STATUSES:
            outcome = Outcome(
                ReplyStatus(earlier.status),
                f"already posted (reply {earlier.reply_id}); {approved.platform} does not show "
                "it yet (moderation?): not posted again",
                earlier.external_reply_id,
            )
    elif (
        previous_status == ReplyStatus.posting
        and (check := await _check(connector, request)).state != "missing"
    ):
        # A crash or a lost answer after posting: the platform has it, do not repost.
        outcome = _settled(check, approved.platform, None)
    else:
        posted = await _post(
            sessions, publisher, approved, envelope, record, metrics, connector, replier, request
        )
        if posted is None:
            return  # refused: already announced
        outcome = posted
    if outcome.status == ReplyStatus.failed:
        metrics.reply_failures.labels(platform=approved.platform, reason="rejected").inc()
    elif outcome.status == ReplyStatus.unconfirmed:
        metrics.reply_failures.labels(platform=approved.platform, reason="unconfirmed").inc()
    await _finish(
        sessions,
        reply_id,
        status=outcome.status,
        error=outcome.error,
        external_reply_id=outcome.external_reply_id,
    )
    record.status, record.error = outcome.status, outcome.error
    record.external_reply_id = outcome.external_reply_id
    record.published_at = utcnow()
    metrics.replies.labels(platform=approved.platform, outcome=outcome.status).inc()
    await _announce(publisher, approved, envelope, record)


async def _post(
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    approved: ReplyApproved,
    envelope: Envelope[ReplyApproved],
    record: PostedReply,
    metrics: IngestMetrics,
    connector: Connector,
    replier: Replying,
    request: ReplyRequest,
) -> Outcome | None:
    """Post, then read back. None when the platform refused (already announced)."""
    started = time.perf_counter()
    try:
        result = await replier.post_reply(request)
    except ConnectorError as exc:
        if isinstance(exc, OutcomeUnknown) and hides_unmoderated(connector):
            # Not shown would not mean not posted here, and a second post cannot be undone:
            # never resend; the re-confirmer waits for it to show.
            check = await _check(connector, request)
            if check.state != "missing":
                return _settled(check, approved.platform, None)
            metrics.reply_failures.labels(platform=approved.platform, reason="unconfirmed").inc()
            return Outcome(
                ReplyStatus.unknown,
                f"{approved.platform} may or may not have taken the answer (its reply was "
                "lost) and shows answers only after moderation: not posted again; waiting "
                "for it to show",
            )
        if exc.retryable:
            metrics.reply_failures.labels(platform=approved.platform, reason="transient").inc()
            raise  # the runner retries with backoff; still `posting` in our record
        label = failure_reason(exc)
        await _fail(sessions, publisher, approved, envelope, record, metrics, str(exc), label=label)
        return None
    finally:
        metrics.reply_post_seconds.labels(platform=approved.platform).observe(
            time.perf_counter() - started
        )
    check = await _check(connector, request)
    return _settled(check, approved.platform, result.external_reply_id, just_posted=True)


def _settled(
    check: ReplyCheck, platform: str, external_id: str | None, *, just_posted: bool = False
) -> Outcome:
    """Our record's status for what the platform shows of an answer we posted."""
    if check.state == "published":
        return Outcome(ReplyStatus.published, None, external_id)
    if check.state == "rejected":
        return Outcome(
            ReplyStatus.failed, f"{platform}: {check.detail or 'moderation rejected it'}"
        )
    if check.state == "pending":
        return Outcome(
            ReplyStatus.pending, check.detail or f"awaiting {platform}'s moderation", external_id
        )
    if just_posted and external_id:
        # The platform took it (gave an id) and does not list it yet: its moderation.
        return Outcome(
            ReplyStatus.pending,
            f"posted (id {external_id}); {platform} does not show it yet: awaiting moderation",
            external_id,
        )
    return Outcome(
        ReplyStatus.unconfirmed, "posted, but the platform does not show the answer", external_id
    )


async def _fail(
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    approved: ReplyApproved,
    envelope: Envelope[ReplyApproved],
    record: PostedReply,
    metrics: IngestMetrics,
    reason: str,
    *,
    label: str,
) -> None:
    await _finish(sessions, str(approved.reply_id), status=ReplyStatus.failed, error=reason)
    record.status, record.error = ReplyStatus.failed, reason
    metrics.replies.labels(platform=approved.platform, outcome="failed").inc()
    metrics.reply_failures.labels(platform=approved.platform, reason=label).inc()
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


async def _unsettled(
    session: AsyncSession, mention_id: str, reply_id: str, text_sha: str | None = None
) -> PostedReply | None:
    """An earlier post to this mention the platform never showed (of this very text when
    `text_sha` is given)."""
    query = select(PostedReply).where(
        PostedReply.mention_id == mention_id,
        PostedReply.reply_id != reply_id,
        PostedReply.status.in_(UNSETTLED_STATUSES),
    )
    if text_sha is not None:
        query = query.where(PostedReply.text_sha == text_sha)
    rows = await session.scalars(query.order_by(PostedReply.created_at.desc()).limit(1))
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


async def _check(connector: Connector, request: ReplyRequest) -> ReplyCheck:
    try:
        return await check_reply(connector, request)
    except ConnectorError as exc:
        log.warning("reply confirmation failed", error=str(exc))
        return ReplyCheck("missing")


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
        if status in (ReplyStatus.published, ReplyStatus.pending):
            record.published_at = utcnow()


async def _announce(
    publisher: Publisher,
    approved: ReplyApproved,
    envelope: Envelope[ReplyApproved],
    record: PostedReply,
) -> None:
    await announce(
        publisher,
        record,
        event_id=derived_event_id("reply.outcome", approved.reply_id),
        trace_id=envelope.trace_id,
    )


async def announce(
    publisher: Publisher, record: PostedReply, *, event_id: Any, trace_id: str | None = None
) -> None:
    """The event for a record's status: published, pending (moderation or unknown), or
    failed (`retryable` only for `unconfirmed`: shown nowhere, no id, may be approved
    again)."""
    reply_id, mention_id = record.reply_id, record.mention_id
    if record.status == ReplyStatus.published:
        payload: Any = ReplyPublished(
            reply_id=reply_id,  # type: ignore[arg-type]
            mention_id=mention_id,  # type: ignore[arg-type]
            platform=record.platform,
            external_reply_id=record.external_reply_id,
            published_at=record.published_at or utcnow(),
        )
        topic = REPLIES_PUBLISHED
    elif record.status in (ReplyStatus.pending, ReplyStatus.unknown):
        payload = ReplyPending(
            reply_id=reply_id,  # type: ignore[arg-type]
            mention_id=mention_id,  # type: ignore[arg-type]
            platform=record.platform,
            state="pending_moderation"
            if record.status == ReplyStatus.pending
            else "outcome_unknown",
            external_reply_id=record.external_reply_id,
            detail=record.error or "",
            posted_at=record.published_at or record.created_at,
        )
        topic = REPLIES_PENDING
    else:
        payload = ReplyFailed(
            reply_id=reply_id,  # type: ignore[arg-type]
            mention_id=mention_id,  # type: ignore[arg-type]
            platform=record.platform,
            error=record.error or record.status,
            retryable=record.status == ReplyStatus.unconfirmed,
        )
        topic = REPLIES_FAILED
    await publisher.publish(topic, payload, trace_id=trace_id, event_id=event_id)
