"""The rule that picks the shipped model among the trained candidates."""

from __future__ import annotations

import pytest

from services.sentiment.training.train import (
    PUBLISHED_LINEAR_BASELINE_RU5_WEIGHTED_F1 as BASELINE,
)
from services.sentiment.training.train import choose


def _result(f1: float, ms: float, ru5: float) -> dict[str, float]:
    return {"ru3_macro_f1": f1, "ms_per_text_batch32": ms, "ru5_weighted_f1": ru5}


def test_fastest_good_enough_candidate_wins() -> None:
    results = {
        "best": _result(0.73, 0.30, BASELINE + 0.03),
        "fast": _result(0.72, 0.10, BASELINE + 0.01),
        "fastest_but_poor": _result(0.69, 0.01, BASELINE + 0.01),
    }
    assert choose(results) == "fast"


def test_candidate_below_the_published_baseline_is_never_shipped() -> None:
    results = {
        "best": _result(0.73, 0.30, BASELINE + 0.03),
        "fast_below_baseline": _result(0.725, 0.05, BASELINE - 0.001),
    }
    assert choose(results) == "best"
    with pytest.raises(RuntimeError, match="published linear baseline"):
        choose({"weak": _result(0.60, 0.1, BASELINE - 0.05)})


def _head(f1: float, recall: float, ms: float, market_recall: float = 0.8) -> dict:
    return {
        "head_ms_per_text": ms,
        "scores": {
            "project-reviews": {"macro_f1": f1, "negative_recall": recall},
            "review-corpora": {"macro_f1": 0.0, "negative_recall": 0.0},
            "marketplace-like": {"negative_recall": market_recall},
        },
    }


def test_review_head_rule_is_quality_first_with_a_speed_floor() -> None:
    from services.sentiment.training.train_head import HEAD_MS_FLOOR
    from services.sentiment.training.train_head import choose as choose_head

    # negative recall counts as much as macro-F1; a slower head wins on quality
    results = {
        "fast": _head(0.61, 0.72, 0.01),
        "better": _head(0.60, 0.83, HEAD_MS_FLOOR * 0.9),
        "too_slow": _head(0.70, 0.95, HEAD_MS_FLOOR * 1.5),
    }
    assert choose_head(results) == "better"
    # a near tie goes to the higher marketplace negative recall
    tie = {"a": _head(0.60, 0.80, 0.1, 0.7), "b": _head(0.603, 0.80, 0.1, 0.9)}
    assert choose_head(tie) == "b"
    with pytest.raises(RuntimeError, match="no head candidate"):
        choose_head({"too_slow": _head(0.7, 0.9, HEAD_MS_FLOOR * 2)})
