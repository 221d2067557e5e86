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
