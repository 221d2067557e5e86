"""Read-through 64 (mixed Russian and English, a third reader): a danger was "that really
shouldn't happen" and a child's safety line said "for now"; a charger already binned was
not to be plugged in again; "could have burned my house down" was an injury; a lost
parcel was "the delay"; insects in pet food were a torn bag; a 7-month-old was no child;
«заказ должны, были привезти»; "gave you a burning"; a blanket with «запаха никакого нет»
got an apology for no smell, «в аккуратной сумке на молнии» was praise, and «возьмём ещё
детям» sent greetings to children."""

from __future__ import annotations

import re

import pytest

from services.responder.draft.details import find_detail, praise_echo, safe_echo
from services.responder.draft.engine import _CHILD, _NOT_ARRIVED, complaint_echo
from services.responder.draft.family import HURT_WORDS, text_cues
from tests.responder.draft.test_draft_engine import _placed


def test_a_danger_is_acknowledged_as_one() -> None:
    text = "Charger started sparking when I plugged it in. Threw it out immediately"
    d = _placed(text, 1, "negative", "defect", "Charger started sparking when I plugged it in")
    assert "safety" in d.text and "shouldn't happen" not in d.text, d.text
    assert "plug it in again" not in d.text, d.text  # it is in the bin already
    child = "The clasp came apart and a bead ended up in my 7 month old's mouth."
    d = _placed(child, 1, "negative", "defect", "The clasp came apart")
    assert "child" in d.text and "for now" not in d.text, d.text


def test_a_house_is_no_one_hurt() -> None:
    assert not re.search(HURT_WORDS, "This could have burned my house down", re.IGNORECASE)
    assert _CHILD.search("a bead ended up in my 7 month old's mouth")


def test_a_lost_parcel_is_no_delay() -> None:
    text = "Tracking said delivered on the 9th. It was NOT delivered. Still no refund."
    assert _NOT_ARRIVED.search(text)
    d = _placed(text, 1, "negative", "delivery_speed", "Tracking said delivered on the 9th")
    assert "never" in d.text and "delay" not in d.text, d.text


def test_insects_in_food_are_a_complaint() -> None:
    assert text_cues("Корм рассыпан, внутри какая-то мошкара ползает").complaint


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        ("Заказ должны были привезти 12-го", "заказ должны были привезти 12-го"),
        ("another moisturizer that gave me a burning", None),
    ],
)
def test_read_through_64_echoes(phrase: str, echo: str | None) -> None:
    assert safe_echo(phrase) == echo


def test_a_long_happy_review_names_its_one_remark() -> None:
    text = (
        "Пришло быстро, в аккуратной сумке на молнии, запаха никакого нет вообще, у меня "
        "аллергия и астма. Одеяло лёгкое, но тёплое. Единственное — чехол чуть скользкий, с "
        "пододеяльника немного съезжает. Но это мелочи. Рекомендую, возьмём ещё детям"
    )
    assert complaint_echo(text, "positive_remark") == "чехол чуть скользкий"
    assert praise_echo("Пришло быстро, в аккуратной сумке на молнии", "ru") is None
    detail = find_detail(text, "ru")
    assert detail is not None and detail.kind == "again"


def test_a_comparatives_than_gets_its_comma() -> None:
    assert safe_echo("Цвет чуть темнее чем на фото") == "цвет чуть темнее, чем на фото"
