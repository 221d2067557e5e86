"""Read-through 68 (50 ordinary reviews written and scored blind by a second reader): a
sarcastic 1★ over a pan's coating flaking into the eggs was answered as a rating slip; a 4★
"kept me updated" was thanked for "coming back to update your review"; «часов шесть, не
больше» was praised; rude staff at a counter named no fault."""

from __future__ import annotations

import pytest

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import _DANGER, _as_clause, _danger_to, _problems
from services.responder.draft.family import UPDATE, text_cues
from services.sentiment.classifier.aspects import extract_aspects
from shared.events import Classification
from tests.responder.draft.test_draft_engine import _placed


def _blamed(text: str) -> set[str]:
    return {a.aspect for a in extract_aspects(text) if a.polarity.value == "negative"}


def test_a_sarcastic_coating_complaint_is_no_rating_slip() -> None:
    text = (
        "Спасибо продавцу за незабываемый опыт! Сковородка прослужила целых пять дней, потом "
        "покрытие полезло хлопьями прямо в яичницу. Очень полезно для здоровья 👏"
    )
    assert text_cues(text).complaint
    assert "defect" in _blamed(text)


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("Delivery was late, but customer service kept me updated.", False),
        ("We've been updated.", False),
        ("Update: they sent a new one and it works.", True),
    ],
)
def test_kept_me_updated_is_no_review_update(text: str, update: bool) -> None:
    assert bool(UPDATE.search(text)) is update


def test_a_limit_is_the_remark_not_praise() -> None:
    text = "Тепло держит часов шесть, не больше. Для работы пойдёт."
    assert text_cues(text).mild
    d = _placed(text, 4, "positive", "quality", "Для работы пойдёт", language="ru",
                remark=True)  # fmt: skip
    assert "держит часов шесть." not in d.text, d.text  # never praised without its limit
    bare = Classification(
        sentiment="positive", score=0.9, language="ru", aspects=[], signals=True, remark=True
    )
    assert _problems(bare, "positive_remark", text)[1] == "тепло держит часов шесть, не больше"


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("Rude staff at the counter, the guy walked off.", "seller_service"),
        ("Delivery took a couple of days longer than stated.", "delivery_speed"),
    ],
)
def test_readings(text: str, aspect: str) -> None:
    assert aspect in _blamed(text)


def test_a_missing_part_from_an_opened_box_is_named() -> None:
    text = (
        "В комплекте должно быть три насадки, пришло две — венчика нет. Коробка была вскрыта и "
        "заклеена скотчем. Сам блендер работает"
    )
    d = _placed(text, 2, "negative", "missing_parts", "пришло две", language="ru",
                platform="ozon")  # fmt: skip
    assert "венчика нет" in d.text and "новую" not in d.text, d.text


def test_close_it_keeps_its_object() -> None:
    from services.responder.draft.engine import _problems
    from tests.responder.draft.test_draft_engine import placed_classification

    text = "App is ok but it logs me out every time I close it. Annoying."
    c = placed_classification(
        text, "neutral", "not_working", "it logs me out every time I close it"
    )
    assert _problems(c, "neutral", text)[1] == "it logs you out every time you close it"


@pytest.mark.parametrize(
    "text",
    [
        "Nice sheets, soft and cool to sleep on. Still keeping them.",
        "Love these earbuds, great bass and the battery lasts all day.",
    ],
)
def test_goods_named_in_the_plural_are_not_called_it(text: str) -> None:
    import re

    d = _placed(text, 5, "positive", "quality", text.split(",")[0])
    own = d.text.replace("the battery lasts all day", "")
    assert not re.search(r"\bit\b", own), d.text


def test_a_kettle_is_no_plural() -> None:
    from services.responder.draft.details import plural_goods

    assert not plural_goods(None, "Great kettle, boils fast and looks lovely.")
    assert plural_goods(None, "They run small, order a size up.")


