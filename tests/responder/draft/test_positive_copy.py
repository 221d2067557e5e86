"""Praise replies read as written by a person: one glad line and one echo at most, no
«покупка» twice, nothing the review contradicts (stars, length), no invented details."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from services.responder.draft.details import (
    find_detail,
    fits_review,
    praise_echo,
    repeated_stems,
)
from services.responder.draft.engine import DraftSettings, draft_reply
from services.responder.draft.variety import body, sentences
from services.responder.script import load_scripts
from shared.events import Aspect, Classification, Mention, MentionKind, Product, mention_id_for

LIBRARY = load_scripts()
SETTINGS = DraftSettings(brand="Ромашка")
_GLAD = re.compile(
    r"^(?:рады|очень рады|приятно|очень приятно|здорово|хорошо, что|отлично|нам приятно|"
    r"нам очень приятно|для нас важно|so glad|glad|great to hear|lovely to|happy to hear|"
    r"we're glad|we're delighted|so pleased|good to (?:know|hear)|it's great|nice to hear)",
    re.IGNORECASE,
)


def _mention(text: str, rating: int | None, i: int, platform: str = "wildberries") -> Mention:
    return Mention(
        mention_id=mention_id_for(platform, f"p{i}"),
        platform=platform,
        source_id="src",
        external_id=f"p{i}",
        kind=MentionKind.review,
        text=text,
        rating=rating,
        author="Анна",
        product=Product(name="Пуховик женский зимний"),
        published_at=datetime(2025, 3, 1, tzinfo=UTC),
    )


def _classified(language: str, *liked: str) -> Classification:
    return Classification(
        sentiment="positive",  # type: ignore[arg-type]
        score=0.9,
        language=language,
        aspects=[
            Aspect(aspect=a, polarity="positive", start=0, end=3, text="t")  # type: ignore[arg-type]
            for a in liked
        ],
    )


_PRAISE = [
    ("ru", "Купила сыну на Новый год. Говорит, лучшая куртка, карманы тёплые. Спасибо!"),
    ("ru", "MagSafe держит намертво, камеру защищает. Мужу взяла такой же"),
    ("ru", "Пуховик лёгкий и очень тёплый, капюшон глубокий"),
    ("ru", "Отличный товар, рекомендую!"),
    ("ru", "Всё пришло, спасибо"),
    (
        "en",
        "Got this for my dad. His tea is still hot at the end of his shift, it fits the holder.",
    ),
    ("en", "Great product, highly recommend!"),
    ("en", "Soft, fluffy, and they didn't lose any colour in the wash."),
]


@pytest.mark.parametrize(("language", "text"), _PRAISE)
def test_praise_gets_one_glad_line_one_echo_and_purchase_once(language, text):
    for seed in range(12):
        d = draft_reply(
            mention=_mention(text, 5, seed),
            classification=_classified(language, "quality"),
            settings=SETTINGS,
            library=LIBRARY,
            seed=seed,
        )
        said = sentences(body(d.text))
        glad = [s for s in said if _GLAD.match(s)]
        assert len(glad) <= 2, d.text  # one "glad" line plus one echo
        assert len(re.findall(r"покупк", d.text, re.IGNORECASE)) <= 1, d.text
        assert not re.search(r"«[^»]*»", body(d.text).replace("«Ромашка»", "")), d.text


def test_a_one_line_recommendation_is_thanked_for_it_without_invented_details():
    texts = set()
    for seed in range(8):
        d = draft_reply(
            mention=_mention("Отличный товар, рекомендую!", 5, 100 + seed),
            classification=_classified("ru"),
            settings=SETTINGS,
            library=LIBRARY,
            seed=seed,
        )
        assert re.search(r"рекоменд|совет", d.text, re.IGNORECASE), d.text
        # Nothing about who it was for, where it is used or what it is made of.
        assert not re.search(r"сыну|дочке|на даче|в поездк|качеств|материал", d.text), d.text
        texts.add(d.text)
    assert len(texts) > 4


@pytest.mark.parametrize(
    ("phrasing", "rating", "words", "fits"),
    [
        ("Спасибо за высокую оценку и тёплые слова.", 4, 20, True),
        ("Спасибо за высокую оценку и тёплые слова.", None, 20, False),
        ("Спасибо за высокую оценку и тёплые слова.", 3, 20, False),
        ("Thank you so much for the five-star review.", 4, 20, False),
        ("Thank you so much for the five-star review.", 5, 20, True),
        ("Спасибо, что подробно описали впечатления.", 3, 4, False),
        ("Thank you for the fair and detailed review.", 3, 30, True),
        ("Thanks for such useful feedback.", 3, 5, False),
        ("Спасибо за честный отзыв.", None, 2, True),
    ],
)
def test_thanks_never_contradict_the_stars_or_the_length(phrasing, rating, words, fits):
    assert fits_review(phrasing, rating, words) is fits


def test_thanks_for_the_rating_only_where_there_are_four_or_five_stars():
    for seed in range(15):
        d = draft_reply(
            mention=_mention("Тёплый пуховик, капюшон глубокий", None, 200 + seed, "review_site"),
            classification=_classified("ru"),
            settings=SETTINGS,
            library=LIBRARY,
            seed=seed,
        )
        assert not re.search(r"оценк", d.text), d.text


def test_an_echo_is_never_a_complaint_that_holds_a_praise_word_inside_another():
    # "photos" holds "hot": no "So glad the colour is more grey than in the photos".
    assert (
        praise_echo("The colour is more grey than the beige in the photos, but ok.", "en") is None
    )
    assert (
        praise_echo("It keeps coffee hot all morning.", "en") == "it keeps coffee hot all morning"
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Отличный товар, рекомендую!", "recommend"),
        ("Не белит, не жирнит. Беру второй", "again"),
        ("Repurchasing.", "again"),
        ("Great product, highly recommend!", "recommend"),
        ("Не рекомендую никому", None),
        ("I would not recommend it", None),
        ("Супер, сыну оч понравилось", "recipient"),
    ],
)
def test_what_the_buyer_will_do_is_a_detail(text, kind):
    found = find_detail(text, "en" if text.isascii() else "ru")
    assert (found.kind if found else None) == kind


def test_repeated_stems_in_adjacent_sentences_are_counted_unless_quoted():
    said = ["Thanks for flagging that the zip sticks.", "We appreciate you flagging it."]
    assert repeated_stems(said) == 1
    assert repeated_stems(said, allowed="I am flagging the zip") == 0
    assert repeated_stems(["Рады, что покупка понравилась.", "Пусть покупка радует."]) >= 2
    assert repeated_stems(["Спасибо за отзыв.", "Пусть радует."]) == 0


@pytest.mark.parametrize("text", ["Норм", "Пойдёт", "ok", "Love it 😍"])
def test_a_terse_review_is_not_thanked_for_warm_words_or_detail(text):
    language = "en" if text.isascii() or "Love" in text else "ru"
    for seed in range(10):
        d = draft_reply(
            mention=_mention(text, 5, 300 + seed),
            classification=_classified(language),
            settings=SETTINGS,
            library=LIBRARY,
            seed=seed,
        )
        assert not re.search(
            r"тёпл\w* (?:отзыв|слова)|добрые слова|подробн|порекомендовали|kind words|"
            r"warm words|glowing|detailed|recommending",
            d.text,
            re.IGNORECASE,
        ), d.text


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize(
    "group", ["thanks", "thanks_remark", "thanks_neutral", "thanks_slip", "thanks_question"]
)
@pytest.mark.parametrize(("rating", "words"), [(None, 1), (1, 1), (3, 2), (4, 3), (5, 30)])
def test_every_thanks_group_keeps_lines_for_any_stars_and_length(language, group, rating, words):
    lines = LIBRARY.languages[language].phrasings[group]
    assert [line for line in lines if fits_review(line, rating, words)], (group, rating, words)


def _negative(language: str) -> Classification:
    return Classification(
        sentiment="negative",  # type: ignore[arg-type]
        score=0.9,
        language=language,
        aspects=[],
    )


@pytest.mark.parametrize(
    ("language", "text", "asks"),
    [
        ("ru", "не понравилось", True),
        ("en", "Terrible. Just terrible.", True),
        ("ru", "Сломался через неделю, кнопка не нажимается", False),
        (
            "ru",
            "Ну просто мощнейший пылесос! Даже пыль на месте остаётся, чтобы не скучно было",
            False,
        ),
    ],
)
def test_a_complaint_is_asked_for_details_only_when_it_gives_none(language, text, asks):
    pattern = r"расскажете|напишите, пожалуйста|подскажете|tell us|grateful to hear"
    seen = False
    for seed in range(10):
        d = draft_reply(
            mention=_mention(text, 1, 400 + seed),
            classification=_negative(language),
            settings=SETTINGS,
            library=LIBRARY,
            seed=seed,
        )
        seen = seen or bool(re.search(pattern, d.text, re.IGNORECASE))
        if not asks:
            assert not re.search(pattern, d.text, re.IGNORECASE), d.text
    assert seen is asks
