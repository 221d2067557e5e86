"""Ingest's Kafka entry points: approved replies to post back."""

from __future__ import annotations

from functools import partial

from services.ingest.deps import IngestContext
from services.ingest.reply.handlers import handle_reply_approved
from shared.bus import Subscription
from shared.events import ReplyApproved
from shared.topics import REPLIES_APPROVED


def subscriptions(ctx: IngestContext) -> list[Subscription]:
    return [
        Subscription(
            topic=REPLIES_APPROVED,
            handlers={
                ReplyApproved.event_type: partial(
                    handle_reply_approved,
                    sessions=ctx.runtime.sessions,
                    publisher=ctx.runtime.publisher,
                    connectors=ctx.connectors,
                    metrics=ctx.metrics,
                )
            },
        )
    ]
