"""The sentiment service's Kafka entry point: batches of raw mentions."""

from __future__ import annotations

from services.sentiment.classifier.base import TextClassifier
from services.sentiment.handlers import handle_mentions_received
from services.sentiment.metrics import SentimentMetrics
from shared.bus import Publisher, Subscription, on_batch
from shared.events import MentionReceived
from shared.topics import MENTIONS_RAW


def subscriptions(
    *, classifier: TextClassifier, publisher: Publisher, metrics: SentimentMetrics
) -> list[Subscription]:
    return [
        Subscription(
            topic=MENTIONS_RAW,
            batch_handler=on_batch(
                MentionReceived,
                handle_mentions_received,
                classifier=classifier,
                publisher=publisher,
                metrics=metrics,
            ),
        )
    ]
