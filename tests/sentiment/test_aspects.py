"""Aspect extraction for the extended taxonomy: triggers, polarity fixes, clauses (ru, en)."""

from __future__ import annotations

import pytest

from services.sentiment.classifier import lexicon
from services.sentiment.classifier.aspects import extract_aspects
from services.sentiment.classifier.phrases import compile_phrase
from shared.aspects import ASPECTS
from shared.events import Sentiment

NEG, POS = Sentiment.negative, Sentiment.positive


def found(text: str) -> dict[str, Sentiment]:
    return {a.aspect: a.polarity for a in extract_aspects(text)}


def test_lexicon_covers_the_one_vocabulary() -> None:
    assert set(lexicon.ASPECT_PHRASES) == set(ASPECTS)
    for aspect, entries in lexicon.ASPECT_PHRASES.items():
        for source in entries:
            compile_phrase(source, aspect, 0, lexicon.MACROS)  # raises on a malformed one


def test_malformed_patterns_are_refused_with_the_pattern_named() -> None:
    with pytest.raises(ValueError, match="starts with a gap"):
        compile_phrase("~ фото", "x", 0, lexicon.MACROS)
    with pytest.raises(ValueError, match="unknown word set '@nope'"):
        compile_phrase("цвет @nope", "x", 0, lexicon.MACROS)


@pytest.mark.parametrize(
    ("text", "aspect", "polarity"),
    [
        # colour not as in the photo
        ("Цвет вообще не как на фото", "colour_mismatch", NEG),
        ("На фото ярче, в жизни блёклый", "colour_mismatch", NEG),
        ("Цвет чуть темнее, чем на фото", "colour_mismatch", NEG),
        ("Оттенок соответствует фото", "colour_mismatch", POS),
        ("Цвет на фото бежевый, а в жизни скорее серый", "colour_mismatch", NEG),
        ("The colour is more grey than the beige in the photos", "colour_mismatch", NEG),
        ("The colour is different from the picture", "colour_mismatch", NEG),
        ("Color is a bit lighter than in the photo", "colour_mismatch", NEG),
        # missing parts
        ("Не хватает двух винтов", "missing_parts", NEG),
        ("В комплекте нет зарядки", "missing_parts", NEG),
        ("Пульт отсутствует", "missing_parts", NEG),
        ("не доложили крепёж", "missing_parts", NEG),
        ("Пульт в комплекте", "missing_parts", POS),
        ("В коробке нет диффузора, только концентратор", "missing_parts", NEG),
        ("В наборе 56 деталей вместо 64", "missing_parts", NEG),
        ("No diffuser in the box", "missing_parts", NEG),
        ("Half the screws were missing", "missing_parts", NEG),
        ("Didn't come with a charger", "missing_parts", NEG),
        ("Came without the power adapter!", "missing_parts", NEG),
        # not working
        ("Не работает", "not_working", NEG),
        ("не включается вообще", "not_working", NEG),
        ("Перестал работать через неделю", "not_working", NEG),
        ("перестала заряжаться", "not_working", NEG),
        ("It stopped working after 2 weeks", "not_working", NEG),
        ("doesn't turn on", "not_working", NEG),
        ("Doesnt work at all", "not_working", NEG),
        ("Всё работает", "not_working", POS),
        # description / claims
        ("Не соответствует описанию", "description_mismatch", NEG),
        ("Не соответсвует описанию", "description_mismatch", NEG),  # typo
        ("Заявлено 5000 мАч, а по факту 2000", "description_mismatch", NEG),
        ("Всё совпало с описанием", "description_mismatch", POS),
        ("Not as described", "description_mismatch", NEG),
        ("Exactly as described", "description_mismatch", POS),
        # compatibility
        ("Не подходит к iPhone 13", "compatibility", NEG),
        ("Не подошёл к машине", "compatibility", NEG),
        ("К машине не подходит", "compatibility", NEG),
        ("Doesn't fit my phone", "compatibility", NEG),
        ("Fits my iPhone 15 perfectly", "compatibility", POS),
        # shrinkage
        ("Сел после стирки", "shrinkage", NEG),
        ("Футболка села после первой стирки", "shrinkage", NEG),
        ("после стирки села на размер", "shrinkage", NEG),
        ("После стирки не сели", "shrinkage", POS),
        ("It shrank after one wash", "shrinkage", NEG),
        # leak
        ("Протекает через крышку", "leak", NEG),
        ("Бутылка течёт", "leak", NEG),
        ("Крышка не подтекает", "leak", POS),
        ("It leaks from the lid", "leak", NEG),
        # noise
        ("Шумит как самолёт", "noise", NEG),
        ("гудит ночью", "noise", NEG),
        ("Кресло скрипит", "noise", NEG),
        ("Шумноват", "noise", NEG),
        ("Very loud", "noise", NEG),
        ("A bit noisy", "noise", NEG),
        ("Не шумит", "noise", POS),
        # wrong item
        ("Прислали не тот размер", "wrong_item", NEG),
        ("Пришёл другой цвет", "wrong_item", NEG),
        ("пришла другая модель", "wrong_item", NEG),
        ("They sent the wrong size", "wrong_item", NEG),
        ("Заказывала под iPhone 15 Pro Max, а пришёл чехол на обычный 15", "wrong_item", NEG),
        ("Ordered pink, got grey", "wrong_item", NEG),
        ("Received a grey backpack without the USB port", "wrong_item", NEG),
        # the existing ones still work
        ("Размер маломерит", "size_fit", NEG),
        ("Сидит идеально, размер в размер", "size_fit", POS),
        ("Runs small", "size_fit", NEG),
        ("Продавец не отвечает", "seller_service", NEG),
        ("Инструкция только на китайском", "instructions_language", NEG),
        ("Русская инструкция в коробке", "instructions_language", POS),
        ("Через неделю отвалилась кнопка", "defect", NEG),
    ],
)
def test_aspect_and_polarity(text: str, aspect: str, polarity: Sentiment) -> None:
    assert found(text).get(aspect) is polarity, extract_aspects(text)


