"""Classification metrics of one backend on the held-out splits in ../shared/data.

Held-out sets (conventions of services/sentiment/training/data.py, never trained on):
- RuSentiment test: 3-class (speech -> positive, skip -> neutral) accuracy, macro-F1 and
  confusion; plus the dataset's own 5-class weighted F1 when the model predicts the five
  RuSentiment classes (the built-in model, or an HF model whose labels are those five);
- English held-out (Kotzias, line index i % 10 < 3): binary, positive iff p(pos) >= p(neg);
- SentiRuEval-2015 reviews test, "Whole" sentiment (pos/neg/neutral);
- SentiRuEval-2015 tweets gold test (agreed brand sign);
- review-corpora: the fixed held-out tenth of the review corpora (data.balanced_held_out,
  class-balanced per source, ru + en);
- marketplace-like: held-out reviews at their natural, mostly positive class balance
  (data.natural_held_out; the review head's prior shift is tuned on it: a validation
  figure, not a test one);
- marketplace-reviews: the validation fifth of the project's own marketplace corpus
  (training/marketplace_reviews.jsonl) at a marketplace's natural balance
  (data.marketplace_natural_validation; the offsets are tuned on it with the
  marketplace-like slice: validation), and `marketplace-reviews-all`: the whole
  validation fifth at the corpus's own balance (more complaints and 3-star reviews);
- project-reviews: the project's own labelled product reviews (evaluation/reviews.jsonl),
  text only, and `project-reviews+stars`: the same through the rating fusion
  (classifier/fusion.py), as the service labels a review with stars.
Every set also reports negative precision and recall (a missed negative is a missed
escalation).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.sentiment.classifier.base import LABELS, TextClassifier
from services.sentiment.training import data

DATASETS = (
    "rusentiment",
    "english",
    "reviews",
    "tweets",
    "review-corpora",
    "marketplace-like",
    "marketplace-reviews",
    "marketplace-reviews-all",
    "project-reviews",
)


@dataclass
class RatedLabelled(data.Labelled):
    """Labelled texts with each one's stars (None where the review has none)."""

    ratings: list[int | None] = field(default_factory=list)


@dataclass
class Scores:
    """Accuracy, macro-F1 and confusion matrix (rows gold, columns predicted)."""

    n: int
    accuracy: float
    macro_f1: float
    labels: list[str]
    confusion: list[list[int]]
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "labels": self.labels,
            "confusion": self.confusion,
            **self.extra,
        }


