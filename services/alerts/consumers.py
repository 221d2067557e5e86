"""The alerts service's Kafka entry points: each handler gets what it uses, by keyword.

Every event consumed here is also fanned out to outbound webhook subscriptions; a topic
appears in one Subscription only, so the fan-out wraps the domain handler (the classified
mentions' batch handler fans out inside its own transaction).
"""

from __future__ import annotations

from services.alerts.deps import AlertsContext
from services.alerts.escalation.handlers import handle_mentions_classified, handle_sla_changed
from services.alerts.notification.handlers import handle_alert_raised
from services.alerts.webhook.handlers import (
    handle_events_for_webhooks,
    webhooks_only,
    with_webhooks,
)
from shared.bus import Subscription, by_event, on, on_batch
from shared.events import (
    AlertRaised,
    AssignmentMade,
    MentionClassified,
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
    sessions = ctx.runtime.sessions
    wakeup = ctx.webhook_wakeup
    return [
        Subscription(
            topic=MENTIONS_CLASSIFIED,
            # The handler fans the batch out to webhook subscriptions in its own transaction.
            batch_handler=on_batch(
                MentionClassified,
                handle_mentions_classified,
                sessions=sessions,
                directory=ctx.directory,
                notifier=ctx.notifier,
                crisis=ctx.settings.alerts_crisis,
                publisher=ctx.runtime.publisher,
                metrics=ctx.metrics,
                webhook_wakeup=wakeup,
            ),
        ),
        Subscription(
            topic=SLA,
            handlers=by_event(
                with_webhooks(
                    on(
                        SlaChanged,
                        handle_sla_changed,
                        sessions=sessions,
                        directory=ctx.directory,
                        notifier=ctx.notifier,
                        metrics=ctx.metrics,
                    ),
                    sessions=sessions,
                    webhook_wakeup=wakeup,
                )
            ),
        ),
        Subscription(
            topic=ALERTS,
            handlers=by_event(
                with_webhooks(
                    on(
                        AlertRaised,
                        handle_alert_raised,
                        sessions=sessions,
                        directory=ctx.directory,
                        notifier=ctx.notifier,
                    ),
                    sessions=sessions,
                    webhook_wakeup=wakeup,
                )
            ),
        ),
        # Consumed for the webhook fan-out only (our own assignments, the responder's news);
        # assignments come at the rate of mentions, so a fetched batch is one transaction.
        Subscription(
            topic=ASSIGNMENTS,
            batch_handler=on_batch(
                AssignmentMade, handle_events_for_webhooks, sessions=sessions, webhook_wakeup=wakeup
            ),
        ),
        Subscription(
            topic=REPLIES_PUBLISHED,
            handlers=by_event(
                webhooks_only(ReplyPublished, sessions=sessions, webhook_wakeup=wakeup)
            ),
        ),
        Subscription(
            topic=REPLIES_FAILED,
            handlers=by_event(webhooks_only(ReplyFailed, sessions=sessions, webhook_wakeup=wakeup)),
        ),
    ]
