"""The project's labelled review set: sentiment, aspects, questions and the draft signals.

`reviews.jsonl` (written for the project): one review per line, `{"id", "language",
"platform", "rating", "text", "pros", "cons", "sentiment", "aspects": [{"aspect",
"polarity", "term"}], "questions": [str], "sarcasm", "rating_slip", "remark"}`. Every
review goes through the service's own pipeline (`classifier/pipeline.py`) twice: with its
stars and without them (text only). Scores:
- sentiment: accuracy and negative recall / precision of `Classification.sentiment`
  (with stars, and text only), and of the bare text model (`text_sentiment`);
- aspects: multiset matching on (aspect, polarity) per review, per aspect and micro
  P/R/F1 (also aspect-only, ignoring polarity);
- questions: a predicted span matches a gold question when their character ranges
  overlap (a gold string not found verbatim is matched by shared words, ≥ half), one to
  one; P/R/F1 over all reviews;
- flags: precision / recall / accuracy of sarcasm, rating_slip and remark.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.sentiment.classifier.base import TextClassifier
from services.sentiment.classifier.pipeline import MentionInput, analyse
from shared.aspects import ASPECTS
from shared.events import Classification, QuestionSpan

REVIEWS = Path(__file__).with_name("reviews.jsonl")
_POLARITIES = ("positive", "neutral", "negative")
_FLAGS = ("sarcasm", "rating_slip", "remark")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class ReviewSetError(ValueError):
    """A line of the review set that cannot be read (names the line and the field)."""


@dataclass(frozen=True)
class GoldAspect:
    aspect: str
    polarity: str
    term: str


@dataclass
class Review:
    id: str
    language: str
    rating: int | None
    text: str
    pros: str | None
    cons: str | None
    sentiment: str
    aspects: list[GoldAspect] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    flags: dict[str, bool] = field(default_factory=dict)
    platform: str = ""

    def input(self, *, with_stars: bool) -> MentionInput:
        return MentionInput(
            self.text,
            self.rating if with_stars else None,
            language_hint=self.language,
            pros=self.pros,
            cons=self.cons,
        )


def _review(row: Any, where: str) -> Review:
    if not isinstance(row, dict):
        raise ReviewSetError(f"{where}: not a JSON object")
    for key in ("id", "text", "sentiment"):
        if key not in row:
            raise ReviewSetError(f"{where}: missing field {key!r}")
    if row["sentiment"] not in _POLARITIES:
        raise ReviewSetError(f"{where}: sentiment {row['sentiment']!r} not in {_POLARITIES}")
    rating = row.get("rating")
    if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
        raise ReviewSetError(f"{where}: rating {rating!r} is not 1..5 or null")
    aspects = []
    for a in row.get("aspects") or []:
        if not isinstance(a, dict) or a.get("aspect") not in ASPECTS:
            raise ReviewSetError(f"{where}: aspect {a!r} is not one of shared.aspects.ASPECTS")
        if a.get("polarity") not in _POLARITIES:
            raise ReviewSetError(f"{where}: aspect polarity {a.get('polarity')!r} unknown")
        aspects.append(GoldAspect(a["aspect"], a["polarity"], str(a.get("term") or "")))
    questions = row.get("questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise ReviewSetError(f"{where}: questions must be a list of strings")
    return Review(
        id=str(row["id"]),
        language=str(row.get("language") or ""),
        rating=rating,
        text=str(row["text"]),
        pros=row.get("pros") or None,
        cons=row.get("cons") or None,
        sentiment=row["sentiment"],
        aspects=aspects,
        questions=questions,
        flags={f: bool(row.get(f, False)) for f in _FLAGS},
        platform=str(row.get("platform") or ""),
    )


def load_reviews(path: Path = REVIEWS) -> list[Review]:
    """Read the set; a malformed line raises ReviewSetError naming it."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReviewSetError(f"{path.name}:{n}: not JSON ({exc})") from exc
        out.append(_review(row, f"{path.name}:{n}"))
    return out


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def match_questions(text: str, gold: Sequence[str], pred: Sequence[QuestionSpan]) -> int:
    """How many predicted spans match a gold question (one to one)."""
    remaining = list(pred)
    tp = 0
    lowered = text.lower()
    for question in gold:
        start = lowered.find(question.strip().lower())
        hit = None
        for span in remaining:
            if start >= 0:
                if span.start < start + len(question.strip()) and start < span.end:
                    hit = span
                    break
            else:
                want = _words(question)
                if want and len(want & _words(span.text)) * 2 >= len(want):
                    hit = span
                    break
        if hit is not None:
            remaining.remove(hit)
            tp += 1
    return tp


def _aspect_counts(review: Review, result: Classification) -> tuple[Counter[str], list[Any]]:
    pred = [(a.aspect, a.polarity.value) for a in result.aspects]
    gold = [(g.aspect, g.polarity) for g in review.aspects]
    counts: Counter[str] = Counter()
    remaining = list(gold)
    missed_pred = []
    for key in pred:
        counts[f"pred:{key[0]}"] += 1
        if key in remaining:
            remaining.remove(key)
            counts[f"tp:{key[0]}"] += 1
            counts["tp"] += 1
        else:
            missed_pred.append(key)
    for key in gold:
        counts[f"gold:{key[0]}"] += 1
    counts["pred"] += len(pred)
    counts["gold"] += len(gold)
    counts["tp_aspect"] += sum((Counter(k[0] for k in gold) & Counter(k[0] for k in pred)).values())
    return counts, [remaining, missed_pred]


