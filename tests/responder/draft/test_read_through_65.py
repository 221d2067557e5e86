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
