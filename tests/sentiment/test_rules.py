"""Fusion, language detection, aspects (morphology, negation, spans), pipeline."""

from __future__ import annotations

import pytest

from services.sentiment.classifier.aspects import extract_aspects
from services.sentiment.classifier.base import TextPrediction
from services.sentiment.classifier.fusion import fuse
from services.sentiment.classifier.language import detect_language
from services.sentiment.classifier.pipeline import MentionInput, analyse
from shared.events import Classification, Sentiment

NEG = TextPrediction.from_scores({"positive": 0.05, "neutral": 0.15, "negative": 0.8})
POS = TextPrediction.from_scores({"positive": 0.85, "neutral": 0.1, "negative": 0.05})
NEU = TextPrediction.from_scores({"positive": 0.2, "neutral": 0.6, "negative": 0.2})


def test_fusion_rules() -> None:
    """Stars decide the family; the full rule table is in test_fusion.py."""
    assert fuse(None, NEG).sentiment is Sentiment.negative
    five_complaint = fuse(5, NEG)  # a remark: positive, flagged
    assert five_complaint.contradiction and five_complaint.remark
    assert five_complaint.sentiment is Sentiment.positive
    one_praise = fuse(1, POS)  # a slip: positive, flagged
    assert one_praise.contradiction and one_praise.rating_slip
    assert one_praise.sentiment is Sentiment.positive
    agree = fuse(5, POS)
    assert not agree.contradiction and agree.sentiment is Sentiment.positive
    assert fuse(1, NEU).sentiment is Sentiment.negative  # stars decide a neutral text
    assert fuse(3, NEU).sentiment is Sentiment.neutral
    assert not fuse(3, NEG).contradiction
    assert abs(sum(fuse(4, NEU).scores.values()) - 1) < 1e-5


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Отличный товар, всем советую!", "ru"),
        ("Great product, works as described", "en"),
        ("质量很好，物流很快", "zh"),
        ("Дуже гарна річ, дякую", "other"),
        ("Das Produkt ist sehr gut und schön", "other"),
        ("", "other"),
        ("👍👍", "other"),
        ("ok", "en"),
        # Russian typed in Latin letters is answered in Russian
        ("kupila krossovki 38 razmer, malomerjat sil'no, kak obmenyat na 39?", "ru"),
        ("Bought it for my daughter, she loves it. Great quality, fast delivery.", "en"),
    ],
)
def test_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_language_hint_only_when_text_cannot_tell() -> None:
    assert detect_language("👍", hint="ru-RU") == "ru"
    assert detect_language("Спасибо", hint="en") == "ru"


def _found(text: str) -> dict[str, Sentiment]:
    return {a.aspect: a.polarity for a in extract_aspects(text)}


@pytest.mark.parametrize("word", ["доставили", "доставка", "доставкой", "Доставку"])
def test_morphology_hits_delivery(word: str) -> None:
    assert "delivery_speed" in _found(f"{word} быстро")


def test_negation_and_polarity() -> None:
    assert _found("Не понравилась упаковка") == {"packaging": Sentiment.negative}
    assert _found("Понравилась упаковка")["packaging"] is Sentiment.positive
    found = _found("Доставкой доволен, но размер маломерит")
    assert found == {"delivery_speed": Sentiment.positive, "size_fit": Sentiment.negative}
    assert _found("Без брака, качество отличное") == {
        "defect": Sentiment.positive, "quality": Sentiment.positive,
    }  # fmt: skip
    assert _found("Пришла подделка, не оригинал")["counterfeit"] is Sentiment.negative
    assert _found("Коробка помята")["packaging"] is Sentiment.negative  # the box, not the item
    assert _found("Пришла с трещиной, разбита")["transit_damage"] is Sentiment.negative
    assert _found("The delivery was not fast, fake item")["delivery_speed"] is Sentiment.negative
    assert _found("Instructions only in Chinese, terrible")["instructions_language"] is (
        Sentiment.negative
    )
    assert _found("Сильно пахнет, ужасный запах")["smell_material"] is Sentiment.negative
    assert _found("Цена отличная")["price"] is Sentiment.positive
    assert _found("Продавец не ответил")["seller_service"] is Sentiment.negative


def test_spans_point_to_text() -> None:
    text = "Всё хорошо, но курьер опоздал на день, а упаковкой доволен."
    aspects = extract_aspects(text)
    assert aspects
    for a in aspects:
        assert text[a.start : a.end] == a.text
    assert {a.text for a in aspects} >= {"курьер", "упаковкой"}


class _Fixed:
    name = "fixed-test"

    def predict(self, texts):
        return [NEG if "плох" in t or "broke" in t else POS for t in texts]


def test_pipeline_builds_classifications() -> None:
    result = analyse(
        [
            MentionInput("Товар плохой, упаковка порвана", 5),
            ("Great item, fast delivery", None),
            ("Всё отлично", 1),
        ],
        _Fixed(),
    )
    assert all(isinstance(c, Classification) for c in result)
    first, second, third = result
    # 5 stars over a complaint: positive with a remark (the stars decide the family)
    assert first.rating_contradiction and first.remark and first.sentiment is Sentiment.positive
    assert first.text_sentiment is Sentiment.negative and first.language == "ru"
    assert first.model == "fixed-test"
    assert any(a.aspect == "packaging" for a in first.aspects)
    assert second.language == "en" and second.sentiment is Sentiment.positive
    assert not second.rating_contradiction
    assert third.rating_contradiction and third.rating_slip
    assert analyse([], _Fixed()) == []
