"""Read-through 48 (hand-written Wildberries / Ozon / Yandex Market reviews): a peeling strip
after «Одно но —» was no remark, a pan that «греется равномерно» was a defect, the cons
field's two sentences were pasted as one echo («смотрится дороже. Фурнитура как из фикс
прайса»), «карабин уже облез» was no clause, a child's suit «пришла как на 98» was a wrong
item, and a buyer who cut the tags off, or whose return the seller already helped with,
was shown the way to return it."""

from __future__ import annotations

import pytest

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import _CANNOT_RETURN
from shared.events import Aspect, Sentiment
from tests.responder.draft.test_draft_engine import _placed, classified, draft, mention


@pytest.mark.parametrize(
    "phrase", ["карабин уже облез", "клей засох", "магнит ослаб", "крем потёк"]
)
def test_a_past_tense_without_its_l_is_a_predicate(phrase: str) -> None:
    assert safe_echo(phrase) == phrase


def test_two_sentences_are_no_echo() -> None:
    assert safe_echo("На фото смотрится дороже. Фурнитура как из фикс прайса") is None


def test_one_but_announces_the_remark() -> None:
    d = draft(
        mention(
            "Шлейка удобная, собака не выскальзывает, размер S на таксу впору. Одно но — "
            "светоотражающая полоска начала отклеиваться после пары стирок",
            rating=4,
        ),
        classified("positive", "ru", ("quality", "positive"), signals=True),
    )
    assert d.family == "positive_remark", d.family
    assert "полоска начала отклеиваться" in d.text, d.text


def test_the_cons_field_is_read_sentence_by_sentence() -> None:
    m = mention("Пользуюсь месяц", rating=4, platform="yandex_market")
    m = m.model_copy(
        update={"cons": "Тяжёлая. И на мою индукцию не пошла, хотя в описании для всех плит"}
    )
    d = draft(m, classified("positive", "ru", ("description_mismatch", "negative"), signals=True))
    assert "Тяжёлая. И" not in d.text and "индукцию не пошла" in d.text, d.text


@pytest.mark.parametrize(
    ("text", "clause", "language"),
    [
        ("Пришёл брак, шов разошёлся. Вернуть уже не могу, бирки срезала", "шов разошёлся", "ru"),
        (
            "UPD: продавец в чате помог оформить возврат. Шов разошёлся на второй день",
            "Шов разошёлся",
            "ru",
        ),
    ],
)
def test_no_return_route_for_a_buyer_who_cannot_or_already_did(
    text: str, clause: str, language: str
) -> None:
    d = _placed(text, 2, "negative", "defect", clause, language)
    assert "«Покупки»" not in d.text, d.text
    # the same fault without the words that close the way back gets the route
    plain = _placed("Пришёл брак, шов разошёлся.", 2, "negative", "defect", "шов разошёлся", "ru")
    assert "«Покупки»" in plain.text, plain.text


@pytest.mark.parametrize(
    "text",
    [
        "I can't return it, I threw the box away.",
        "Too late to return it now.",
        "The return window has closed.",
        "сдать уже нельзя",
    ],
)
def test_the_way_back_closed(text: str) -> None:
    assert _CANNOT_RETURN.search(text), text


def test_sized_like_a_smaller_size_is_no_wrong_item() -> None:
    d = _placed(
        "заказывала на рост 110 пришла как на 98, рукава по локоть",
        2,
        "negative",
        "size_fit",
        "рукава по локоть",
        "ru",
    )
    assert "вместо заказанного" not in d.text and "путаниц" not in d.text, d.text


def test_a_charger_that_does_not_heat_up_is_praised_an_iron_that_does_not_heat_is_not() -> None:
    """Read-through 51: «Заряжает… минут за 40, сам не греется» (5★) got «Замечание «сам не
    греется» передадим команде»."""
    from services.responder.draft.family import text_cues

    assert not text_cues("Заряжает быстро, сам не греется").complaint
    assert text_cues("Утюг не греется").complaint


def test_a_numbered_list_is_read_item_by_item() -> None:
    text = "1) молния заедает с первого дня 2) ремень пришит криво 3) внутри пятно от клея"
    d = _placed(text, 1, "negative", "defect", "молния заедает с первого дня 2", "ru")
    assert "дня 2" not in d.text and "молния заедает с первого дня" in d.text.lower(), d.text


def test_read_through_51_faults_and_praise() -> None:
    """«НЕ ЕДЕТ!!! ПУЛЬТ НЕ ВИДИТ МАШИНКУ… ДЕНЬГИ НА ВЕТЕР» was a price remark with no way
    back; «Комплект неполный» named a size; «долго выбирала между тремя продавцами» was
    thanked as praise of our service."""
    from services.responder.draft.details import guess_aspect

    assert guess_aspect("не едет") == "not_working"
    assert guess_aspect("Комплект неполный") == "missing_parts"
    text = "Брала на новоселье, долго выбирала между тремя продавцами. Сатин гладкий."
    clause = "долго выбирала между тремя продавцами"
    at = text.index(clause)
    service = Aspect(
        aspect="seller_service",
        polarity=Sentiment.positive,
        start=at,
        end=at + len(clause),
        text="продавцами",
        clause=clause,
    )
    c = classified("positive", "ru", signals=True).model_copy(update={"aspects": [service]})
    d = draft(mention(text, rating=5, author=None), c)
    assert "сервис" not in d.text, d.text
    praised = c.model_copy(
        update={"aspects": [service.model_copy(update={"clause": "продавец отличный"})]}
    )
    d = draft(mention(text + " Продавец отличный", rating=5, author=None), praised)
    assert "сервис" in d.text, d.text


