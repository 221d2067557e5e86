"""The responder's Kafka entry points."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from services.responder.deps import ResponderContext
from services.responder.queue_item.handlers import (
    handle_assignment_made,
    handle_mention_classified,
    handle_reply_failed,
    handle_reply_published,
)
from services.responder.sla.policy import compute_due_at
from shared.bus import Subscription
from shared.events import (
    AssignmentMade,
    Mention,
    MentionClassified,
    ReplyFailed,
    ReplyPublished,
)
from shared.topics import ASSIGNMENTS, MENTIONS_CLASSIFIED, REPLIES_FAILED, REPLIES_PUBLISHED


def subscriptions(ctx: ResponderContext) -> list[Subscription]:
    sessions = ctx.runtime.sessions

    def deadline_for(mention: Mention) -> datetime:
        return compute_due_at(mention.published_at, mention.platform, ctx.policy)

    return [
        Subscription(
            topic=MENTIONS_CLASSIFIED,
            handlers={
                MentionClassified.event_type: partial(
                    handle_mention_classified,
                    sessions=sessions,
                    drafter=ctx.drafter,
                    deadline_for=deadline_for,
                    metrics=ctx.metrics,
                )
            },
        ),
        Subscription(
            topic=ASSIGNMENTS,
            handlers={
                AssignmentMade.event_type: partial(handle_assignment_made, sessions=sessions)
            },
        ),
        Subscription(
            topic=REPLIES_PUBLISHED,
            handlers={
                ReplyPublished.event_type: partial(
                    handle_reply_published,
                    sessions=sessions,
                    publisher=ctx.runtime.publisher,
                    metrics=ctx.metrics,
                )
            },
        ),
        Subscription(
            topic=REPLIES_FAILED,
            handlers={ReplyFailed.event_type: partial(handle_reply_failed, sessions=sessions)},
        ),
    ]