@pytest.mark.parametrize(
    ("text", "aspect", "polarity"),
    [
        # negation
        ("Не понравилась упаковка", "packaging", NEG),
        ("Без брака", "defect", POS),
        # late delivery is a complaint, whatever word says so
        ("Доставили на день позже обещанного", "delivery_speed", NEG),
        ("Доставка на 5 дней позже обещанного", "delivery_speed", NEG),
        ("Доставка заняла три недели вместо обещанных пяти дней", "delivery_speed", NEG),
        ("Доставка долгая", "delivery_speed", NEG),
        ("Arrived two days later than promised", "delivery_speed", NEG),
        ("Товар так и не пришёл", "delivery_speed", NEG),
        ("Уже месяц жду", "delivery_speed", NEG),
        ("Деньги не вернули", "seller_service", NEG),
        ("It came a day late", "delivery_speed", NEG),
        ("Пришло раньше срока", "delivery_speed", POS),
        # a smell that went away is still a smell complaint
        ("Запах ушёл через неделю", "smell_material", NEG),
        ("запах выветрился за пару дней, в целом норм", "smell_material", NEG),
        ("The smell went away after a few days", "smell_material", NEG),
        ("Неделю на балконе — запах не ушёл", "smell_material", NEG),
        ("Очень долго шла посылка, почти месяц", "delivery_speed", NEG),
        # «-оватый» is a mild complaint (a tint is not); laces too short; a lost parcel
        ("Кожа стала мягче, но запах резковат", "smell_material", NEG),
        ("Всё отлично, только шнурки короткие", "quality", NEG),
        ("Second time the parcel went missing", "delivery_speed", NEG),
        ("Обещали 12 часов тепла, держит от силы 3", "quality", NEG),
        # quiet said with a noise verb; a handle that gets hot; creases
        ("Всё работает, шумит тихо", "noise", POS),
        ("Хорошая сковорода, но ручка сильно нагревается", "quality", NEG),
        ("Nice pan but the handle gets hot", "quality", NEG),
        ("Love the fit, but it wrinkles like crazy", "smell_material", NEG),
        ("Ткань не мнётся", "smell_material", POS),
        # "smells like" is not liking
        ("It smells like plastic", "smell_material", NEG),
        ("Smells like chemicals", "smell_material", NEG),
        ("Пластиком не пахнет", "smell_material", POS),
        # «не подделка» as a statement is authenticity
        ("Не подделка, проверила по коду", "counterfeit", POS),
        ("Пришла подделка", "counterfeit", NEG),
        ("This is a counterfeit", "counterfeit", NEG),
        # the box damaged is a packaging complaint, the item torn a defect
        ("Коробка пришла помятая", "packaging", NEG),
    ],
)
def test_polarity_fixes(text: str, aspect: str, polarity: Sentiment) -> None:
    assert found(text).get(aspect) is polarity, extract_aspects(text)


