"""Rating fusion: stars and text together, and the contradiction flag.

Rule (documented in docs/sentiment.md):
1. No stars: the text prediction is the answer.
2. Stars map to a prior over positive/neutral/negative (STAR_PRIOR: 1-2 mostly negative,
   3 mostly neutral, 4-5 mostly positive). The fused distribution is the average of the
   text's and the stars' distributions; the label is its arg-max.
3. Contradiction: 4-5 stars while the text is negative with p ≥ CONTRADICTION_P (a
   complaint under high stars), or 1-2 stars while the text is positive with p ≥
   CONTRADICTION_P (praise under low stars). Then the label is negative whatever the
   average says: both cases need a person (an unhandled complaint, or a low rating the
   customer may correct), and the score is the stronger negative evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.sentiment.classifier.base import LABELS, TextPrediction
from shared.events import Sentiment

STAR_PRIOR: dict[int, dict[str, float]] = {
    1: {"positive": 0.02, "neutral": 0.08, "negative": 0.90},
    2: {"positive": 0.05, "neutral": 0.25, "negative": 0.70},
    3: {"positive": 0.20, "neutral": 0.60, "negative": 0.20},
    4: {"positive": 0.75, "neutral": 0.20, "negative": 0.05},
    5: {"positive": 0.90, "neutral": 0.08, "negative": 0.02},
}
CONTRADICTION_P = 0.5


@dataclass(frozen=True)
class Fused:
    sentiment: Sentiment
    score: float
    scores: dict[str, float]
    contradiction: bool


def is_contradiction(rating: int | None, text: TextPrediction) -> bool:
    """5/4 stars with a confident complaint, or 1/2 stars with confident praise."""
    if rating is None:
        return False
    if rating >= 4:
        return text.scores.get("negative", 0.0) >= CONTRADICTION_P
    if rating <= 2:
        return text.scores.get("positive", 0.0) >= CONTRADICTION_P
    return False


def fuse(rating: int | None, text: TextPrediction) -> Fused:
    """Apply the rule above; `rating` outside 1..5 is treated as absent."""
    if rating is None or rating not in STAR_PRIOR:
        return Fused(text.label, text.score, dict(text.scores), False)
    prior = STAR_PRIOR[rating]
    scores = {k: round((text.scores.get(k, 0.0) + prior[k]) / 2, 6) for k in LABELS}
    if is_contradiction(rating, text):
        negative = max(text.scores.get("negative", 0.0), prior["negative"])
        return Fused(Sentiment.negative, round(negative, 6), scores, True)
    best = max(LABELS, key=lambda k: scores[k])
    return Fused(Sentiment(best), scores[best], scores, False)
