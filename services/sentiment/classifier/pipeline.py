"""One batch of mentions -> one Classification each: language, text model, fusion, signals.

Pure apart from the classifier call, so the Kafka consumer can run it in a worker thread
on a `getmany` batch: the whole batch goes through the model in one `predict` call. The
rule-based signals (aspects with their clauses, questions, sarcasm, remark, rating slip)
read the same text the model reads: the review text, then pros, then cons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from services.sentiment.classifier.aspects import aspects_of, read_text
from services.sentiment.classifier.base import TextClassifier, TextPrediction
from services.sentiment.classifier.cues import read_cues, says_no_drawback
from services.sentiment.classifier.fusion import fuse
from services.sentiment.classifier.language import detect_language
from services.sentiment.classifier.questions import (
    find_questions,
    question_clause_indices,
    whole_text_question,
)
from services.sentiment.classifier.text_units import segment
from shared.events import Classification, MentionKind, Sentiment


@dataclass(frozen=True)
class MentionInput:
    """What the pipeline needs of a mention (the consumer builds it from `Mention`)."""

    text: str
    rating: int | None = None
    language_hint: str | None = None
    kind: MentionKind = MentionKind.review
    pros: str | None = None
    cons: str | None = None

    @property
    def full_text(self) -> str:
        """Text, pros and cons joined as `Mention.full_text` joins them."""
        return "\n".join(p for p in (self.text, self.pros, self.cons) if p)

    @property
    def model_text(self) -> str:
        """What the text model reads: `full_text` without a cons field that names no
        drawback («Ничего», "Nothing so far"): read alone, such a word sounds negative."""
        cons = None if says_no_drawback(self.cons) else self.cons
        return "\n".join(p for p in (self.text, self.pros, cons) if p)

    def field_ranges(self) -> list[tuple[int, int, Sentiment]]:
        """Where pros (praised by default) and cons (blamed) lie inside `full_text`."""
        out = []
        offset = len(self.text) + 1 if self.text else 0
        for part, sentiment in ((self.pros, Sentiment.positive), (self.cons, Sentiment.negative)):
            if part:
                out.append((offset, offset + len(part), sentiment))
                offset += len(part) + 1
        return out


def classify_one(item: MentionInput, text_pred: TextPrediction, model: str) -> Classification:
    """Fuse one mention's text prediction with its stars and the rule-based signals."""
    text = item.full_text
    seg = segment(text)
    reading = read_text(
        text,
        question_clauses=question_clause_indices(seg),
        extra_sections=item.field_ranges(),
        seg=seg,
    )
    is_question = item.kind is MentionKind.question
    default = Sentiment.neutral if is_question else text_pred.label
    disagree = (item.rating in (4, 5) and default is Sentiment.negative) or (
        item.rating in (1, 2) and default is Sentiment.positive
    )
    if disagree:
        # An aspect with no word of its own for or against («упаковано на совесть», read
        # negative by the model under 5★) is neither.
        default = Sentiment.neutral
    cues, aspects = read_cues(reading, aspects_of(reading, default), item.rating)
    if says_no_drawback(item.cons):  # «Недостатки: ничего» is praise, like «минусов нет»
        cues = replace(cues, praise=cues.praise + 1)
    fused = fuse(item.rating, text_pred, cues)
    return Classification(
        sentiment=fused.sentiment,
        score=min(1.0, max(0.0, fused.score)),
        scores=fused.scores,
        text_sentiment=text_pred.label,
        language=detect_language(text, item.language_hint),
        aspects=aspects,
        rating_contradiction=fused.contradiction,
        model=model,
        signals=True,
        questions=whole_text_question(text) if is_question else find_questions(text, seg),
        sarcasm=cues.sarcasm,
        rating_slip=fused.rating_slip,
        remark=fused.remark,
    )


def analyse(
    items: Sequence[MentionInput | tuple[str, int | None]], classifier: TextClassifier
) -> list[Classification]:
    """Classify a batch; accepts MentionInput or (text, rating) pairs, keeps input order."""
    inputs = [i if isinstance(i, MentionInput) else MentionInput(i[0], i[1]) for i in items]
    predictions = classifier.predict([i.model_text for i in inputs]) if inputs else []
    return [
        classify_one(item, text_pred, classifier.name)
        for item, text_pred in zip(inputs, predictions, strict=True)
    ]