@pytest.mark.parametrize(
    ("text", "aspect", "polarity"),
    [
        # the fear did not come true: the feared aspect is praised
        ("Боялась, что будет маломерить, но нет, размер в размер", "size_fit", POS),
        ("Думала будет пахнуть пластиком. У меня запаха нет вообще", "smell_material", POS),
        ("Опасалась, что придёт битое, но всё целое", "transit_damage", POS),
        ("Думал будет шуметь как старый — ничего подобного", "noise", POS),
        ("Was worried it would leak but it doesn't", "leak", POS),
        ("Some reviewers mention a plastic smell. Mine had none", "smell_material", POS),
        ("Thought it would be loud, nope, barely hear it", "noise", POS),
        # … it came true: a complaint
        ("Боялась что будет маломерить, так и вышло", "size_fit", NEG),
        ("I was afraid it would leak and it did", "leak", NEG),
    ],
)
def test_a_feared_fault_is_judged_by_how_it_turned_out(
    text: str, aspect: str, polarity: Sentiment
) -> None:
    assert found(text) == {aspect: polarity}, extract_aspects(text)


@pytest.mark.parametrize(
    "text",
    [
        "Боялась, что будет маломерить",  # a fear alone blames nothing
        "I was worried it might scratch",
        "Это не подделка?",
        "Подойдёт ли на iPhone 14?",
        "Какой размер брать на рост 170?",
    ],
)
def test_questions_are_neither_praise_nor_complaint(text: str) -> None:
    assert extract_aspects(text) == []


@pytest.mark.parametrize(
    ("word", "aspect"),
    [("Протекает", "leak"), ("протекла", "leak"), ("протекают", "leak"), ("шумят", "noise"),
     ("шумела", "noise"), ("отвалились", "defect"), ("отвалилось", "defect")],
)  # fmt: skip
def test_inflections(word: str, aspect: str) -> None:
    assert found(f"{word} через день").get(aspect) is NEG


def test_a_specific_aspect_explains_the_broad_one() -> None:
    assert found("Color is exactly like the photo, very happy") == {"colour_mismatch": POS}
    assert found("супер качество швы ровные") == {"quality": POS, "defect": POS}
    assert found("Прислали не тот размер") == {"wrong_item": NEG}  # not also size_fit
    assert "other" not in found("Товар пришёл сломанный")
    assert found("В комплекте не хватает двух болтов") == {"missing_parts": NEG}


def test_clause_is_the_complaint_in_the_customers_words() -> None:
    text = "Пуховик тёплый, но через неделю отвалилась кнопка. Деньги на ветер."
    defect = next(a for a in extract_aspects(text) if a.aspect == "defect")
    assert defect.clause == "через неделю отвалилась кнопка"
    assert text[defect.start : defect.end] == defect.text == "отвалилась"
    remark = next(a for a in extract_aspects("Всё супер, только коробка помята"))
    assert remark.clause == "коробка помята"
    en = extract_aspects("Great kettle, but the lid leaks when it boils!")
    assert next(a.clause for a in en if a.aspect == "leak") == "the lid leaks when it boils"


