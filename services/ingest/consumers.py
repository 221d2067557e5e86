"""Ingest's Kafka entry points: approved replies to post back."""

from __future__ import annotations

from services.ingest.deps import IngestContext
from services.ingest.reply.handlers import handle_reply_approved
from shared.bus import Subscription, by_event, on
from shared.events import ReplyApproved
from shared.topics import REPLIES_APPROVED


def subscriptions(ctx: IngestContext) -> list[Subscription]:
    return [
        Subscription(
            topic=REPLIES_APPROVED,
            handlers=by_event(
                on(
                    ReplyApproved,
                    handle_reply_approved,
                    sessions=ctx.runtime.sessions,
                    publisher=ctx.runtime.publisher,
                    connectors=ctx.connectors,
                    metrics=ctx.metrics,
                )
            ),
        )
    ]
