"""The alerts service's Kafka entry points.

Every event consumed here is also fanned out to outbound webhook subscriptions; a topic
appears in one Subscription only, so the fan-out wraps the domain handler (the classified
mentions' batch handler fans out inside its own transaction).
"""

from __future__ import annotations

from functools import partial

from services.alerts.deps import AlertsContext
from services.alerts.handlers import (
    handle_alert_raised,
    handle_mentions_classified,
    handle_sla_changed,
)
from services.alerts.webhook.handlers import handle_events_for_webhooks, with_webhooks
from shared.bus import Subscription
from shared.events import (
    AlertRaised,
    ReplyFailed,
    ReplyPublished,
    SlaChanged,
)
from shared.topics import (
    ALERTS,
    ASSIGNMENTS,
    MENTIONS_CLASSIFIED,
    REPLIES_FAILED,
    REPLIES_PUBLISHED,
    SLA,
)


def subscriptions(ctx: AlertsContext) -> list[Subscription]:
    return [
        Subscription(
            topic=MENTIONS_CLASSIFIED,
            # The handler fans the batch out to webhook subscriptions in its own transaction.
            batch_handler=partial(handle_mentions_classified, ctx=ctx),
        ),
        Subscription(
            topic=SLA,
            handlers={
                SlaChanged.event_type: with_webhooks(partial(handle_sla_changed, ctx=ctx), ctx)
            },
        ),
        Subscription(
            topic=ALERTS,
            handlers={
                AlertRaised.event_type: with_webhooks(partial(handle_alert_raised, ctx=ctx), ctx)
            },
        ),
        # Consumed for the webhook fan-out only (our own assignments, the responder's news);
        # assignments come at the rate of mentions, so a fetched batch is one transaction.
        Subscription(topic=ASSIGNMENTS, batch_handler=partial(handle_events_for_webhooks, ctx=ctx)),
        Subscription(
            topic=REPLIES_PUBLISHED, handlers={ReplyPublished.event_type: with_webhooks(None, ctx)}
        ),
        Subscription(
            topic=REPLIES_FAILED, handlers={ReplyFailed.event_type: with_webhooks(None, ctx)}
        ),
    ]
