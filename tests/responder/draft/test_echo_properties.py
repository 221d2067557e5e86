"""Properties of the buyer's words a reply repeats: never a cut clause, never a broken quote.

The echo is what makes a reply read as written by a person who read the review, and what
makes it embarrassing when it is cut («Сгорел на третий день вместе — понимаем…»). These
tests run the real echo finders over many review sentences of the kind marketplaces show
and check the properties every echo must have, whatever the review says.
"""

from __future__ import annotations

import itertools

import pytest

from services.responder.draft.details import (
    FUNCTION_WORDS,
    find_recipient,
    praise_echo,
    quotes_balanced,
    safe_echo,
)
from services.responder.draft.engine import _as_clause, complaint_echo

RU_SENTENCES = [
    "Отличный фен, просто шикарный. Сгорел на третий день вместе с пробками в квартире 👏",
    "Чехол не подходит!!! Купила на 15 Pro, вырез под камеру не совпадает",
    "В названии же написано «для iPhone 15», а он не налезает",
    "Через месяц оторвалась лямка, прямо со швом. Носил обычные учебники",
    "Пахнут клеем так, что в квартире невозможно находиться",
    "Доставка, кстати, тоже заняла вдвое дольше обещанного",
    "Крышка протекает, если положить в сумку и",
    "Молния разошлась через неделю, бегунок слетел с",
    "Заказала розовые, пришли серые, как так",
    "Кружка «непроливайка» протекает при любом наклоне",
    "Магнит слабее оригинального — на зарядке телефон немного съезжает",
    "Ткань тонкая, после трёх стирок скатышки по всей пижаме",
    "Ручка отвалилась вместе с",
    "Пришло без инструкции и без",
    "Шумит как трактор, а пыль не берёт",
    "Цвет на фото бежевый, а в жизни скорее серый",
    "Заказывала под iPhone 15 Pro Max, а пришёл чехол на обычный 15",
    "Подошва отклеилась после первой же прогулки по",
    "Пуховик маломерит на размер, ношу 44 и 44 не сходится",
    "Я купила это для мамы, а она сказала что пахнет «химией",
    "Очень тонкий материал, просвечивает на свету, но",
    "Запах резины не выветривается уже неделю",
    "Крышку заедает, открывается только двумя руками, что",
]
EN_SENTENCES = [
    'Oh fantastic, the "leak-proof" lid leaked coffee all over my car seat on the first drive.',
    "Bought it for my iPhone 15 Pro and it doesn't fit at all. The cutout is in the wrong place.",
    "The zipper broke a week in. Had to walk home holding my jacket closed.",
    "Left earbud stopped working after three weeks and the right one crackles.",
    "Doesn't fit my round vents at all, the listing says universal.",
    "The rubber seal also smells and the lid sticks with the",
    'The so-called "waterproof fabric soaked through in a light shower.',
    "Ordered pink, got grey. Not a huge deal but it was a gift.",
    "Strap snapped off after two days of normal use with the",
    "Only 52 tiles in a box that says 64.",
    "It keeps coffee hot for two hours at most, nowhere near the twelve promised.",
    "The colour is more grey than the beige in the photos, but I'm keeping it.",
    "Magnets pop out of the tiles after a day, which is dangerous for a toddler.",
    "Sound is decent but the noise cancelling is barely noticeable and the",
    "The handle came off when I lifted it full of water, so",
    "Runs really small, I'm a size M everywhere and this M barely closes.",
    "Arrived two days later than promised though.",
    "Stitching is uneven and the strap hardware is already scratched.",
]
FAMILIES = ("negative", "neutral", "positive_remark")


def _echoes() -> list[tuple[str, str]]:
    out = []
    for text, family in itertools.product([*RU_SENTENCES, *EN_SENTENCES], FAMILIES):
        echo = complaint_echo(text, family)
        if echo:
            out.append((text, echo))
    for text in [*RU_SENTENCES, *EN_SENTENCES]:
        for piece in [text, *text.split(","), *text.split(" and "), *text.split(" но ")]:
            echo = safe_echo(piece)
            if echo:
                out.append((piece, echo))
    return out


ECHOES = _echoes()


def test_the_sentences_do_produce_echoes():
    # The properties below must not hold vacuously.
    assert len(ECHOES) >= 40


@pytest.mark.parametrize(("source", "echo"), ECHOES)
def test_no_echo_ends_on_a_function_word(source, echo):
    last = echo.split()[-1].lower().strip(".,;:!?…»\"'")
    assert last not in FUNCTION_WORDS or echo.endswith(("week in", "days in")), (source, echo)


@pytest.mark.parametrize(("source", "echo"), ECHOES)
def test_no_echo_has_an_unbalanced_quote_or_a_stray_one(source, echo):
    assert quotes_balanced(echo), (source, echo)
    assert not any(q in echo for q in '«»"“”„'), (source, echo)


@pytest.mark.parametrize(("source", "echo"), ECHOES)
def test_an_echo_is_short_and_speaks_to_the_buyer(source, echo):
    assert len(echo) <= 64
    low = f" {echo.lower()} "
    for first_person in (" i ", " my ", " me ", " я ", " мне ", " меня ", " мой ", " моя "):
        assert first_person not in low, (source, echo)


@pytest.mark.parametrize(
    "text",
    [
        "Сгорел на третий день вместе",
        'the "leak-proof',
        "Bought it for my iPhone 15 Pro and it doesn't fit at all",
        "Doesn't fit my round vents at all, the listing says universal",
        "в названии написано для iPhone 15",
        "мощнейший пылесос",
        "in the wrong place",
        "Заказывала под iPhone 15 Pro Max",
        "ручка отвалилась вместе с",
    ],
)
def test_cut_or_odd_clauses_are_refused(text):
    assert safe_echo(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Сгорел на третий день", "товар сгорел на третий день"),
        (
            "Доставка, кстати, тоже заняла вдвое дольше обещанного",
            "доставка заняла вдвое дольше обещанного",
        ),
        ("The rubber seal also smells", "the rubber seal smells"),
        ("Ordered pink, got grey", "you received grey instead of pink"),
        ("the zipper broke a week in", "the zipper broke a week in"),
        ("В наборе 56 деталей вместо 64", "в наборе 56 деталей вместо 64"),
    ],
)
def test_complete_clauses_are_kept_tidied(text, expected):
    assert safe_echo(text) == expected


def test_a_telegraphic_english_subject_takes_an_article():
    assert _as_clause("left earbud stopped working after three weeks", "en") == (
        "the left earbud stopped working after three weeks"
    )
    assert _as_clause("the zipper broke a week in", "en") == "the zipper broke a week in"


@pytest.mark.parametrize("text", [*RU_SENTENCES, *EN_SENTENCES])
def test_praise_echoes_are_clean_too(text):
    echo = praise_echo(text, "en" if text.isascii() else "ru")
    if echo:
        assert echo.split()[-1].lower() not in FUNCTION_WORDS
        assert quotes_balanced(echo)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Внучка подарила на юбилей, очень довольна", None),
        ("Сын берёт в садик каждый день, купили в прошлом месяце", None),
        ("Купила детям на море", "детям"),
        ("Подарила родителям на годовщину", "родителям"),
        ("Брала для мужа, ему нравится", "мужу"),
        ("Брала внуку в садик", "внуку"),
    ],
)
def test_recipient_only_in_the_dative_or_after_dlya(text, expected):
    found = find_recipient(text, "ru")
    assert (found.value if found else None) == expected
