"""Read-through 67 (English review sites): a 1★ on Amazon or Trustpilot got no next step at
all when the seller had configured no support contact ("we'll pass it on" and nothing the
buyer could do); a maps card's complaint was sent to "the people behind this product";
"Ordered two weeks ago, still nothing" was no delivery complaint."""

from __future__ import annotations

import pytest

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import _CHILD, _DANGER, DraftSettings
from services.sentiment.classifier.aspects import extract_aspects
from tests.responder.draft.test_draft_engine import SETTINGS, _placed, draft, mention
from tests.responder.draft.test_draft_engine import placed_classification as placed

_REACH = ("get in touch", "contact us", "напишите нам", "свяжетесь с нами")


def _reaches(text: str) -> bool:
    return any(p in text.lower() for p in _REACH)


@pytest.mark.parametrize("platform", ["amazon", "trustpilot", "irecommend"])
def test_a_complaint_on_a_review_site_gets_a_way_to_us(platform: str) -> None:
    text = "Stopped working after 3 weeks. Doesn't charge at all anymore. Waste of money."
    d = _placed(text, 1, "negative", "not_working", "Stopped working after 3 weeks",
                platform=platform)  # fmt: skip
    assert _reaches(d.text), d.text
    assert "order details" in d.text, d.text


def test_russian_review_site_gets_the_russian_invitation() -> None:
    text = "Через неделю перестал включаться. Деньги на ветер."
    d = _placed(text, 1, "negative", "not_working", "перестал включаться", language="ru",
                platform="otzovik")  # fmt: skip
    assert "номер" in d.text and "заказа" in d.text, d.text


@pytest.mark.parametrize("platform", ["wildberries", "ozon"])
def test_a_marketplace_keeps_its_return_route_and_no_invitation(platform: str) -> None:
    text = "Через неделю перестал включаться. Деньги на ветер."
    d = _placed(text, 1, "negative", "not_working", "перестал включаться", language="ru",
                platform=platform)  # fmt: skip
    assert not _reaches(d.text) and "возврат" in d.text.lower(), d.text


def test_an_app_store_complaint_goes_to_the_developers_not_to_an_order() -> None:
    text = "App crashes when I open the camera. Useless."
    d = _placed(text, 1, "negative", "not_working", "App crashes when I open the camera",
                platform="google_play")  # fmt: skip
    assert "order details" not in d.text and "developers" in d.text, d.text


@pytest.mark.parametrize(
    "text",
    [
        "Took 5 emails to get a reply about a missing part. The kettle itself leaks.",
        "I called twice and nobody could help. The kettle leaks.",
    ],
)
def test_a_buyer_who_already_wrote_is_not_asked_to_get_in_touch(text: str) -> None:
    d = _placed(text, 2, "negative", "leak", "The kettle", platform="trustpilot")
    assert not _reaches(d.text), d.text


def test_a_configured_contact_is_used_instead() -> None:
    text = "Stopped working after 3 weeks. Waste of money."
    settings = DraftSettings(
        brand=SETTINGS.brand, english_brand=SETTINGS.english_brand,
        support_contact="help@warmhome.example",
    )  # fmt: skip
    c = placed(text, "negative", "not_working", "Stopped working after 3 weeks")
    d = draft(mention(text, rating=1, platform="amazon", author=None), c, settings=settings)
    assert "help@warmhome.example" in d.text and "order details" not in d.text, d.text


def test_praise_gets_no_invitation() -> None:
    text = "Works great, does what it says."
    d = _placed(text, 5, "positive", "quality", "Works great")
    assert not _reaches(d.text), d.text


def test_a_visit_is_invited_as_a_visit() -> None:
    text = "Waited 40 minutes for a pickup that was supposed to be ready. Staff shrugged."
    d = _placed(text, 2, "negative", "seller_service", "Staff shrugged",
                platform="google_business")  # fmt: skip
    assert "visit" in d.text and "order details" not in d.text, d.text
    assert "product" not in d.text and "item" not in d.text, d.text


@pytest.mark.parametrize(
    "text",
    ["Ordered two weeks ago, still nothing, emails ignored.", "Ordered in May and still waiting."],
)
def test_an_order_that_has_not_come_is_a_delivery_complaint(text: str) -> None:
    found = extract_aspects(text)
    assert any(a.aspect == "delivery_speed" and a.polarity.value == "negative" for a in found)


# --- the second reader's worst drafts (a blind set of 60) --------------------------------


def test_a_feature_the_buyer_likes_is_no_remark() -> None:
    from services.responder.draft.family import text_cues

    assert not text_cues("Громкость регулируется, что для нас, бабушек, очень важно").complaint


def test_age_spots_that_faded_are_no_stain() -> None:
    text = "Кожа правда посветлела, пигментные пятна стали меньше."
    assert not [a for a in extract_aspects(text) if a.polarity.value == "negative"]


def test_a_dead_phone_is_no_price_complaint() -> None:
    text = "Took it snorkelling for five minutes and my phone is now a very expensive paperweight."
    found = {a.aspect for a in extract_aspects(text) if a.polarity.value == "negative"}
    assert "price" not in found and "not_working" in found


def test_a_danger_with_no_echo_is_still_called_a_danger() -> None:
    text = (
        "Charger gets hot enough to burn your fingers after 20 minutes charging my laptop. "
        "Smelled like melting plastic. Unplugged it and it's going back. "
        "This is a fire waiting to happen."
    )
    d = _placed(text, 1, "negative", "smell_material", "Smelled like melting plastic")
    assert "safety" in d.text.lower() and "spoils the experience" not in d.text, d.text
    assert not _reaches(d.text), d.text  # it is going back already


