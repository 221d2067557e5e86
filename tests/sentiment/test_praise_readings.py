"""Praise whose words look negative: the buyer's long search, «без X» where X is bad, a cons
field that names no drawback, earnest "love how" / "Just great". Each was read as a
complaint (or as irony) before; the controls beside them must stay complaints."""

from __future__ import annotations

import pytest

from services.sentiment.classifier.aspects import extract_aspects
from services.sentiment.classifier.base import TextPrediction, load_classifier
from services.sentiment.classifier.pipeline import MentionInput, analyse
from shared.events import Classification, Sentiment

POS = TextPrediction.from_scores({"positive": 0.85, "neutral": 0.1, "negative": 0.05})
NEU = TextPrediction.from_scores({"positive": 0.2, "neutral": 0.6, "negative": 0.2})


class _Recording:
    """A text model that answers one fixed prediction and keeps what it was asked."""

    name = "recording-test"

    def __init__(self, answer: TextPrediction) -> None:
        self.answer = answer
        self.seen: list[str] = []

    def predict(self, texts: list[str]) -> list[TextPrediction]:
        self.seen += texts
        return [self.answer for _ in texts]


def _one(item: MentionInput, answer: TextPrediction = POS) -> tuple[Classification, list[str]]:
    model = _Recording(answer)
    (result,) = analyse([item], model)  # type: ignore[arg-type]
    return result, model.seen


def test_long_search_and_without_synthetics_are_praise() -> None:
    text = "Долго искал льняную рубашку без синтетики, эта почти идеальна. Ткань плотная."
    aspects = extract_aspects(text)
    assert not [a for a in aspects if a.polarity is Sentiment.negative], aspects
    by_aspect = {a.aspect: a for a in aspects}
    assert by_aspect["smell_material"].polarity is Sentiment.positive
    assert by_aspect["smell_material"].text == "без синтетики"
    assert {a.aspect: a.polarity for a in extract_aspects("Крем без химии")} == {
        "smell_material": Sentiment.positive
    }


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Долго выбирала, в итоге взяла эту", Sentiment.positive),  # the buyer's doubt
        ("Долго искал такую, наконец нашёл", Sentiment.positive),
        ("Долго ждала посылку, три недели", Sentiment.negative),  # control: the parcel
        ("Сушит долго", Sentiment.negative),  # control: the item
    ],
)
def test_speed_adverb_of_the_buyer_is_no_complaint(text: str, sentiment: Sentiment) -> None:
    result, _ = _one(MentionInput(text))  # the text model says positive
    assert result.sentiment is sentiment, text


@pytest.mark.parametrize(
    ("pros", "cons", "model_reads"),
    [
        ("Всё", "Ничего", "Всё"),
        ("Warm, light, pockets are deep", "Nothing so far", "Warm, light, pockets are deep"),
        ("Удобная", "Нет.", "Удобная"),
        ("Цена", "Нет русской инструкции", "Цена\nНет русской инструкции"),  # control
    ],
)
def test_cons_that_names_no_drawback_is_not_read_as_one(
    pros: str, cons: str, model_reads: str
) -> None:
    result, seen = _one(MentionInput("", 5, pros=pros, cons=cons), NEU)
    assert seen == [model_reads]
    complains = cons.startswith("Нет русской")
    assert result.remark is complains  # «Недостатки: ничего» under 5★ is no remark
    assert result.sentiment is Sentiment.positive


@pytest.fixture(scope="module")
def builtin() -> object:
    return load_classifier(None, backend="builtin")


@pytest.mark.parametrize(
    ("text", "ironic"),
    [
        ("Just great. I love these jeans, the wash is a bit faded.", False),
        ("I love how it drapes. It runs large, so size down.", False),
        ("Just great, it broke again.", True),  # control: irony beside the complaint
        ("Love how the handle fell off on day two.", True),
    ],
)
def test_earnest_love_how_is_not_irony(builtin: object, text: str, ironic: bool) -> None:
    (result,) = analyse([MentionInput(text)], builtin)  # type: ignore[arg-type]
    assert result.sarcasm is ironic, text


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Фен отличный, сушит быстро. Шнур мог бы быть подлиннее, но это мелочь.", "positive"),
        ("Soft and warm. The zip is a bit stiff, otherwise great.", "positive"),
        ("Пижама мягкая, после стирки чуть села по длине, но некритично", "positive"),
        # controls: a severe fault, or nothing praised, stays a complaint
        ("Удобный, но через неделю сломался. Остальное мелочи.", "negative"),
        ("Шнур короткий, но это мелочь.", "negative"),
    ],
)
def test_complaint_called_minor_is_a_remark(text: str, sentiment: str) -> None:
    neg = TextPrediction.from_scores({"positive": 0.3, "neutral": 0.1, "negative": 0.6})
    result, _ = _one(MentionInput(text), neg)  # the text model reads the remark as blame
    assert result.sentiment.value == sentiment, text


def test_quality_that_justifies_the_price_is_praise() -> None:
    found = {
        a.aspect: a.polarity
        for a in extract_aspects("Цена выше средней, но качество это оправдывает.")
    }
    assert found["quality"] is Sentiment.positive
    result, _ = _one(MentionInput("Не оправдал ожиданий."))  # control: negated, a complaint
    assert result.sentiment is Sentiment.negative
