"""The shipped model: loads fast through the default path and gets obvious texts right."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from services.sentiment.classifier import load_classifier
from services.sentiment.classifier.base import BUILTIN_MODEL_DIR
from services.sentiment.classifier.pipeline import analyse
from shared.events import Sentiment

pytestmark = pytest.mark.skipif(
    not (BUILTIN_MODEL_DIR / "model.json").is_file(),
    reason="no shipped model: run `python -m services.sentiment.training`",
)
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_loads_fast_and_small() -> None:
    start = time.perf_counter()
    clf = load_classifier(None)
    assert time.perf_counter() - start < 2.0
    assert clf.name.startswith("builtin")
    size = sum(f.stat().st_size for f in BUILTIN_MODEL_DIR.iterdir() if f.is_file())
    assert size < 30e6


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Ужасный товар, полный брак, деньги на ветер. Не рекомендую!", Sentiment.negative),
        ("Отличная вещь, очень довольна, спасибо продавцу!", Sentiment.positive),
        ("Terrible quality, it broke after one day. Waste of money.", Sentiment.negative),
        ("Great phone case, I love it, works perfectly!", Sentiment.positive),
    ],
)
def test_obvious_examples(text: str, label: Sentiment) -> None:
    assert load_classifier("builtin").predict([text])[0].label is label


def test_pipeline_with_builtin() -> None:
    (c,) = analyse([("Отличная вещь, но доставка очень долгая", 5)], load_classifier(None))
    assert c.model.startswith("builtin") and c.language == "ru"
    assert any(a.aspect == "delivery_speed" and a.polarity is Sentiment.negative for a in c.aspects)


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is missing")
def test_quality_on_held_out_sample() -> None:
    from services.sentiment.training import data

    test = data.rusentiment_test()
    preds = load_classifier(None).predict(test.texts[:600])
    gold = [data.COLLAPSE.get(x, x) for x in test.labels[:600]]
    accuracy = sum(p.label.value == g for p, g in zip(preds, gold, strict=True)) / len(gold)
    assert accuracy > 0.7