def _sentiment_scores(gold: list[str], pred: list[str]) -> dict[str, float]:
    n = len(gold) or 1
    tp_neg = sum(g == p == "negative" for g, p in zip(gold, pred, strict=True))
    neg = prf(tp_neg, pred.count("negative"), gold.count("negative"))
    return {
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / n, 4),
        "negative_recall": neg["recall"],
        "negative_precision": neg["precision"],
    }


def evaluate_reviews(classifier: TextClassifier, reviews: Sequence[Review]) -> dict[str, Any]:
    """Every score of the module docstring, plus the list of errors per review."""
    with_stars = analyse([r.input(with_stars=True) for r in reviews], classifier)
    text_only = analyse([r.input(with_stars=False) for r in reviews], classifier)
    gold = [r.sentiment for r in reviews]
    totals: Counter[str] = Counter()
    q = Counter[str]()
    flags = {f: Counter[str]() for f in _FLAGS}
    errors: list[dict[str, Any]] = []
    for review, result in zip(reviews, with_stars, strict=True):
        counts, (missed, spurious) = _aspect_counts(review, result)
        totals += counts
        text = review.input(with_stars=True).full_text
        q_tp = match_questions(text, review.questions, result.questions)
        q.update(tp=q_tp, pred=len(result.questions), gold=len(review.questions))
        got = {f: bool(getattr(result, f)) for f in _FLAGS}
        for f in _FLAGS:
            want = review.flags[f]
            flags[f].update(
                tp=int(want and got[f]), pred=int(got[f]), gold=int(want), right=int(want == got[f])
            )
        wrong = {f: (review.flags[f], got[f]) for f in _FLAGS if review.flags[f] != got[f]}
        q_wrong = q_tp != len(review.questions) or q_tp != len(result.questions)
        if missed or spurious or wrong or q_wrong or result.sentiment.value != review.sentiment:
            errors.append(
                {
                    "id": review.id,
                    "text": text,
                    "rating": review.rating,
                    "sentiment": (review.sentiment, result.sentiment.value),
                    "missed": missed,
                    "spurious": spurious,
                    "questions": (review.questions, [s.text for s in result.questions]),
                    "flags": wrong,
                }
            )
    per_aspect = {
        a: prf(totals[f"tp:{a}"], totals[f"pred:{a}"], totals[f"gold:{a}"])
        | {"n_gold": totals[f"gold:{a}"]}
        for a in ASPECTS
        if totals[f"gold:{a}"] or totals[f"pred:{a}"]
    }
    return {
        "reviews": len(reviews),
        "sentiment": {
            "with_stars": _sentiment_scores(gold, [c.sentiment.value for c in with_stars]),
            "text_only": _sentiment_scores(gold, [c.sentiment.value for c in text_only]),
            "text_model": _sentiment_scores(
                gold, [c.text_sentiment.value if c.text_sentiment else "" for c in with_stars]
            ),
        },
        "aspects": prf(totals["tp"], totals["pred"], totals["gold"])
        | {
            "aspect_only": prf(totals["tp_aspect"], totals["pred"], totals["gold"]),
            "n_gold": totals["gold"],
            "n_pred": totals["pred"],
            "by_aspect": per_aspect,
        },
        "questions": prf(q["tp"], q["pred"], q["gold"]) | {"n_gold": q["gold"]},
        "flags": {
            f: prf(c["tp"], c["pred"], c["gold"])
            | {"accuracy": round(c["right"] / (len(reviews) or 1), 4), "n_gold": c["gold"]}
            for f, c in flags.items()
        },
        "errors": errors,
    }


def print_reviews(result: dict[str, Any]) -> None:
    """The report `make eval` prints for the project's review set."""
    print(f"\n== project review set: {result['reviews']} reviews (classifier/pipeline.py)")
    for name, s in result["sentiment"].items():
        print(
            f"sentiment {name:10s} acc {s['accuracy']:.3f}  negative R {s['negative_recall']:.3f}"
            f" P {s['negative_precision']:.3f}"
        )
    a = result["aspects"]
    only = a["aspect_only"]
    print(
        f"aspects micro (aspect+polarity) P {a['precision']:.3f} R {a['recall']:.3f} "
        f"F1 {a['f1']:.3f} | aspect only P {only['precision']:.3f} R {only['recall']:.3f} "
        f"F1 {only['f1']:.3f} (gold {a['n_gold']}, predicted {a['n_pred']})"
    )
    for aspect, r in a["by_aspect"].items():
        print(
            f"  {aspect:22s} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
            f"(gold {r['n_gold']})"
        )
    qs = result["questions"]
    print(
        f"questions P {qs['precision']:.3f} R {qs['recall']:.3f} F1 {qs['f1']:.3f} "
        f"(gold {qs['n_gold']})"
    )
    for flag, r in result["flags"].items():
        print(
            f"flag {flag:12s} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
            f"accuracy {r['accuracy']:.3f} (gold {r['n_gold']})"
        )
