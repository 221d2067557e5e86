"""The fusion rule (stars decide the family, flags mark contradictions), sarcasm, slips,
remarks, and the pipeline filling every signal of Classification (schema version 2)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from services.sentiment.classifier.base import TextPrediction, load_classifier
from services.sentiment.classifier.cues import TextCues
from services.sentiment.classifier.fusion import fuse
from services.sentiment.classifier.pipeline import MentionInput, analyse
from shared.events import Classification, MentionKind, Sentiment

NEG = TextPrediction.from_scores({"positive": 0.05, "neutral": 0.15, "negative": 0.8})
POS = TextPrediction.from_scores({"positive": 0.85, "neutral": 0.1, "negative": 0.05})
NEU = TextPrediction.from_scores({"positive": 0.2, "neutral": 0.6, "negative": 0.2})
SURE = TextPrediction.from_scores({"positive": 0.95, "neutral": 0.04, "negative": 0.01})

QUIET = TextCues()
COMPLAINT = TextCues(complaint=1)
PRAISE = TextCues(praise=2)
MIXED = TextCues(complaint=1, praise=2)
IRONY = TextCues(complaint=1, praise=1, sarcasm=True, severe=1)

P, N, U = Sentiment.positive, Sentiment.neutral, Sentiment.negative


@pytest.mark.parametrize(
    ("rating", "text", "cues", "sentiment", "remark", "slip", "contradiction"),
    [
        # stars decide the family
        (5, POS, PRAISE, P, False, False, False),
        (4, NEU, QUIET, P, False, False, False),
        (3, POS, PRAISE, N, False, False, False),
        (3, NEG, COMPLAINT, N, False, False, False),
        (2, NEU, QUIET, U, False, False, False),
        (1, NEG, COMPLAINT, U, False, False, False),
        # a complaint under 4–5 stars is a remark, still positive
        (5, NEG, COMPLAINT, P, True, False, True),
        (4, POS, MIXED, P, True, False, True),
        # … unless the customer calls the difference a plus
        (5, POS, TextCues(complaint=1, praise=2, turned=1), P, False, False, False),
        (5, POS, TextCues(complaint=2, praise=2, turned=1), P, True, False, True),
        # praise under 1–2 stars with no complaint is a slip
        (1, POS, PRAISE, P, False, True, True),
        (2, SURE, TextCues(praise=1), P, False, True, True),
        # … but not with a complaint, nor without praise, nor with a doubtful model
        (1, POS, MIXED, U, False, False, False),
        (1, POS, QUIET, U, False, False, False),
        (1, NEU, TextCues(praise=1), U, False, False, False),
        # sarcasm is a complaint whatever the stars
        (5, POS, IRONY, U, False, False, True),
        (3, POS, IRONY, U, False, False, False),
        (1, POS, IRONY, U, False, False, False),
        # … unless the text is clearly positive overall
        (5, SURE, TextCues(praise=3, sarcasm=True), P, False, False, False),
        # no stars: the text decides
        (None, POS, PRAISE, P, False, False, False),
        (None, NEU, QUIET, N, False, False, False),
        (None, NEU, COMPLAINT, U, False, False, False),  # the words complain, the model missed
        (None, POS, MIXED, P, False, False, False),
        (None, POS, IRONY, U, False, False, False),
        (None, NEG, PRAISE, U, False, False, False),
        # a short text whose words praise twice and blame nothing is a positive review …
        (None, NEG, TextCues(praise=2, words=8), P, False, False, False),
        (None, NEU, TextCues(praise=2, words=40), P, False, False, False),
        # … praised once, no negative one (the model's better of positive and neutral)
        (None, NEG, TextCues(praise=1, words=8), N, False, False, False),
        (None, NEU, TextCues(praise=1, words=8), N, False, False, False),
        # … but a long one is left to the model, and a word of blame keeps it negative
        (None, NEG, TextCues(praise=2, words=60), U, False, False, False),
        (None, NEG, TextCues(praise=2, complaint=1, words=8), U, False, False, False),
        (None, NEG, TextCues(asks=True), N, False, False, False),  # a bare question
        (None, POS, TextCues(asks=True), N, False, False, False),
        (None, POS, TextCues(asks=True, praise=1), P, False, False, False),
        # praise beside a question: «Хорошие кроссы. Когда будет 41 размер?»
        (None, NEU, TextCues(asks=True, praise=1), P, False, False, False),
        # a complaint called minor beside praise said twice is a positive review, beside
        # praise said once the model's better of positive and neutral
        (None, NEG, TextCues(complaint=1, praise=2, minor=1, words=30), P, False, False, False),
        (None, NEG, TextCues(complaint=1, praise=1, minor=1, words=30), N, False, False, False),
        (None, NEG, TextCues(asks=True, complaint=1), U, False, False, False),
    ],
)
def test_fusion_rule_table(
    rating: int | None,
    text: TextPrediction,
    cues: TextCues,
    sentiment: Sentiment,
    remark: bool,
    slip: bool,
    contradiction: bool,
) -> None:
    fused = fuse(rating, text, cues)
    assert fused.sentiment is sentiment
    assert (fused.remark, fused.rating_slip, fused.contradiction) == (remark, slip, contradiction)
    assert 0.0 <= fused.score <= 1.0


def test_without_word_cues_the_model_stands_for_the_words() -> None:
    assert fuse(5, NEG).remark and fuse(5, NEG).sentiment is P
    assert fuse(1, SURE).rating_slip and fuse(1, SURE).sentiment is P
    assert fuse(1, NEU).sentiment is U and not fuse(1, NEU).contradiction
    assert fuse(7, POS).sentiment is P  # stars outside 1..5 count as absent
    assert abs(sum(fuse(4, NEU).scores.values()) - 1) < 1e-5


@pytest.fixture(scope="module")
def builtin() -> object:
    return load_classifier(None, backend="builtin")


def run(classifier: object, *items: MentionInput) -> list[Classification]:
    return analyse(list(items), classifier)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("Ну спасибо, продавец)… подарок мечты 👍 Термокружка протекает через крышку", 5),
        ("Отличное качество, развалилось через день", 5),
        ("great, it broke on day two 👍", 5),
        ("Спасибо за брак", 4),
        ("Отличное качество! Порвалась через два дня. Спасибо, очень довольна 🙃", 5),
        ("Wow, thanks for sending a completely different color. I love surprises. Not.", 4),
        ("Браво, доставка всего три недели 👏", None),
        ("Прекрасные полотенца! Линяют так, что вся ванна голубая 😂", 1),
        ("Отличный фен, просто шикарный. Сгорел на третий день. Продавцу отдельное спасибо", 2),
        ("Great toy, the magnets pop out after a day. Just what you want around a toddler.", 1),
    ],
)
def test_sarcasm_is_a_complaint(builtin: object, text: str, rating: int | None) -> None:
    (c,) = run(builtin, MentionInput(text, rating))
    assert c.sarcasm, text
    assert c.sentiment is U
    assert any(a.polarity is U for a in c.aspects)
    assert not any(a.polarity is P for a in c.aspects)  # ironic praise reads as blame
    assert c.rating_contradiction is (rating is not None and rating >= 4)


def test_ironic_praise_is_blamed_in_the_words_of_the_real_complaint(builtin: object) -> None:
    (c,) = run(builtin, MentionInput("Отличное качество, развалилось через день", 5))
    by_aspect = {a.aspect: a for a in c.aspects}
    assert by_aspect["quality"].polarity is U
    assert by_aspect["quality"].clause == by_aspect["defect"].clause == "развалилось через день"
    assert by_aspect["quality"].text == "качество"  # the span still points at the trigger


@pytest.mark.parametrize(
    "text",
    [
        "Быстрая доставка, товар сломан",
        "Отличное качество, но через месяц порвалась подкладка",
        "Всё супер, только коробка помята",
        "Great kettle, but the lid leaks a little",
    ],
)
def test_mixed_reviews_are_not_sarcasm(builtin: object, text: str) -> None:
    """With «но», a pros/cons line break, or thanks, praise beside a complaint is sincere."""
    (c,) = run(builtin, MentionInput(text, 5))
    assert not c.sarcasm, text
    assert c.sentiment is P and c.remark


@pytest.mark.parametrize(
    "text",
    [
        "Боялась, что будет маломерить, но нет, размер в размер. Качество отличное",
        "I was worried it would leak but it doesn't. Great bottle",
    ],
)
def test_a_feared_fault_that_did_not_come_is_no_remark(builtin: object, text: str) -> None:
    """5★ over a fear the item put to rest: nothing was blamed, so no remark to answer."""
    (c,) = run(builtin, MentionInput(text, 5))
    assert c.sentiment is P and not c.remark, c
    assert not [a for a in c.aspects if a.polarity is U], c.aspects


@pytest.mark.parametrize(
    "text",
    [
        "Крышка поначалу пахла резиной, но после пары моек запах ушёл. Держит тепло отлично, "
        "рекомендую",
        "Smelled a bit when I opened it but it aired out in a day. Thick, grippy, love it",
    ],
)
def test_a_smell_already_gone_beside_praise_is_a_positive_review(
    builtin: object, text: str
) -> None:
    """No stars: the smell is still named (the aspect), but the review calls it passing."""
    (c,) = run(builtin, MentionInput(text, None))
    assert c.sentiment is P, c
    assert any(a.aspect == "smell_material" and a.polarity is U for a in c.aspects), c.aspects


def test_a_promise_the_item_missed_praises_nothing(builtin: object) -> None:
    """No stars: «Обещали 12 часов тепла» praised warmth, so the review came out positive."""
    text = "Разочарование года. Обещали 12 часов тепла, держит от силы 3. Деньги на ветер"
    (c,) = run(builtin, MentionInput(text, None))
    assert c.sentiment is U, c


def test_a_smell_not_gone_is_no_passing_remark(builtin: object) -> None:
    (c,) = run(builtin, MentionInput("Неделю на балконе — запах не ушёл. Удобные, мягкие", None))
    assert c.sentiment is not P, c


def test_a_fault_the_seller_put_right_is_praise_not_irony(builtin: object) -> None:
    """«Спасибо продавцу, быстро заменили брак» (5★): the defect was put right, the review
    praises the service — no irony and no remark left to answer."""
    (c,) = run(builtin, MentionInput("Спасибо продавцу, быстро заменили брак", 5))
    assert not c.sarcasm and c.sentiment is P and not c.remark


@pytest.mark.parametrize(
    "text",
    [
        "Отличный товар, всем рекомендую!",
        "Прекрасная куртка, тёплая и лёгкая, спасибо",
        "Минусов нет, всё отлично",
        "Love it, works perfectly, super comfy",
        "Хорошая бутылочка, не течёт, внук доволен. Спасибо магазину!",
        "My daughter loves these, so soft and true to size. Will buy another pair!",
        "Пуховик лёгкий и тёплый, в минус 25 не замёрзла",  # «минус 25» is the weather
    ],
)
def test_rating_slip(builtin: object, text: str) -> None:
    (c,) = run(builtin, MentionInput(text, 1))
    assert c.rating_slip and c.sentiment is P and c.rating_contradiction
    assert not c.remark and not c.sarcasm


@pytest.mark.parametrize(
    "text",
    [
        "Отличный чайник, но через неделю перестал включаться",
        "Подскажите, какой размер брать?",
        "",
        "Норм",
    ],
)
def test_low_stars_without_clear_praise_stay_negative(builtin: object, text: str) -> None:
    (c,) = run(builtin, MentionInput(text, 1))
    assert c.sentiment is U and not c.rating_slip


def test_a_pros_and_cons_list_under_low_stars_is_not_irony(builtin: object) -> None:
    (c,) = run(builtin, MentionInput("Looks nice\nLeaks from the lid, stains everything", 2))
    assert not c.sarcasm and c.sentiment is U


def test_remark_keeps_the_family_and_names_the_problem(builtin: object) -> None:
    (c,) = run(builtin, MentionInput("Всё супер, только коробка помята", 5))
    assert c.sentiment is P and c.remark and c.rating_contradiction and not c.rating_slip
    (blamed,) = [a for a in c.aspects if a.polarity is U]
    assert blamed.aspect == "packaging" and blamed.clause == "коробка помята"


def test_late_delivery_without_stars_is_negative(builtin: object) -> None:
    first, second = run(
        builtin,
        MentionInput("Доставка заняла три недели вместо обещанных пяти дней."),
        MentionInput("Через неделю отвалилась кнопка. Деньги на ветер."),
    )
    assert first.sentiment is U and second.sentiment is U
    assert second.aspects[0].clause == "Через неделю отвалилась кнопка"


def test_without_stars_words_and_emoji_decide_what_the_model_misses(builtin: object) -> None:
    angry, asking, waiting = run(
        builtin,
        MentionInput("👎"),
        MentionInput("When will the blue one be back in stock?"),
        MentionInput("Где мой заказ? Уже месяц жду!"),
    )
    assert angry.sentiment is U
    assert asking.sentiment is N and asking.questions
    assert waiting.sentiment is U and waiting.aspects[0].aspect == "delivery_speed"


def test_pipeline_fills_every_signal(builtin: object) -> None:
    review, question = run(
        builtin,
        MentionInput(
            "Куртка тёплая. Подскажите, как стирать?",
            5,
            pros="Тёплая, лёгкая",
            cons="Молния туговата",
        ),
        MentionInput("Есть ли гарантия на чайник", kind=MentionKind.question),
    )
    assert [q.text for q in review.questions] == ["Подскажите, как стирать?"]
    assert review.sentiment is P and review.remark  # the cons field is a remark
    cons = next(a for a in review.aspects if a.aspect == "defect")
    assert cons.polarity is U and cons.clause == "Молния туговата"
    full = "Куртка тёплая. Подскажите, как стирать?\nТёплая, лёгкая\nМолния туговата"
    assert full[cons.start : cons.end] == cons.text
    assert [q.text for q in question.questions] == ["Есть ли гарантия на чайник"]
    assert question.model == review.model == "builtin-linear-char-v1"
    assert question.text_sentiment is not None
    # the readers may trust an empty question list: the signals were read, not defaulted
    assert review.signals and question.signals


def test_cons_field_defaults_to_blame(builtin: object) -> None:
    (c,) = run(builtin, MentionInput("Нормальный рюкзак", 4, cons="Размер"))
    assert any(a.aspect == "size_fit" and a.polarity is U for a in c.aspects)


def test_batch_keeps_order_and_accepts_pairs(builtin: object) -> None:
    texts: Sequence[tuple[str, int | None]] = [
        ("Не работает", 1), ("Работает отлично", 5), ("Как включить?", None),
    ]  # fmt: skip
    results = analyse(texts, builtin)  # type: ignore[arg-type]
    assert [c.sentiment for c in results] == [U, P, N]
    assert analyse([], builtin) == []  # type: ignore[arg-type]