def test_read_through_52_cons_that_name_nothing_and_a_bag_that_stays_put() -> None:
    """«Недостатки: пока не обнаружила» got «Жаль, что пока не обнаружила»; «в багажнике не
    ездит» (an organiser that stays put) was a toy car that does not drive."""
    from services.responder.draft.family import substantive_cons, text_cues

    for cons in ("пока не обнаружила", "Нет", "не нашла", "none so far", "—"):
        m = mention("Режет ровно", rating=5).model_copy(update={"cons": cons})
        assert substantive_cons(m) is None, cons
    assert not text_cues("Вместительный, в багажнике не ездит").complaint
    assert text_cues("Машинка не едет").complaint
    assert safe_echo("обалдеть пришла разбитая") == "вещь пришла разбитая"
    assert safe_echo("пахнет химией невозможно") == "пахнет химией"


def test_a_run_on_praise_that_thanks_is_no_echo() -> None:
    """«пришли быстро всё целое спасибо😊» got «Приятно знать, что пришли быстро всё целое
    спасибо»: the parcel unsaid, the thanks pasted."""
    from services.responder.draft.details import praise_echo

    assert praise_echo("пришли быстро всё целое спасибо😊", "ru") is None
    assert praise_echo("держит тепло весь день", "ru") == "держит тепло весь день"


def test_a_smell_remark_is_answered_as_a_smell_and_a_kept_item_gets_no_return_route() -> None:
    """Read-through 54: «запах на любителя» got «Замечание о материале»; a buyer who keeps
    the wrong colour («возвращать лень, носить буду») was shown the way to return it."""
    d = _placed(
        "Крем хороший увлажняет но запах на любителя",
        4,
        "positive",
        "smell_material",
        "запах на любителя",
        language="ru",
    )
    assert "материал" not in d.text, d.text
    kept = _placed(
        "заказала белые пришли бежевые. возвращать лень носить буду",
        2,
        "negative",
        "wrong_item",
        "заказала белые пришли бежевые",
        language="ru",
    )
    assert "возврат" not in kept.text.lower(), kept.text


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        ("Заказывала М пришел XS", "вы заказывали М, а пришел XS"),
        ("Заказал черный пришел розовый", "вы заказали черный, а пришел розовый"),
        ("левый наушник сдох через 3 дня", "левый наушник перестал работать через 3 дня"),
    ],
)
def test_an_order_mixed_up_and_a_dead_earbud_are_said_in_our_voice(phrase: str, echo: str) -> None:
    """Read-through 55: without «а» the mix-up was no clause; «сдох» was no predicate, so
    the sarcastic «очень доволен» was echoed instead."""
    assert safe_echo(phrase) == echo
    assert safe_echo("заказывала в понедельник пришло в среду") is None


def test_sarcastic_contentment_is_never_the_complaint() -> None:
    from services.responder.draft.engine import complaint_echo

    text = "ну спасибо продавец, левый наушник сдох через 3 дня, очень доволен)))"
    assert complaint_echo(text, "negative") == "левый наушник перестал работать через 3 дня"


def test_a_verb_after_no_takes_the_sentences_subject() -> None:
    """Read-through 55: «Полотенца мягкие но линяют» was echoed as «Жаль, что так вышло:
    линяют»; «правый болтается» was a second fault with its noun left out."""
    from services.responder.draft.engine import complaint_echo

    assert (
        complaint_echo("Полотенца мягкие но линяют, после стирки вся машинка в ворсе.", "neutral")
        == "полотенца линяют"
    )
    assert complaint_echo("Фен мощный, но шумит", "neutral") == "фен шумит"
    d = _placed(
        "Подошва отклеилась через две недели носки, левый жмет, правый болтается.",
        1,
        "negative",
        "defect",
        "Подошва отклеилась через две недели носки",
        language="ru",
    )
    assert "правый" not in d.text, d.text


def test_a_concession_after_khotya_is_not_the_complaint() -> None:
    from services.responder.draft.engine import complaint_echo

    text = "Минусы: покрытие уже поцарапалось хотя мыла только губкой"
    assert complaint_echo(text, "neutral") == "покрытие уже поцарапалось"


def test_a_fault_that_never_came_is_praise_and_a_hot_charger_is_a_danger() -> None:
    from services.responder.draft.details import praise_echo
    from services.responder.draft.engine import _DANGER

    assert praise_echo("Отличная сковорода, ничего не пригорает, даже яичница без масла", "ru") == (
        "ничего не пригорает"
    )
    assert _DANGER.search("норм, заряжает но греется сильно")
    assert _DANGER.search("Мотор начинает вонять гарью. Боюсь пользоваться")


def test_an_aspect_clause_that_opens_on_its_verb_takes_the_subject() -> None:
    d = _placed(
        "Кроссовки удобные но пахнут резиной сильно, проветриваю уже неделю",
        4,
        "positive",
        "smell_material",
        "пахнут резиной сильно",
        language="ru",
    )
    assert "кроссовки пахнут резиной" in d.text, d.text
