"""Read-through 54 (real English reviews: clothing, Amazon electronics and kitchen, Echo):
a remark taken back in the next sentence was apologised for, a car fuse blown by a dead
short was no danger, a quoted '?' asked a question, "there is no reason…" was a remark,
a fault under 4★ was "a fair point", and a one-line complaint was "a balanced review"."""

from __future__ import annotations

from services.responder.draft.engine import complaint_echo
from services.sentiment.classifier.questions import find_questions
from tests.responder.draft.test_draft_engine import _placed, amazon


def test_a_remark_taken_back_in_the_next_sentence_is_no_complaint() -> None:
    text = (
        "Yes, it takes a bit of getting used to and yes, the keys are a bit noisy. "
        "But I have no problem with that. The number pad is excellent too."
    )
    assert complaint_echo(text, "positive_remark") is None


def test_a_blown_fuse_is_a_danger_and_no_avail_is_silence() -> None:
    d = amazon(
        "The product not only did not work but blew out fuses in my car. I have written to "
        "your customer service department and asked for money back but to no avail.",
        1,
        "negative",
        ("not_working", "negative"),
    )
    assert "plug it in again" in d.text or "don't use it again" in d.text, d.text
    assert "unanswered" in d.moves, d.moves


def test_a_quoted_question_mark_and_enough_said_ask_nothing() -> None:
    text = (
        "It will not accept file names with characters like: '?' and '/'. When it meets "
        "these characters, it stops. Maybe this is enough said? It is so comfortable."
    )
    assert find_questions(text) == []


def test_no_reason_is_no_missing_feature_and_lacks_is_no_cut() -> None:
    assert (
        complaint_echo(
            "There is no reason a machine like this should not be problem free.", "positive_remark"
        )
        is None
    )
    echo = complaint_echo("The new one lacks the easy volume buttons, sadly.", "neutral")
    assert echo is None or not echo.endswith("lacks"), echo


def test_a_fault_under_four_stars_is_apologised_for_not_called_a_fair_point() -> None:
    text = (
        "Great big screen. But the mount is poorly designed: the unit falls off the window "
        "and from the dash."
    )
    for _ in range(3):
        d = _placed(text, 4, "positive", "defect", "the unit falls off the window")
        assert "fair point" not in d.text, d.text


def test_a_one_line_complaint_is_not_called_balanced() -> None:
    d = amazon(
        "It won't work as a blue tooth speaker with my tv, it connects but won't work at all",
        3,
        "neutral",
        ("not_working", "negative"),
    )
    assert "balanced" not in d.text and "fair and" not in d.text, d.text


def test_a_kettle_that_spits_boiling_water_is_a_danger() -> None:
    d = amazon(
        "If you fill above this line, when it boils, boiling water shoots out of the spout. "
        "And the lid fits so tight it is hard to remove without burning.",
        1,
        "negative",
        ("defect", "negative"),
    )
    assert "safety" in d.moves, d.moves


def test_a_verdict_of_just_ok_is_not_conceded_and_a_returned_item_gets_no_route() -> None:
    from services.responder.draft.details import safe_echo

    assert safe_echo("it's just ok") is None
    d = _placed(
        "Sadly, i returned this one. The straps shift and sit funny on my shoulders.",
        3,
        "neutral",
        "size_fit",
        "The straps shift and sit funny on my shoulders",
        platform="ozon",
    )
    assert "return the item" not in d.text.lower(), d.text


def test_a_remark_the_buyer_got_used_to_is_none() -> None:
    from services.responder.draft.family import text_cues

    text = "The handset is a bit smaller than earlier models, but just took some getting used to."
    cues = text_cues(text)
    assert not cues.mild and not cues.complaint
