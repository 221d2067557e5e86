"""Read-through 63 (Russian, written by a second reader): «глаза сломали)» over small print
was a broken item under 5★ and got the return route; «не протекает это плюс» was the
remark; «время потратила» was echoed in the buyer's person; «Вернула через пвз», a
cancelled order and «Отказалась сразу на месте» got the return route; «осыпается» made no
remark; «Это новый телефон??» asked nothing; one word («маловато») stood for the remark;
a praise echo thanked a second time; «Очень жаль, что вы заказали 43 размер…»."""

from __future__ import annotations

import pytest

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import _CANNOT_RETURN, _RETURNING, complaint_echo
from services.responder.draft.family import text_cues
from tests.responder.draft.test_draft_engine import _placed


def test_eyes_strained_by_small_print_are_no_broken_item() -> None:
    text = "Сын в восторге!!! Единственное - инструкция мелко напечатана, глаза сломали)"
    cues = text_cues(text)
    assert not cues.complaint, cues
    assert text_cues("Ручка сломалась через день").complaint


def test_praise_after_but_is_no_remark() -> None:
    text = "держит тепло часа 3 не больше, хотя написано 8. но не протекает это плюс"
    assert complaint_echo(text, "neutral") != "не протекает это плюс"


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        ("Но время потратила", None),
        ("Соска правда быстро течет", "соска быстро течет"),
        (
            "Заказывала размер М, пришел вообще XL судя по бирке",
            "вы заказывали размер М, а пришел XL",
        ),
        (
            "цвет не подходит совсем, оттенок 01 а по факту как 03 оранжевый",
            "цвет не подходит совсем, оттенок 01, а по факту как 03 оранжевый",
        ),
    ],
)
def test_read_through_63_echoes(phrase: str, echo: str | None) -> None:
    assert safe_echo(phrase) == echo


@pytest.mark.parametrize(
    "text",
    [
        "Вернула через пвз, деньги пришли.",
        "Отказалась сразу на месте, надеюсь деньги вернут.",
    ],
)
def test_sent_back_at_the_pick_up_point(text: str) -> None:
    assert _RETURNING.search(text)


def test_a_cancelled_order_has_nothing_to_send_back() -> None:
    assert _CANNOT_RETURN.search("Заказ отменили сами без объяснений через неделю ожидания.")
    assert _CANNOT_RETURN.search("My order was cancelled after two weeks.")


def test_mascara_that_crumbles_is_a_remark() -> None:
    assert text_cues("Тушь неплохая объем дает, но к вечеру осыпается под глазами.").mild


def test_one_word_is_no_remark_when_its_sentence_says_more() -> None:
    text = "Заряжает быстро, не греется. Но кабель в комплекте всего метр, маловато. В остальном ок"
    assert complaint_echo(text, "positive_remark") == "кабель в комплекте всего метр, маловато"
    assert not text_cues("Заряжает быстро, не греется.").complaint
    assert text_cues("Утюг не греется совсем").complaint


def test_an_order_echo_is_not_regretted_as_the_order() -> None:
    text = "Заказал 43 размер пришел 41. Возврат оформил уже неделю назад"
    d = _placed(text, 1, "negative", "wrong_item", "Заказал 43 размер пришел 41", language="ru")
    assert "что вы заказ" not in d.text, d.text


def test_praise_echo_does_not_thank_twice() -> None:
    from tests.responder.draft.test_draft_engine import classified, draft, mention

    for n in range(8):
        d = draft(
            mention("Полотенца мягкие, быстро сохнут. Спасибо!", rating=5, ext=f"towel-{n}"),
            classified("positive", "ru", ("quality", "positive"), signals=True),
        )
        assert "спасибо, что отметили" not in d.text, d.text


def test_an_opened_jar_is_put_right_not_noted() -> None:
    from services.responder.draft.engine import _LOOKS_USED

    text = "Маска хорошая. Но банка пришла вскрытая, крышка была без защитной пленки."
    assert _LOOKS_USED.search(text)
    assert _LOOKS_USED.search("The seal was broken when it arrived")
    d = _placed(
        text, 4, "positive", "packaging", "банка пришла вскрытая", language="ru", remark=True
    )
    assert (
        "покупали новую" in d.text or "пользовались" in d.text
    ) and "замечание передадим" not in d.text, d.text
