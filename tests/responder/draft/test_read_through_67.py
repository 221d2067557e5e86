"""Read-through 67 (English review sites): a 1★ on Amazon or Trustpilot got no next step at
all when the seller had configured no support contact ("we'll pass it on" and nothing the
buyer could do); a maps card's complaint was sent to "the people behind this product";
"Ordered two weeks ago, still nothing" was no delivery complaint."""

from __future__ import annotations

import pytest

from services.responder.draft.engine import DraftSettings
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
    found = extract_aspects(text, "en")
    assert any(a.aspect == "delivery_speed" and a.polarity.value == "negative" for a in found)
