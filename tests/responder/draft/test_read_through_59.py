"""Read-through 59: «аллергии не было» was told to see a doctor; "Wish I had bought it
sooner" was a remark passed to the team; «Заказывала в понедельник, пришло в среду» was a
wrong item; a return the marketplace refused went unmentioned; «Продавец, вы серьезно?»
waited for an answer."""

from __future__ import annotations

import pytest

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import _RETURN_REFUSED
from services.responder.draft.family import text_cues
from tests.responder.draft.test_draft_engine import _placed, classified, draft, mention


def test_no_allergy_is_no_skin_reaction() -> None:
    text = "Крем как крем. Эффекта особого не заметила, но и аллергии не было"
    d = _placed(text, 3, "neutral", "quality", "Эффекта особого не заметила", language="ru")
    assert "skin" not in d.moves and "врач" not in d.text, d.text
    rash = "После крема пошла аллергия на лице, всё красное"
    d = _placed(rash, 1, "negative", "quality", "пошла аллергия на лице", language="ru")
    assert "skin" in d.moves, d.text


@pytest.mark.parametrize(
    "text",
    [
        "Best purchase this year lol. Wish I had bought it sooner",
        "Wish we'd found these years ago!",
        "Жаль, что раньше не купила. Отличная вещь",
    ],
)
def test_regret_at_not_buying_sooner_is_no_remark(text: str) -> None:
    cues = text_cues(text)
    assert not cues.mild and not cues.complaint, cues


@pytest.mark.parametrize(
    "text",
    [
        "Заказывала в понедельник, пришло в среду. Все отлично",
        "Ordered on Monday, got it on Wednesday. Works great",
    ],
)
def test_when_an_order_came_is_no_wrong_item(text: str) -> None:
    assert not text_cues(text).complaint


def test_what_was_ordered_and_what_came_keep_both_halves() -> None:
    assert safe_echo("Заказывала М, пришла XS") == "вы заказывали М, а пришла XS"


@pytest.mark.parametrize(
    "text",
    [
        "Возврат не принимают, так как товар надлежащего качества.",
        "В возврате отказали!",
        "They refused my return because it was used.",
        "My return request was denied.",
    ],
)
def test_a_refused_return_is_acknowledged(text: str) -> None:
    assert _RETURN_REFUSED.search(text)


def test_a_refused_return_gets_its_line() -> None:
    text = "Пришел не тот цвет, заказывала черный, пришел серый. Возврат не принимают."
    d = _placed(text, 1, "negative", "wrong_item", "Пришел не тот цвет", language="ru")
    assert "return_refused" in d.moves and "отказ" in d.text, d.text
    kept = "Пришел не тот цвет. Возвращать лень, носить буду."
    d = _placed(kept, 2, "negative", "wrong_item", "Пришел не тот цвет", language="ru")
    assert "return_refused" not in d.moves, d.text


def test_an_indignant_address_is_no_question() -> None:
    m = mention("Продавец, вы серьезно? Прислали б/у товар с царапинами.", rating=1)
    c = classified("negative", "ru", ("wrong_item", "negative"), signals=True)
    d = draft(m, c)
    assert "{answer}" not in d.text, d.text
