"""mentions.raw → one model pass per batch → mentions.classified."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from services.sentiment.classifier.base import TextClassifier
from services.sentiment.classifier.pipeline import MentionInput, analyse
from services.sentiment.metrics import SentimentMetrics
from shared.bus import Publisher
from shared.events import Envelope, MentionClassified, MentionReceived, derived_event_id
from shared.topics import MENTIONS_CLASSIFIED


async def handle_mentions_received(
    envelopes: Sequence[Envelope[MentionReceived]],
    *,
    classifier: TextClassifier,
    publisher: Publisher,
    metrics: SentimentMetrics,
) -> None:
    """Classify the batch off the event loop, publish every result, then return (commit)."""
    received = [env.payload for env in envelopes]
    inputs = [
        MentionInput(
            text=r.mention.text,
            rating=r.mention.rating,
            language_hint=r.mention.language_hint,
            kind=r.mention.kind,
            pros=r.mention.pros,
            cons=r.mention.cons,
        )
        for r in received
    ]
    started = time.perf_counter()
    results = await asyncio.to_thread(analyse, inputs, classifier)
    metrics.inference_seconds.observe(time.perf_counter() - started)
    out = []
    for envelope, event, classification in zip(envelopes, received, results, strict=True):
        mention = event.mention
        out.append(
            publisher.envelope(
                MentionClassified(mention=mention, classification=classification),
                trace_id=envelope.trace_id,
                event_id=derived_event_id(
                    "mention.classified", mention.mention_id, mention.revision
                ),
            )
        )
    await publisher.publish_envelopes(MENTIONS_CLASSIFIED, out)
    for classification in results:
        metrics.classified.labels(
            sentiment=classification.sentiment.value, language=classification.language
        ).inc()
        if classification.rating_contradiction:
            metrics.contradictions.inc()
