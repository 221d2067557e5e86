"""Rating fusion: what the customer means, from the stars and the words together.

Rule (docs/sentiment.md, "Rating fusion"; the drafts pick their family from it):
1. Stars decide the family: 4–5★ positive, 3★ neutral, 1–2★ negative.
2. Sarcasm is a complaint: negative whatever the stars, unless the text is clearly
   positive overall: the model says positive with p ≥ CLEARLY_POSITIVE_P and, ironic
   praise read as blame, the words hold no complaint.
3. Remark: 4–5★ with a complaint cue (a blamed aspect, a negative word) stays positive,
   flagged `remark` («Всё супер, только коробка помята»), unless the customer turns the
   difference into a plus («темнее, чем на фото, но так даже лучше»).
4. Rating slip: 1–2★ under a clearly positive text — the text model says positive
   (p ≥ SLIP_P, or any positive label with two praise cues) or the words praise three
   times (four where the model says negative) — with no complaint cue at all, is
   positive, flagged `rating_slip`.
5. No stars: the text decides — the text model's label, negative under sarcasm, and
   negative when the words complain and praise nothing while the model missed it; a
   question with no complaint nor praise word is neutral whatever the model says; a
   complaint the customer calls minor («но это мелочь», "otherwise great") beside praise,
   with no fault that leaves the item unusable (broken, fake, leaking), is no negative
   review (the model's positive or neutral, whichever it rates higher); words that praise
   at least PRAISE_ONLY times and blame nothing, with no question, are a positive review
   where the model reads neutral, or negative in a short text («не линяет, не садится,
   рекомендую»: negated faults read negative or neutral to it).
`contradiction` (the event's `rating_contradiction`: stars and text disagree) is set for
remarks, slips and sarcasm under 4–5★. `scores` is the mean of the text's and the stars'
distributions (STAR_PRIOR) for reference; `score` is the confidence of the chosen label.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.sentiment.classifier.base import LABELS, TextPrediction
from services.sentiment.classifier.cues import TextCues
from shared.events import Sentiment

STAR_PRIOR: dict[int, dict[str, float]] = {
    1: {"positive": 0.02, "neutral": 0.08, "negative": 0.90},
    2: {"positive": 0.05, "neutral": 0.25, "negative": 0.70},
    3: {"positive": 0.20, "neutral": 0.60, "negative": 0.20},
    4: {"positive": 0.75, "neutral": 0.20, "negative": 0.05},
    5: {"positive": 0.90, "neutral": 0.08, "negative": 0.02},
}
#: The text model's p(positive) above which a low rating under praise is a slip.
SLIP_P = 0.6
#: Praise cues that make a slip without the model's agreement (no complaint cue at all).
SLIP_PRAISE = 3
#: Past this many words a slip needs `SLIP_PRAISE` praise cues, whatever the model says.
SLIP_SHORT_WORDS = 15
#: The text model's p(positive) above which ironic-looking praise is taken at its word.
CLEARLY_POSITIVE_P = 0.9
#: Up to this many words the cue lists may overrule a negative reading of the model.
SHORT_TEXT_WORDS = 25
#: Praise cues that make a text with no complaint cue and no question positive (rule 5).
PRAISE_ONLY = 2
#: Without word cues (old callers), a text p(negative) this high counts as a complaint.
COMPLAINT_P = 0.5


@dataclass(frozen=True)
class Fused:
    sentiment: Sentiment
    score: float
    scores: dict[str, float]
    contradiction: bool
    rating_slip: bool = False
    remark: bool = False


def cues_from_model(text: TextPrediction) -> TextCues:
    """Cues when only the text model is known: its confident label stands for the words."""
    complaint = int(text.scores.get("negative", 0.0) >= COMPLAINT_P)
    praise = int(text.scores.get("positive", 0.0) >= SLIP_P)
    return TextCues(complaint=complaint, praise=praise)


def is_rating_slip(rating: int | None, text: TextPrediction, cues: TextCues) -> bool:
    """1–2★ over clearly positive words with no complaint (rule 4)."""
    if rating is None or rating > 2 or cues.sarcasm or cues.complaint or not cues.praise:
        return False
    if cues.consolation or (cues.words > SLIP_SHORT_WORDS and cues.praise < SLIP_PRAISE):
        # «Отличный кофе для тех, кто скучает по вкусу жжёной резины…», "at least it's a
        # nice colour": a long 1★ text with a word of praise is a complaint the cue lists
        # did not read; a slip praises over and over
        return False
    p_pos = text.scores.get("positive", 0.0)
    if p_pos >= SLIP_P or (text.label is Sentiment.positive and cues.praise >= 2):
        return True
    # many praise words and not one complaint: clearly positive even where the model
    # hesitates (a short text, an unusual product)
    doubted = text.scores.get("negative", 0.0) >= COMPLAINT_P
    return cues.praise >= SLIP_PRAISE + int(doubted)


def is_minor_remark(cues: TextCues) -> bool:
    """A complaint the customer calls minor («шнур коротковат, но это мелочь», "otherwise
    great") beside praise, with no fault that leaves the item unusable and no irony: a
    remark, not a negative review (rule 5)."""
    return bool(cues.minor and cues.praise and not cues.sarcasm and not cues.unusable)


def _ironic(text: TextPrediction, cues: TextCues) -> bool:
    clearly_positive = text.scores.get("positive", 0.0) >= CLEARLY_POSITIVE_P and not (
        cues.complaint or cues.severe
    )
    return cues.sarcasm and not clearly_positive


def fuse(rating: int | None, text: TextPrediction, cues: TextCues | None = None) -> Fused:
    """Apply the rule above; `rating` outside 1..5 is treated as absent."""
    cues = cues_from_model(text) if cues is None else cues
    if rating is None or rating not in STAR_PRIOR:
        label = text.label
        if _ironic(text, cues) or (
            label is not Sentiment.negative and cues.complaint and not cues.praise
        ):
            label = Sentiment.negative
        elif cues.asks and not cues.complaint and not cues.praise:
            label = Sentiment.neutral  # a bare question is neither praise nor complaint
        elif cues.asks and cues.praise and not cues.complaint and label is Sentiment.neutral:
            label = Sentiment.positive  # «Хорошие кроссы. Когда будет 41 размер?»
        elif (
            cues.praise >= PRAISE_ONLY
            and not cues.complaint
            and not cues.asks
            and (label is not Sentiment.negative or 0 < cues.words <= SHORT_TEXT_WORDS)
        ):
            label = Sentiment.positive
        elif (
            label is Sentiment.negative
            and cues.praise
            and not cues.complaint
            and 0 < cues.words <= SHORT_TEXT_WORDS
        ):
            # «не протекает, не греется»: praise said by negating faults reads negative to
            # the model; a short text whose words praise and blame nothing is no negative
            # review (in a long one the cue lists miss too much to overrule the model)
            label = max(
                (Sentiment.positive, Sentiment.neutral), key=lambda s: text.scores.get(s.value, 0)
            )
        if label is not Sentiment.positive and is_minor_remark(cues):
            # «шнур коротковат, но это мелочь» beside praise said twice is a positive review
            label = (
                Sentiment.positive
                if cues.praise >= PRAISE_ONLY
                else max(
                    (Sentiment.positive, Sentiment.neutral),
                    key=lambda s: text.scores.get(s.value, 0),
                )
            )
        score = text.scores.get(label.value, 0.0)
        if label is not text.label:  # the words overrule the model: at least even odds
            score = max(score, 0.5)
        return Fused(label, round(score, 6), dict(text.scores), False)
    prior = STAR_PRIOR[rating]
    scores = {k: round((text.scores.get(k, 0.0) + prior[k]) / 2, 6) for k in LABELS}
    slip = remark = contradiction = False
    if _ironic(text, cues):
        label = Sentiment.negative
        contradiction = rating >= 4
    elif rating >= 4:
        label = Sentiment.positive
        # a difference the customer calls a plus is no remark to answer
        remark = contradiction = cues.complaint > cues.turned
    elif rating == 3:
        label = Sentiment.neutral
    else:
        slip = contradiction = is_rating_slip(rating, text, cues)
        label = Sentiment.positive if slip else Sentiment.negative
    score = max(scores[label.value], text.scores.get(label.value, 0.0) if contradiction else 0.0)
    return Fused(label, round(score, 6), scores, contradiction, slip, remark)
