"""Read-through 53 (real English reviews, Amazon electronics and clothing): the echo took
"the noise cancellation kicks-in on a noisy bus" over "it cuts out", cut "the bulb only turns
on" from its condition, said "you had no idea" back to the buyer, and a 4★ buyer exchanging
jeans whose waist was too big was thanked for "a fair point" and wished joy of them."""

from __future__ import annotations

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import complaint_echo
from services.responder.draft.slots import customer_name
from tests.responder.draft.test_draft_engine import _placed


def test_a_noisy_place_is_no_complaint_and_then_opens_no_echo() -> None:
    text = "The noise cancellation kicks-in on a noisy bus but then it cuts out every few minutes."
    assert complaint_echo(text, "negative") == "it cuts out every few minutes"


def test_a_condition_after_only_stays_with_its_clause() -> None:
    text = "The bulb only turns on when you opt in via the app, I had no idea. Annoying."
    echo = complaint_echo(text, "negative")
    assert echo is None or "when" in echo, echo
    assert safe_echo("I had no idea") is None
    assert safe_echo("I didn't realise it needs an app") is None


def test_a_remark_the_buyer_exchanges_for_gets_the_way_to_do_it() -> None:
    text = (
        "The jeans fit perfectly up to the waist, but the waist is way too big for me. "
        "Will have to exchange for a smaller size."
    )
    d = _placed(
        text, 4, "positive", "size_fit", "the waist is way too big for me", platform="wildberries"
    )
    assert d.family == "positive_remark", d.family
    assert "fair point" not in d.text, d.text
    assert "return" in d.text.lower() or "exchange" in d.text.lower(), d.text
    assert "enjoy" not in d.text.lower(), d.text


def test_common_english_given_names_are_greeted() -> None:
    for name in ("Tanya", "Diane", "Sandy", "Brenda"):
        assert customer_name(name, "en") == name


def test_a_lost_connection_is_named_before_the_service_and_no_batteries_are_plural() -> None:
    from services.responder.draft.engine import _as_clause

    text = "The Echo keeps losing wifi connection and customer service was no help at all."
    assert complaint_echo(text, "negative") == "the Echo keeps losing wifi connection"
    assert _as_clause("no batteries included", "en") == "there were no batteries included"
    assert _as_clause("no diffuser in the box", "en") == "there was no diffuser in the box"


def test_how_the_item_is_made_is_not_conceded_as_a_fault() -> None:
    text = "You have to talk to Alexa for everything, there are no buttons for volume."
    d = _placed(text, 3, "neutral", "quality", "there are no buttons for volume")
    assert "no buttons for volume" in d.text, d.text
    assert "should" not in d.text, d.text