def test_a_childs_injury_is_asked_after_not_echoed_as_a_fault() -> None:
    text = (
        "The handlebar clamp came loose while my 7 year old was riding and she went face first "
        "into the pavement. Split lip and a chipped tooth. We tightened it exactly per the "
        "instructions."
    )
    d = _placed(text, 1, "negative", "defect", "The handlebar clamp came loose")
    assert "it split lip" not in d.text and "child" in d.text, d.text


def test_a_size_off_is_no_praise_of_the_fit() -> None:
    text = (
        "Super soft and my daughter loves the colour. "
        "Runs big though, we got the 8-9 and it fits like a 10-11."
    )
    d = _placed(text, 5, "positive", "size_fit", "Runs big though", remark=True)
    assert "fits like a 10-11" not in d.text, d.text


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        # another item's story is not this one's fault
        ("The first was a hand-me-down from my sister that finally died", None),
        # a long complaint keeps its fault and drops when it happened
        (
            "App crashes every time I open the camera screen since the last update",
            "app crashes every time you open the camera screen",
        ),
        # the degree's cut-off clause, and a smell whose source was cut off
        ("На третий раз ручка раскалилась так", "на третий раз ручка раскалилась"),
        ("держать невозможно, запахло", None),
        # the buyer's asides, slang and scorn are theirs
        ("через два дня слайм засох и стал как резина", "через два дня слайм засох"),
        ("И накипь на спирали сразу видно, стекло же", "накипь на спирали сразу видно"),
        (
            "Knocked off a star because the left bud randomly disconnects",
            "the left bud randomly disconnects",
        ),
        ("Но пуговицы пришиты на соплях", "пуговицы пришиты кое-как"),
        ("второго акума в комплекте не было", "второго аккумулятора в комплекте не было"),
    ],
)
def test_echoes_from_the_blind_set(phrase: str, echo: str | None) -> None:
    assert safe_echo(phrase) == echo


@pytest.mark.parametrize(
    "text",
    [
        "the basket handle came off in my hand while the basket was full of hot oil",
        "ручка раскалилась, а из решётки вылетела искра",
        "This is a fire waiting to happen.",
    ],
)
def test_dangers_from_the_blind_set(text: str) -> None:
    assert _DANGER.search(text)


def test_a_seven_year_old_is_a_child() -> None:
    assert _CHILD.search("while my 7 year old was riding")
    assert not _CHILD.search("my 80 year old mother loves it")


def test_ridiculous_packaging_is_a_packaging_complaint() -> None:
    text = (
        "Products fine, delivery fine, but the packaging was ridiculous. A tiny lip balm in a "
        "box big enough for shoes plus a load of plastic air pillows."
    )
    found = {a.aspect for a in extract_aspects(text) if a.polarity.value == "negative"}
    assert found == {"packaging"}


def test_an_aside_in_brackets_keeps_the_subject() -> None:
    from services.responder.draft.engine import complaint_echo

    text = "Сын (6 лет) порезал палец об острый край крыла в первый же вечер. Кровь, слёзы."
    echo = complaint_echo(text, "negative")
    assert echo and echo.startswith("сын"), echo


def test_a_box_with_only_part_of_the_set_is_missing_parts() -> None:
    from services.responder.draft.details import guess_aspect

    text = (
        "В описании венчик и измельчитель, а в коробке только сам блендер и стакан. Где остальное??"
    )
    assert guess_aspect("в коробке только сам блендер и стакан") == "missing_parts"
    assert "missing_parts" in {a.aspect for a in extract_aspects(text)}


def test_a_refunded_order_that_never_came_is_not_sent_to_dispatch() -> None:
    text = (
        "Курьер не приехал, а в приложении статус «клиент отказался от заказа». Заказ уехал "
        "обратно на склад, деньги вернули только через неделю. Кастрюли так и не получила"
    )
    d = _placed(text, 1, "negative", "delivery_speed", "Кастрюли так и не получила",
                language="ru", platform="ozon")  # fmt: skip
    assert "проверить" not in d.text and "доставк" in d.text, d.text


def test_a_service_complaint_is_not_sent_to_the_items_people() -> None:
    text = (
        "Returned a jacket well within the return window and four weeks later still no refund. "
        "The chat agent basically told me to wait and then ended the chat on me."
    )
    d = _placed(text, 2, "negative", "seller_service", "ended the chat on me",
                platform="trustpilot")  # fmt: skip
    assert "item" not in d.text and "product" not in d.text, d.text


def test_a_question_gives_no_detail_of_use() -> None:
    text = (
        "Solid case, good grip, MagSafe snaps on fine. Does it work with the wireless charging "
        "pad in my car though? It's just a regular Qi pad."
    )
    d = _placed(text, 4, "positive", "quality", "Solid case")
    assert "car" not in d.text.replace("{answer}", ""), d.text


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        (
            "dont buy. stoped charging after 2 weeks, red light blinks and nothing else.",
            "not_working",
        ),
        ("I waited 25 minutes to collect an order I'd already paid for.", "seller_service"),
    ],
)
def test_readings_from_the_blind_set(text: str, aspect: str) -> None:
    found = {a.aspect for a in extract_aspects(text) if a.polarity.value == "negative"}
    assert aspect in found, found
