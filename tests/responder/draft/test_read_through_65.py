"""Read-through 65 (ordinary marketplace reviews, a fourth reader): a smell the buyer says
went away was a fault to be sorry for; «пришёл с трещиной на колбе» lost its subject;
"Does this have any warranty??" asked nothing; «пахла складом» was no smell."""

from __future__ import annotations

import pytest

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import _SMELL, _SMELL_PASSED
from services.responder.draft.family import text_cues
from tests.responder.draft.test_draft_engine import _placed


@pytest.mark.parametrize(
    "text",
    [
        "It does have a weird smell at first but it goes away after a minute.",
        "Немного пахла складом, но выветрилось за день.",
        "Крышка первую неделю пахла резиной, сейчас запах ушёл",
    ],
)
def test_a_smell_that_went_away_is_a_note_not_a_fault(text: str) -> None:
    assert _SMELL_PASSED.search(text) and _SMELL.search(text)
    d = _placed(
        text,
        4,
        "positive",
        "smell_material",
        text.split(",")[0].split(" but")[0],
        remark=True,
        language="ru" if "а" in text else "en",
    )
    assert "жаль" not in d.text.lower() and "sorry" not in d.text.lower(), d.text


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        ("Пришел с трещиной на колбе", "товар пришел с трещиной на колбе"),
        ("оторвался ремешок", "оторвался ремешок"),
    ],
)
def test_an_unsaid_item_is_said(phrase: str, echo: str) -> None:
    assert safe_echo(phrase) == echo


def test_would_buy_again_is_praise() -> None:
    assert text_cues("Skin looks brighter. Would buy again").praise


def test_a_3_star_buyer_who_makes_do_is_not_shown_the_way_out() -> None:
    text = "нормально за свои деньги. звук средний, басов нет. кейс царапается быстро"
    d = _placed(text, 3, "neutral", "defect", "кейс царапается быстро", language="ru")
    assert "возврат" not in d.text.lower(), d.text


def test_a_scent_praised_is_no_material() -> None:
    from tests.responder.draft.test_draft_engine import classified, draft, mention

    d = draft(
        mention("Отличный крем впитывается быстро, пахнет приятно.", rating=5, ext="cream-1"),
        classified("positive", "ru", ("smell_material", "positive"), signals=True),
    )
    assert "материал" not in d.text, d.text


@pytest.mark.parametrize(
    ("echo", "clause"),
    [
        ("Missing the 3 smallest torx bits", "the 3 smallest torx bits were missing"),
        ("Seams split open on the first day", "the seams split open on the first day"),
    ],
)
def test_english_echoes_get_their_subject(echo: str, clause: str) -> None:
    from services.responder.draft.engine import _as_clause

    assert _as_clause(echo, "en") == clause


def test_a_mum_who_loved_it_is_the_recipient() -> None:
    from services.responder.draft.details import find_detail

    detail = find_detail("my mum loved it, arrived quick and nicely packed", "en")
    assert detail is not None and detail.value == "your mum"


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        ("через неделю пожелтел как старая пластмасса", "через неделю пожелтел"),
        ("цвет не такой как на фото", "цвет не такой, как на фото"),
        ("Battery dies quick though", "battery dies quickly"),
        ("ворс лезет", "ворс лезет"),
    ],
)
def test_read_through_65_tidy(phrase: str, echo: str) -> None:
    assert safe_echo(phrase) == echo


def test_an_adjective_after_but_takes_the_subject() -> None:
    from services.responder.draft.engine import _problems
    from tests.responder.draft.test_draft_engine import placed_classification

    text = "Полотенце большое но жесткое после стирки и ворс лезет."
    clause = "жесткое после стирки и ворс лезет"
    c = placed_classification(text, "negative", "quality", clause, "ru")
    _, echo = _problems(c, "negative", text)
    assert echo == "полотенце жесткое после стирки и ворс лезет"


def test_a_shop_visit_is_not_wished_a_long_life() -> None:
    from tests.responder.draft.test_draft_engine import classified, draft, mention

    for n in range(6):
        d = draft(
            mention(
                "Staff were super helpful finding the right food for my senior cat.",
                rating=5,
                platform="google_business",
                author=None,
                ext=f"visit-{n}",
            ),
            classified("positive", "en", ("seller_service", "positive"), signals=True),
        )
        assert not any(w in d.text for w in ("use out of it", "serves you", "last you", "uses")), (
            d.text
        )