def test_clause_of_a_lone_noun_takes_its_neighbour() -> None:
    (aspect,) = extract_aspects("Доставка — ужас, две недели.")
    assert aspect.clause == "Доставка — ужас"
    (aspect,) = extract_aspects("Протекает, весь рюкзак мокрый.")
    assert aspect.clause == "Протекает"  # a verb is a complaint by itself


def test_a_decimal_comma_does_not_cut_the_clause() -> None:
    (aspect,) = extract_aspects("Манометр врёт на 0,5 атмосферы, проверила на заправке")
    assert aspect.clause == "Манометр врёт на 0,5 атмосферы"


def test_long_clause_is_cut_around_the_trigger() -> None:
    text = "Купила " + "очень " * 40 + "красивую бутылку которая протекает " + "и " * 40
    (aspect,) = extract_aspects(text)
    assert "протекает" in aspect.clause and len(aspect.clause) <= 170


def test_spans_point_into_the_text() -> None:
    text = "Цвет не как на фото, не хватает винта; shrank after the wash, и шумит."
    aspects = extract_aspects(text)
    assert len(aspects) >= 3
    for a in aspects:
        assert text[a.start : a.end] == a.text
        assert a.clause and a.clause in text


@pytest.mark.parametrize("text", ["", "   ", "👍👍", "!!!???", "12345", "\n\n"])
def test_empty_and_odd_texts(text: str) -> None:
    assert extract_aspects(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Прекрасный «водонепроницаемый» чехол, в первый же дождь телефон утонул",
        'The "leak-proof" lid leaked coffee all over my car seat',
        '"Water-resistant" my foot, everything inside was soaked',
    ],
)
def test_a_quoted_claim_in_a_complaint_is_a_description_mismatch(text: str) -> None:
    assert found(text).get("description_mismatch") is NEG


@pytest.mark.parametrize(
    "text",
    [
        "У оригинального «Динопарка» магниты закрыты, а тут торчат и выпадают",  # a name
        "Отличный «водонепроницаемый» чехол, под дождём сухой",  # no complaint
    ],
)
def test_a_quoted_name_or_a_kept_claim_is_not(text: str) -> None:
    assert "description_mismatch" not in found(text)


def test_only_the_asking_clause_of_a_question_is_neutral() -> None:
    # the smell is stated, the question is whether it is normal
    assert found("Запах резкий, это нормально?") == {"smell_material": NEG}
    assert found("Размер маломерит, можно обменять на больший?") == {"size_fit": NEG}
    assert found("Подойдёт ли на рост 170, если маломерит?") == {}


def test_hostile_long_texts_finish_quickly() -> None:
    import time

    for text in ("не " * 6000, "а, " * 6000, "?" * 20000, "Протекает, шумит? " * 1100):
        started = time.perf_counter()
        extract_aspects(text[:20000])
        assert time.perf_counter() - started < 10  # ~1 s on a shared core; no quadratic blow-up


def test_inline_pros_and_cons_sections_set_the_default_polarity() -> None:
    text = "Достоинства: размер, цена\nНедостатки: упаковка, инструкция\nКомментарий: норм"
    got = found(text)
    assert got["size_fit"] is POS and got["price"] is POS
    assert got["packaging"] is NEG and got["instructions_language"] is NEG
    # the heading «Недостатки:» blames nothing by itself
    assert found("Недостатки: нет") == {}


def test_a_tint_is_no_complaint_and_a_promise_praises_nothing() -> None:
    assert found("Цвет голубоватый, как на фото") == {"colour_mismatch": POS}
    assert "missing_parts" not in found("Second time the parcel went missing")
    assert found("Обещали 12 часов тепла") == {}
    assert found("Доставили раньше, чем обещали") == {"delivery_speed": POS}
