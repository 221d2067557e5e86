"""Read-through 56 (hand-written English marketplace reviews): a 1★ slip ("Meant to give 5
stars, sorry clicked the wrong one!") was a wrong item, an update after the seller sent
the missing handles got the return route, "stopped using it right away" was echoed as a
fault, "day 6" lost its 6, "Is this even safe??" asked nothing, and expectations and specs
("batteries aren't included") were conceded with "that's not how it should be"."""

from __future__ import annotations

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import complaint_echo
from services.sentiment.classifier.questions import find_questions
from tests.responder.draft.test_draft_engine import _placed, mention
from tests.sentiment.test_buyer_readings import _blamed, _one


def test_a_slip_of_the_stars_is_no_wrong_item() -> None:
    result = _one("Meant to give 5 stars, sorry clicked the wrong one! The kettle is fantastic.", 1)
    assert "wrong_item" not in _blamed(result)


def test_an_update_after_the_seller_sent_the_parts_is_thanked_for() -> None:
    from services.responder.draft.family import draft_family
    from shared.events import Classification

    text = (
        "UPDATE: originally gave 1 star because the drawer handles were missing. Seller sent "
        "them within 3 days after I messaged, no fuss. Dresser looks great now. Bumping to 4."
    )
    c = Classification(sentiment="positive", score=0.9, language="en", aspects=[], signals=True)
    assert draft_family(mention(text, rating=4, platform="amazon"), c) == "positive"


def test_what_the_buyer_did_and_a_count_are_said_right() -> None:
    assert safe_echo("stopped using it right away") is None
    assert safe_echo("the pan is ruined after ONE use") == "the pan is ruined after one use"
    text = "great, another pair that broke in a week. left one stopped charging on day 6. love that"
    assert complaint_echo(text, "negative") == "left one stopped charging on day 6"


def test_a_safety_worry_asks_however_loudly() -> None:
    text = "These ducks smell like strong chemicals. Is this even safe??"
    assert [q.text for q in find_questions(text)] == ["Is this even safe??"]


def test_a_spec_or_an_expectation_is_not_conceded_as_a_fault() -> None:
    text = "Cute toy but batteries aren't included and it takes 3 AAA."
    d = _placed(text, 3, "neutral", "missing_parts", "batteries aren't included and it takes 3 AAA")
    assert "should" not in d.text, d.text
    toaster = _placed(
        "Toasts unevenly, one side always darker.", 3, "neutral", "quality", "Toasts unevenly"
    )
    assert "toasts unevenly" in toaster.text, toaster.text