def test_a_baby_rash_seen_by_a_doctor() -> None:
    text = (
        "После этого крема у ребёнка (8 мес) на попе пошли красные пятна и пузырьки. "
        "Педиатр сказала аллергическая реакция. Проверьте свой состав!!!"
    )
    d = _placed(
        text, 1, "negative", "quality", "на попе пошли красные пятна и пузырьки", language="ru"
    )
    assert "попе" not in d.text and "педиатр" not in d.text.lower(), d.text
    assert "врач" not in d.text, d.text  # she has seen one


def test_a_thermal_cut_out_is_no_danger() -> None:
    text = (
        "Шумит и греется, накачивал минут 7, потом выключился сам от перегрева. Для подкачки пойдёт"
    )
    d = _placed(text, 3, "neutral", "noise", "Шумит и греется", language="ru")
    assert "safety" not in d.moves, d.text


@pytest.mark.parametrize(
    "text",
    ["Второй раз заказываю, всё как всегда на высоте.", "Заказываю не первый раз, всё отлично"],
)
def test_a_repeat_order_is_a_detail(text: str) -> None:
    from services.responder.draft.details import find_detail

    detail = find_detail(text, "ru")
    assert detail is not None and detail.kind == "again"


def test_a_remark_waved_away_after_but_is_not_echoed_whole() -> None:
    from services.responder.draft.engine import complaint_echo

    echo = complaint_echo(
        "Хороший пылесос, тянет отлично. Шумноват конечно, но для такой цены норм",
        "positive_remark",
    )
    assert echo is None or "норм" not in echo


def test_a_two_word_not_arrived_gets_the_lost_order_line() -> None:
    d = _placed("Не пришло", 1, "negative", "delivery_speed", "Не пришло", language="ru")
    assert "не дошёл" in d.text or "не добралась" in d.text, d.text


@pytest.mark.parametrize(
    ("text", "remark"),
    [
        (
            "Лёгкая коляска. Минус один — капюшон маленький, от солнца не закрывает.",
            "капюшон маленький",
        ),
        (
            "Коврики сели идеально. Одна звёздочка минус — клипсы крепления в комплекте не те.",
            "клипсы крепления в комплекте не те",
        ),
    ],
)
def test_a_star_taken_off_announces_the_remark(text: str, remark: str) -> None:
    from services.responder.draft.engine import complaint_echo

    assert complaint_echo(text, "positive_remark") == remark


def test_a_phone_that_fell_while_driving_is_a_danger() -> None:
    from services.responder.draft.engine import _DANGER

    assert _DANGER.search(
        "my phone fell on the floor while driving which could have caused an accident"
    )


@pytest.mark.parametrize(
    "phrase",
    ["This coat is awful, just awful", "this dress was a disappointment", "It's not a bad concept"],
)
def test_a_verdict_or_faint_praise_is_no_echo(phrase: str) -> None:
    """Read-through 66 (real English clothing reviews): "It's disappointing to read that this
    dress was a disappointment", "We apologise that it's not a bad concept"."""
    assert safe_echo(phrase) is None


def test_puckered_seams_are_a_fault_and_musing_asks_nothing() -> None:
    assert text_cues("bias seams are puckery... zipper is bubbled").complaint
    from services.sentiment.classifier.questions import _RHETORICAL

    assert any(
        p.search("i suppose the tons of fabric might drape nicely if you're 5'8")
        for p in _RHETORICAL
    )


def test_it_fell_and_broke_is_whole() -> None:
    assert safe_echo("it fell and broke") == "it fell and broke"


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        ("Сломалась через день", "вещь сломалась через день"),
        ("оторвалась лямка", "оторвалась лямка"),
        ("сломалось через неделю", "сломалось через неделю"),
    ],
)
def test_an_unsaid_item_takes_the_verbs_gender(phrase: str, echo: str) -> None:
    assert safe_echo(phrase) == echo


def test_a_childs_rash_is_named() -> None:
    """Final read: "Gave my son a rash on his arms" got "sorry this wasn't the experience you
    were hoping for" (the echo had no clause form, so every echo line fell away)."""
    from services.responder.draft.engine import _as_clause

    assert _as_clause("gave your son a rash", "en") == "it gave your son a rash"
    text = "Gave my son a rash on his arms after one use. Stopped using it immediately."
    d = _placed(text, 1, "negative", "other", "Gave my son a rash on his arms after one use")
    assert "rash" in d.text or "reaction" in d.text, d.text
