"""The responder's Kafka entry points."""

from __future__ import annotations

from datetime import datetime

from services.responder.deps import ResponderContext
from services.responder.insight import handlers as insight_handlers
from services.responder.metrics import InsightMetrics
from services.responder.queue_item.handlers import (
    handle_assignment_made,
    handle_mention_deleted,
    handle_mentions_classified,
    handle_reply_failed,
    handle_reply_pending,
    handle_reply_published,
)
from services.responder.queue_item.models import QueueItem
from services.responder.sla.policy import compute_due_at
from services.responder.sla.tracker import publish_met
from shared.bus import Subscription, by_event, on, on_batch
from shared.events import (
    AlertRaised,
    AssignmentMade,
    Mention,
    MentionClassified,
    MentionDeleted,
    ReplyFailed,
    ReplyPending,
    ReplyPublished,
    SlaChanged,
)
from shared.topics import (
    ALERTS,
    ASSIGNMENTS,
    MENTIONS_CLASSIFIED,
    MENTIONS_DELETED,
    REPLIES_FAILED,
    REPLIES_PENDING,
    REPLIES_PUBLISHED,
    SLA,
)


def subscriptions(ctx: ResponderContext) -> list[Subscription]:
    sessions = ctx.runtime.sessions

    def deadline_for(mention: Mention) -> datetime:
        return compute_due_at(mention.published_at, mention.platform, ctx.policy)

    async def sla_met(item: QueueItem) -> None:
        await publish_met(
            sessions=sessions, publisher=ctx.runtime.publisher, item=item, metrics=ctx.metrics
        )

    return [
        Subscription(
            topic=MENTIONS_CLASSIFIED,
            batch_handler=on_batch(
                MentionClassified,
                handle_mentions_classified,
                sessions=sessions,
                drafter=ctx.drafter,
                deadline_for=deadline_for,
                metrics=ctx.metrics,
            ),
        ),
        Subscription(
            topic=ASSIGNMENTS,
            handlers=by_event(on(AssignmentMade, handle_assignment_made, sessions=sessions)),
        ),
        Subscription(
            topic=REPLIES_PUBLISHED,
            handlers=by_event(
                on(
                    ReplyPublished,
                    handle_reply_published,
                    sessions=sessions,
                    metrics=ctx.metrics,
                    on_answered=sla_met,
                )
            ),
        ),
        Subscription(
            topic=REPLIES_FAILED,
            handlers=by_event(on(ReplyFailed, handle_reply_failed, sessions=sessions)),
        ),
        Subscription(
            topic=MENTIONS_DELETED,
            handlers=by_event(
                on(MentionDeleted, handle_mention_deleted, sessions=sessions, metrics=ctx.metrics)
            ),
        ),
        Subscription(
            topic=REPLIES_PENDING,
            handlers=by_event(on(ReplyPending, handle_reply_pending, sessions=sessions)),
        ),
    ]


def insight_subscriptions(ctx: ResponderContext, metrics: InsightMetrics) -> list[Subscription]:
    """The insights runner (its own consumer group: the queue also reads mentions)."""
    sessions = ctx.runtime.sessions

    def deadline_for(mention: Mention) -> datetime:
        return compute_due_at(mention.published_at, mention.platform, ctx.policy)

    async def sla_met(item: QueueItem) -> None:
        await publish_met(
            sessions=sessions, publisher=ctx.runtime.publisher, item=item, metrics=ctx.metrics
        )

    return [
        Subscription(
            topic=MENTIONS_CLASSIFIED,
            batch_handler=on_batch(
                MentionClassified,
                insight_handlers.handle_mentions_classified,
                deadline_for=deadline_for,
                sessions=sessions,
                metrics=metrics,
            ),
        ),
        Subscription(
            topic=ASSIGNMENTS,
            handlers=by_event(
                on(
                    AssignmentMade,
                    insight_handlers.handle_assignment_made,
                    sessions=sessions,
                    metrics=metrics,
                )
            ),
        ),
        Subscription(
            topic=REPLIES_PUBLISHED,
            handlers=by_event(
                on(
                    ReplyPublished,
                    insight_handlers.handle_reply_published,
                    sessions=sessions,
                    metrics=metrics,
                )
            ),
        ),
        Subscription(
            topic=SLA,
            handlers=by_event(
                on(
                    SlaChanged,
                    insight_handlers.handle_sla_changed,
                    sessions=sessions,
                    metrics=metrics,
                )
            ),
        ),
        Subscription(
            topic=ALERTS,
            handlers=by_event(
                on(
                    AlertRaised,
                    insight_handlers.handle_alert_raised,
                    sessions=sessions,
                    metrics=metrics,
                )
            ),
        ),
    ]
