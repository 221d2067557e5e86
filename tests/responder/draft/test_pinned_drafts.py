"""The engine drafts exactly what it drafted before it was made faster.

`pinned_cases.py` holds 60 evaluation cases with the drafts the engine wrote for them
(each draft joins the shop's recent replies, up to 100). Speed-ups (lint scans, the
recent-replies index, cached phrasings) must leave every draft identical; so must reusing
one `RecentReplies` index across the drafts of a batch instead of a list per draft.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.responder.draft import pinned_cases


@pytest.fixture(scope="module")
def inputs() -> list[dict[str, Any]]:
    rows = pinned_cases.load()
    assert len(rows) == pinned_cases.CASES
    return rows


@pytest.mark.parametrize("reuse_index", [False, True], ids=["list", "index"])
def test_drafts_are_the_pinned_ones(inputs: list[dict[str, Any]], reuse_index: bool) -> None:
    drafts = pinned_cases.draft_all(inputs, reuse_index=reuse_index)
    for row, draft in zip(inputs, drafts, strict=True):
        expected = row["expected"]
        got = {
            "text": draft.text,
            "script_id": draft.script_id,
            "attempts": draft.attempts,
            "similarity": draft.similarity,
            "lint": sorted(i.code for i in draft.lint),
        }
        assert got == expected, row["mention"]["external_id"]


def test_the_pinned_set_covers_the_families(inputs: list[dict[str, Any]]) -> None:
    """Pinning only easy cases would let a speed-up break the hard ones unseen."""
    drafts = pinned_cases.draft_all(inputs)
    families = {d.family for d in drafts}
    assert {"positive", "negative", "question"} <= families
    assert any(d.attempts > 1 for d in drafts) and any(d.lint for d in drafts)
    assert {d.language for d in drafts} == {"ru", "en"}


def test_an_unknown_praised_aspect_drafts_without_naming_it() -> None:
    """`Aspect.aspect` is free text on the wire: a name outside the vocabulary (a newer
    producer) must not fail the draft (and with it the whole Kafka batch)."""
    from datetime import UTC, datetime

    from services.responder.draft.engine import draft_reply
    from shared.events import (
        Aspect,
        Classification,
        Mention,
        MentionKind,
        Product,
        Sentiment,
        mention_id_for,
    )

    text = "Размер подошёл идеально, ткань приятная, рекомендую."
    mention = Mention(
        mention_id=mention_id_for("wildberries", "unknown-aspect"),
        platform="wildberries",
        source_id="src",
        external_id="unknown-aspect",
        kind=MentionKind.review,
        text=text,
        rating=5,
        author="Анна",
        product=Product(sku="S-1", name="Платье", brand="B"),
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    classification = Classification(
        sentiment=Sentiment.positive,
        score=0.9,
        language="ru",
        aspects=[Aspect(aspect="fit", polarity=Sentiment.positive, start=0, end=6, text="Размер")],
    )
    draft = draft_reply(mention=mention, classification=classification)
    assert draft.text and draft.family == "positive" and "{" not in draft.text
