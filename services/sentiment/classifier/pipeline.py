"""One batch of mentions -> one Classification each: language, text model, fusion, aspects.

Pure apart from the classifier call, so the Kafka consumer can run it in a worker thread
on a `getmany` batch: the whole batch goes through the model in one `predict` call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.sentiment.classifier.aspects import extract_aspects
from services.sentiment.classifier.base import TextClassifier
from services.sentiment.classifier.fusion import fuse
from services.sentiment.classifier.language import detect_language
from shared.events import Classification


@dataclass(frozen=True)
class MentionInput:
    """What the pipeline needs of a mention (the consumer builds it from `Mention`)."""

    text: str
    rating: int | None = None
    language_hint: str | None = None


def analyse(
    items: Sequence[MentionInput | tuple[str, int | None]], classifier: TextClassifier
) -> list[Classification]:
    """Classify a batch; accepts MentionInput or (text, rating) pairs, keeps input order."""
    inputs = [i if isinstance(i, MentionInput) else MentionInput(i[0], i[1]) for i in items]
    predictions = classifier.predict([i.text for i in inputs]) if inputs else []
    out = []
    for item, text_pred in zip(inputs, predictions, strict=True):
        fused = fuse(item.rating, text_pred)
        out.append(
            Classification(
                sentiment=fused.sentiment,
                score=min(1.0, max(0.0, fused.score)),
                scores=fused.scores,
                text_sentiment=text_pred.label,
                language=detect_language(item.text, item.language_hint),
                aspects=extract_aspects(item.text, default=text_pred.label),
                rating_contradiction=fused.contradiction,
                model=classifier.name,
            )
        )
    return out