@pytest.mark.parametrize(
    ("echo", "title", "said"),
    [
        ("воняют резиной на всю квартиру", "Коврики автомобильные резиновые", "коврики воняют"),
        ("шумит сильно", "Фен для волос 2000 Вт", "фен шумит сильно"),
        # the number disagrees, or the echo has its own subject: left as it is
        ("сильно линяют при стирке", "Набор махровых полотенец", "сильно линяют при стирке"),
        ("крышка протекает", "Термокружка 0,5 л", "крышка протекает"),
    ],
)
def test_a_verb_first_echo_takes_the_titles_noun(echo: str, title: str, said: str) -> None:
    from services.responder.draft.engine import _with_title_subject

    assert _with_title_subject(echo, title).startswith(said)


def test_silence_beside_a_lost_order_gets_its_own_line() -> None:
    text = (
        "Ordered on the 3rd, still nothing on the 20th. Tracking hasn't updated in a week and "
        "nobody answers my emails. Avoid."
    )
    assert safe_echo("Tracking hasn't updated in a week and nobody answers my emails") == (
        "tracking hasn't updated in a week"
    )
    d = _placed(text, 1, "negative", "delivery_speed", "Ordered on the 3rd, still nothing",
                platform="trustpilot")  # fmt: skip
    assert "unanswered" in d.moves, d.text  # (whichever phrasing the draw takes)


def test_a_terse_praise_gets_no_gushing_line() -> None:
    for seed in range(6):
        d = _placed(f"Норм, заряжает быстро{'!' * seed}", 5, "positive", "quality",
                    "заряжает быстро", language="ru")  # fmt: skip
        assert "вдохновляют" not in d.text and "лучшая оценка" not in d.text, d.text


@pytest.mark.parametrize(
    ("author", "name"), [("Tasha", "Tasha"), ("Kev", "Kev"), ("Ahmed R.", "Ahmed")]
)
def test_more_given_names_are_greeted(author: str, name: str) -> None:
    from services.responder.draft.slots import customer_name

    assert customer_name(author, "en") == name


def test_a_5_star_tip_is_not_apologised_for() -> None:
    text = (
        "Love this kettle, boils fast and looks great on the counter. Only thing is the lid "
        "button is a bit stiff."
    )
    d = _placed(text, 5, "positive", "defect", "the lid button is a bit stiff", remark=True)
    assert "sorry" not in d.text.lower() and "apolog" not in d.text.lower(), d.text


def test_a_danger_still_in_use_is_told_to_stop() -> None:
    text = (
        "The basket handle came off in my hand while the basket was full of hot oil and wings. "
        "I've glued it back on but I don't trust it now."
    )
    d = _placed(text, 2, "negative", "defect", "The basket handle came off in my hand")
    assert "stop using" in d.text or "don't use it" in d.text, d.text
    assert "helps us" not in d.text, d.text


def test_a_melted_adapter_by_a_child_is_not_to_be_plugged_in_by_anyone() -> None:
    text = "Оставили ночник на ночь в детской, а адаптер оплавился по краю. Ребёнок спал рядом!!!"
    assert _danger_to(text) == "power"


def test_a_bare_part_takes_its_article() -> None:
    assert _as_clause("app crashes every time you open the camera screen", "en") == (
        "the app crashes every time you open the camera screen"
    )
    assert _as_clause("lid leaks", "en") == "the lid leaks"


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        # the buyer's scorn, emphasis and household are theirs
        ("Сковородка прослужила целых пять дней", "сковородка прослужила всего пять дней"),
        ("The kettle lasted a whole 5 days", "the kettle lasted only 5 days"),
        ("the cord is ridiculously short", "the cord is very short"),
        ("A bit loud though, my dog hides every time I use it", None),
    ],
)
def test_echoes_from_the_blind_set(phrase: str, echo: str | None) -> None:
    assert safe_echo(phrase) == echo


@pytest.mark.parametrize(
    "text",
    [
        "потом покрытие полезло хлопьями прямо в яичницу",
        "the non-stick coating is flaking into our food",
        "Покрытие начало облезать, чёрные кусочки прямо в картошке",
        "Павербанк вздулся через месяц и сильно греется",
        "The battery is swollen now.",
    ],
)
def test_dangers_from_the_blind_set(text: str) -> None:
    assert _DANGER.search(text)


def test_a_used_item_is_no_note_on_the_listing() -> None:
    text = "Received a used item, box was opened and there were crumbs inside. Disgusting."
    d = _placed(text, 1, "negative", "description_mismatch", "Received a used item")
    assert "listing" not in d.text and "product page" not in d.text, d.text
