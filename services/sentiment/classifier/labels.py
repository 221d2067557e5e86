"""Mapping a model's own output labels onto positive / neutral / negative.

Hub models name their classes in many ways; the service needs one scheme. Known schemes:
3-class names (positive/neutral/negative, any case or abbreviation, also RuSentiment's
speech/skip), anonymous LABEL_0..2 (read as negative, neutral, positive — the cardiffnlp /
most common convention), 5-star ("1 star" .. "5 stars": 1-2 negative, 3 neutral, 4-5
positive), and 2-class (LABEL_0/LABEL_1 = negative/positive). Anything else needs an
explicit `label_map` ({model label: our label}).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from services.sentiment.classifier.base import LABELS

_STARS = re.compile(r"^\s*([1-5])\s*(?:star|stars|звезд\w*)?\s*$", re.IGNORECASE)
_PREFIXES = {
    "pos": "positive",
    "neg": "negative",
    "neu": "neutral",
    "позит": "positive",
    "негат": "negative",
    "нейтр": "neutral",
    "speech": "positive",
    "skip": "neutral",
}


class LabelMappingError(ValueError):
    """A model's labels match no known scheme and no explicit mapping was given."""


def _by_name(label: str) -> str | None:
    low = label.strip().lower()
    for prefix, target in _PREFIXES.items():
        if low.startswith(prefix):
            return target
    match = _STARS.match(low)
    if match:
        stars = int(match.group(1))
        return "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"
    return None


def mapping_matrix(
    id2label: Mapping[int, str], label_map: Mapping[str, str] | None = None
) -> np.ndarray:
    """A (num_model_labels x 3) 0/1 matrix: model probabilities @ matrix = our three."""
    n = len(id2label)
    labels = [str(id2label[i]) for i in range(n)]
    targets: list[str | None]
    if label_map:
        lowered = {str(k).lower(): v for k, v in label_map.items()}
        targets = [lowered.get(lab.lower(), lowered.get(str(i))) for i, lab in enumerate(labels)]
    else:
        targets = [_by_name(lab) for lab in labels]
        if any(t is None for t in targets):
            anonymous = all(re.fullmatch(r"LABEL_\d+", lab) for lab in labels)
            if anonymous and n == 3:
                targets = ["negative", "neutral", "positive"]
            elif anonymous and n == 2:
                targets = ["negative", "positive"]
            elif anonymous and n == 5:
                targets = ["negative", "negative", "neutral", "positive", "positive"]
    missing = [lab for lab, t in zip(labels, targets, strict=True) if t not in LABELS]
    if missing:
        raise LabelMappingError(
            f"cannot map model labels {missing} onto {LABELS}; pass label_map={{label: target}}"
        )
    matrix = np.zeros((n, len(LABELS)), dtype=np.float32)
    for i, target in enumerate(targets):
        matrix[i, LABELS.index(str(target))] = 1.0
    return matrix


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)
