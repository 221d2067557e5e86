"""Kafka handlers of the responder: classified mentions, assignments, reply outcomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.responder.metrics import ResponderMetrics
from services.responder.queue_item.models import QueueItem
from services.responder.queue_item.service import (
    Drafter,
    insert_new_items,
    load_batch_context,
    open_item,
    record_assignment,
)
from services.responder.queue_item.states import FollowUpState, QueueState
from shared.db import session_scope
from shared.events import (
    AssignmentMade,
    Envelope,
    Mention,
    MentionClassified,
    MentionDeleted,
    ReplyFailed,
    ReplyPending,
    ReplyPublished,
)
from shared.logging import get_logger

log = get_logger(__name__)

DeadlineFor = Callable[[Mention], datetime]


async def handle_mentions_classified(
    envelopes: Sequence[Envelope[MentionClassified]],
    *,
    sessions: async_sessionmaker[AsyncSession],
    drafter: Drafter,
    deadline_for: DeadlineFor,
    metrics: ResponderMetrics,
) -> None:
    """A fetched batch in one transaction: one commit for the batch, not one per review.

    Mentions the seller had already answered on the platform (a history import) open no
    queue item and no answer clock; the insight aggregates still count them.
    """
    results = []
    events: list[MentionClassified] = []
    for envelope in envelopes:
        event = envelope.payload
        if event.mention.answered:
            metrics.items.labels(
                platform=event.mention.platform,
                sentiment=event.classification.sentiment.value,
                outcome="answered_elsewhere",
            ).inc()
        else:
            events.append(event)
    if not events:
        return
    async with session_scope(sessions) as session:
        batch = await load_batch_context(session, [e.mention for e in events], bulk=True)
        for event in events:
            result = await open_item(
                session,
                mention=event.mention,
                classification=event.classification,
                due_at=deadline_for(event.mention),
                drafter=drafter,
                batch=batch,
            )
            results.append((event, result.outcome))
        await insert_new_items(session, batch)
    for event, outcome in results:
        sentiment = event.classification.sentiment.value
        metrics.items.labels(
            platform=event.mention.platform, sentiment=sentiment, outcome=outcome
        ).inc()
        if outcome != "duplicate":
            metrics.drafts.labels(sentiment=sentiment, language=event.classification.language).inc()


async def handle_assignment_made(
    envelope: Envelope[AssignmentMade], *, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event = envelope.payload
    async with session_scope(sessions) as session:
        await record_assignment(
            session,
            mention_id=str(event.mention_id),
            owner_id=event.owner_id,
            owner_name=event.owner_name,
            team=event.team,
        )


async def handle_reply_published(
    envelope: Envelope[ReplyPublished],
    *,
    sessions: async_sessionmaker[AsyncSession],
    metrics: ResponderMetrics,
    on_answered: Callable[[QueueItem], Awaitable[None]],
) -> None:
    """The reply is out: the item is answered; `on_answered` (the SLA tracker's `met`)
    runs after the commit, on every delivery (it publishes once)."""
    event = envelope.payload
    async with session_scope(sessions) as session:
        item = await session.get(QueueItem, str(event.mention_id))
        if item is not None and item.follow_up_reply_id == str(event.reply_id):
            item.follow_up_state = FollowUpState.published  # the case's public follow-up is out
            item.follow_up_error = None
            return
        if item is None or item.reply_id != str(event.reply_id):
            log.warning("reply outcome for an unknown or superseded reply")
            return
        first_time = item.state != QueueState.published
        item.state = QueueState.published
        item.answered_at = event.published_at
        item.reply_error = None
        if first_time:
            metrics.time_to_answer.labels(platform=item.platform).observe(
                max(0.0, (event.published_at - item.published_at).total_seconds())
            )
    await on_answered(item)


async def handle_reply_failed(
    envelope: Envelope[ReplyFailed], *, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event = envelope.payload
    async with session_scope(sessions) as session:
        item = await session.get(QueueItem, str(event.mention_id))
        if item is not None and item.follow_up_reply_id == str(event.reply_id):
            if item.follow_up_state in (FollowUpState.approved, FollowUpState.pending):
                item.follow_up_state = FollowUpState.failed  # editable and approvable again
                item.follow_up_error = event.error
            return
        if item is None or item.reply_id != str(event.reply_id):
            return
        if item.state in (QueueState.approved, QueueState.pending):
            item.state = QueueState.failed  # back in the queue, with the platform's reason
            item.reply_error = event.error


async def handle_reply_pending(
    envelope: Envelope[ReplyPending], *, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Posted but not shown yet: neither published nor failed (not re-approvable); a
    later `reply.published` or `reply.failed` settles it."""
    event = envelope.payload
    async with session_scope(sessions) as session:
        item = await session.get(QueueItem, str(event.mention_id))
        if item is not None and item.follow_up_reply_id == str(event.reply_id):
            if item.follow_up_state == FollowUpState.approved:
                item.follow_up_state = FollowUpState.pending
            return
        if item is None or item.reply_id != str(event.reply_id):
            return
        if item.state == QueueState.approved:
            item.state = QueueState.pending
            item.reply_error = None


#: Queue states a review deleted on the platform closes (nothing was posted or is in flight).
CLOSED_BY_DELETION = (QueueState.open, QueueState.failed)


async def handle_mention_deleted(
    envelope: Envelope[MentionDeleted],
    *,
    sessions: async_sessionmaker[AsyncSession],
    metrics: ResponderMetrics,
) -> None:
    """The platform no longer has the review: its waiting item closes as `deleted`, with
    the reason shown on the item, and is counted."""
    event = envelope.payload
    async with session_scope(sessions) as session:
        item = await session.get(QueueItem, str(event.mention_id))
        if item is None or item.state not in CLOSED_BY_DELETION:
            return
        item.state = QueueState.deleted
        item.dismiss_reason = event.reason
    metrics.items.labels(platform=item.platform, sentiment=item.sentiment, outcome="deleted").inc()