def score(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> Scores:
    """Accuracy, macro-F1 over `labels` (classes absent from both sides are skipped)."""
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    present = [lab for lab in labels if lab in set(gold) | set(pred)]
    p, r, _, _ = precision_recall_fscore_support(gold, pred, labels=["negative"], zero_division=0)
    return Scores(
        n=len(gold),
        accuracy=round(float(accuracy_score(gold, pred)), 4),
        macro_f1=round(float(f1_score(gold, pred, labels=present, average="macro")), 4),
        labels=list(labels),
        confusion=confusion_matrix(gold, pred, labels=list(labels)).tolist(),
        extra={
            "negative_precision": round(float(p[0]), 4),
            "negative_recall": round(float(r[0]), 4),
        },
    )


def five_class_predictor(
    clf: TextClassifier, id2label: dict[int, str] | None = None
) -> Callable[[list[str]], list[str]] | None:
    """A predictor of RuSentiment's five classes, if the backend has one.

    HF backends qualify when the model's labels are those five (`id2label` from the model
    config; the ONNX backend keeps none, so the caller passes it).
    """
    classes = getattr(clf, "classes", None)
    if classes is not None and set(classes) == set(data.RU5) and hasattr(clf, "class_probs"):
        return lambda texts: [classes[i] for i in clf.class_probs(texts).argmax(axis=1)]  # type: ignore[attr-defined]
    model = getattr(clf, "model", None)
    config = getattr(model, "config", None)
    id2label = getattr(config, "id2label", None) or id2label
    if id2label and {str(v).lower() for v in id2label.values()} == set(data.RU5):
        names = [str(id2label[k]).lower() for k in sorted(id2label, key=int)]
        if hasattr(clf, "logits"):
            return lambda texts: [names[i] for i in clf.logits(texts).argmax(axis=1)]  # type: ignore[attr-defined]
    return None


def _slice(part: data.Labelled, limit: int | None) -> data.Labelled:
    if not limit or len(part) <= limit:
        return part
    # an evenly spaced slice keeps the class mix of the whole file
    idx = np.linspace(0, len(part) - 1, limit).astype(int)
    if isinstance(part, RatedLabelled):
        return RatedLabelled(
            [part.texts[i] for i in idx],
            [part.labels[i] for i in idx],
            [part.ratings[i] for i in idx],
        )
    return data.Labelled([part.texts[i] for i in idx], [part.labels[i] for i in idx])


def _rated(items: Sequence[data.RatedText]) -> data.Labelled:
    return data.Labelled([i.text for i in items], [i.label for i in items])


def _rated_stars(items: Sequence[data.RatedText]) -> RatedLabelled:
    return RatedLabelled(
        [i.text for i in items], [i.label for i in items], [i.stars for i in items]
    )


def _project_reviews() -> data.Labelled:
    from services.sentiment.training.project_reviews import load_project_reviews

    reviews = load_project_reviews()
    return RatedLabelled(
        [r.full_text for r in reviews], [r.sentiment for r in reviews], [r.rating for r in reviews]
    )


def load_sets(
    names: Sequence[str] = DATASETS, limit: int | None = None
) -> dict[str, data.Labelled]:
    loaders: dict[str, Callable[[], data.Labelled]] = {
        "rusentiment": data.rusentiment_test,
        "english": lambda: data.english(held_out=True),
        "reviews": lambda: data.review_sentiment("test"),
        "tweets": lambda: data.tweets("test_etalon"),
        "review-corpora": lambda: _rated(data.balanced_held_out()),
        "marketplace-like": lambda: _rated(data.natural_held_out()),
        "marketplace-reviews": lambda: _rated_stars(data.marketplace_natural_validation()),
        "marketplace-reviews-all": lambda: _rated_stars(data.marketplace_corpus(validation=True)),
        "project-reviews": _project_reviews,
    }
    out = {name: _slice(loaders[name](), limit) for name in names}
    return {name: part for name, part in out.items() if len(part)}


def evaluate(
    clf: TextClassifier,
    sets: dict[str, data.Labelled],
    batch: int = 256,
    id2label: dict[int, str] | None = None,
) -> dict[str, Any]:
    """All metrics of `clf` on `sets` (from `load_sets`), plus wall time per set."""

    def predict(texts: list[str]) -> list[dict[str, float]]:
        out: list[dict[str, float]] = []
        for i in range(0, len(texts), batch):
            out += [p.scores for p in clf.predict(texts[i : i + batch])]
        return out

    results: dict[str, Any] = {"model": clf.name}
    for name, part in sets.items():
        start = time.perf_counter()
        probs = predict(part.texts)
        if name == "english":
            pred = ["positive" if s["positive"] >= s["negative"] else "negative" for s in probs]
            result = score(part.labels, pred, ["positive", "negative"])
        else:
            pred = [max(LABELS, key=lambda k, s=s: s[k]) for s in probs]  # type: ignore[misc]
            gold = [data.COLLAPSE.get(label, label) for label in part.labels]
            result = score(gold, pred, list(LABELS))
        if name == "rusentiment":
            five = five_class_predictor(clf, id2label)
            if five is not None:
                from sklearn.metrics import f1_score

                pred5: list[str] = []
                for i in range(0, len(part.texts), batch):
                    pred5 += five(part.texts[i : i + batch])
                result.extra["weighted_f1_5class"] = round(
                    float(f1_score(part.labels, pred5, average="weighted")), 4
                )
        result.extra["seconds"] = round(time.perf_counter() - start, 2)
        results[name] = result.as_dict()
        if isinstance(part, RatedLabelled) and any(r is not None for r in part.ratings):
            results[f"{name}+stars"] = _with_stars(part, probs).as_dict()
    return results


def _with_stars(part: RatedLabelled, probs: list[dict[str, float]]) -> Scores:
    """The service's label for a review with stars: text prediction fused with the rating."""
    from services.sentiment.classifier.base import TextPrediction
    from services.sentiment.classifier.fusion import fuse

    pred = [
        fuse(rating, TextPrediction.from_scores(s)).sentiment.value
        for rating, s in zip(part.ratings, probs, strict=True)
    ]
    return score(part.labels, pred, list(LABELS))
