"""The alerts service's Kafka entry points."""

from __future__ import annotations

from functools import partial

from services.alerts.deps import AlertsContext
from services.alerts.handlers import (
    handle_alert_raised,
    handle_mention_classified,
    handle_sla_changed,
)
from shared.bus import Subscription
from shared.events import AlertRaised, MentionClassified, SlaChanged
from shared.topics import ALERTS, MENTIONS_CLASSIFIED, SLA


def subscriptions(ctx: AlertsContext) -> list[Subscription]:
    return [
        Subscription(
            topic=MENTIONS_CLASSIFIED,
            handlers={MentionClassified.event_type: partial(handle_mention_classified, ctx=ctx)},
        ),
        Subscription(
            topic=SLA, handlers={SlaChanged.event_type: partial(handle_sla_changed, ctx=ctx)}
        ),
        Subscription(
            topic=ALERTS, handlers={AlertRaised.event_type: partial(handle_alert_raised, ctx=ctx)}
        ),
    ]
