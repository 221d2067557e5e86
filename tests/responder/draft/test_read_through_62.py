"""Read-through 62 (English, written by a second reader): "he hasn't stopped playing with
it" got "sorry it stopped playing"; a child cut out of a jammed car seat was asked whether
the injury had healed; a choking risk got no safety line; "love paying $38 for a jar that's
half empty" under 5★ was thanked; "Amazon's" lost its capital; "is this even compatible
with ios??" asked nothing; "Works fine, a bit loud" was echoed whole."""

from __future__ import annotations

import pytest

from services.responder.draft.details import safe_echo
from services.responder.draft.engine import complaint_echo
from services.responder.draft.family import HURT_WORDS, text_cues
from tests.responder.draft.test_draft_engine import _placed


def test_what_has_not_stopped_is_no_fault() -> None:
    text = "Bought this for my grandson and he hasn't stopped playing with it. Pieces are solid."
    cues = text_cues(text)
    assert not cues.complaint and not cues.mild, cues


def test_wish_i_bought_it_sooner_in_the_past_simple_is_no_remark() -> None:
    assert not text_cues("Back pain gone after a week. Wish I bought this years ago").mild


def test_a_child_cut_out_of_a_seat_is_no_injury() -> None:
    import re

    assert not re.search(HURT_WORDS, "I had to cut him out with scissors", re.IGNORECASE)
    assert re.search(HURT_WORDS, "my son cut his finger on it", re.IGNORECASE)
    text = "The buckle jammed with my son in it and I had to cut him out with scissors."
    d = _placed(text, 1, "negative", "defect", "The buckle jammed with my son in it")
    assert "hurt" not in d.text and "healed" not in d.text, d.text
    assert "buckle jammed" in d.text and "safety" in d.moves, d.text


def test_a_choking_risk_is_a_safety_matter_and_the_part_is_named() -> None:
    text = (
        "My daughter loved it for about a day then the horn came off and there was stuffing "
        "everywhere. She is 2, she could have choked"
    )
    d = _placed(text, 2, "negative", "defect", "then the horn came off")
    assert "safety" in d.moves and "the horn came off" in d.text, d.text


def test_a_half_empty_jar_is_said_as_the_jar() -> None:
    text = "Yeah great, love paying $38 for a jar that's half empty when you open it."
    assert complaint_echo(text, "negative") == "the jar was half empty"


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        (
            "Amazon's shipping time of 1-2 weeks is way off",
            "Amazon's shipping time of 1-2 weeks is way off",
        ),
        ("doesn't connect to my iphone at all", "doesn't connect to your iPhone at all"),
    ],
)
def test_names_keep_their_spelling(phrase: str, echo: str) -> None:
    assert safe_echo(phrase) == echo


def test_praise_is_no_part_of_the_remark() -> None:
    assert complaint_echo("Works fine, a bit loud.", "positive_remark") != "works fine, a bit loud"


@pytest.mark.parametrize(
    ("text", "family", "echo"),
    [
        (
            "This fire stick is not even a year old and it does nothing but restart and "
            "freeze up constantly.",
            "negative",
            "it does nothing but restart and freeze up constantly",
        ),
        (
            "There's no doubt that this tee is sheer. The fit is true to size.",
            "positive_remark",
            "this tee is sheer",
        ),
    ],
)
def test_read_through_62_echoes(text: str, family: str, echo: str) -> None:
    assert complaint_echo(text, family) == echo


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        ("Battery doesnt last the 20 hours", "battery doesn't last the 20 hours"),
        ("the colour washed out and stained", None),
        ("the colour washed out and stained my white", None),
    ],
)
def test_read_through_62_tidy(phrase: str, echo: str | None) -> None:
    assert safe_echo(phrase) == echo


def test_an_age_is_no_fault_and_rude_staff_are() -> None:
    assert not text_cues("It's only 1 1/2 years old!").complaint
    assert text_cues("Only 2 screws in the box").complaint
    assert text_cues("Staff at the counter were rude when I asked about returning it").complaint
    assert text_cues("the hem completely unraveled after one wash").complaint


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Sarah from customer service sorted it in one email. That's how you keep customers",
            "Sarah",
        ),
        ("Пришла посылка с браком, но менеджер Ольга быстро помогла и оформила замену.", "Ольга"),
    ],
)
def test_staff_thanked_by_name_hear_it(text: str, name: str) -> None:
    from services.responder.draft.details import find_detail

    detail = find_detail(text, "ru" if name == "Ольга" else "en")
    assert detail is not None and (detail.kind, detail.value) == ("staff", name)


def test_a_name_without_thanks_is_no_staff_detail() -> None:
    from services.responder.draft.details import find_staff

    assert find_staff("Sarah from customer service never replied.") is None
    assert find_staff("My husband Tom loves it") is None
