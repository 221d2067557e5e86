"""The project's own labelled review set (services/sentiment/evaluation/reviews.jsonl).

Written by hand for the project (not taken from any data set). One review per line:
`id`, `language` (ru/en), `platform`, `rating` (1-5 or null for review sites / app
feedback without stars), `text`, `pros`, `cons`, and the gold labels: `sentiment` (what
the customer means: sarcasm is negative, a 1-star slip under praise is positive),
`aspects` (`aspect` from shared/aspects.py, `polarity`, `term` = the words of the review
that name it), `questions` (exact question spans that need a seller's answer; rhetorical
questions in a rant are not listed) and the flags `sarcasm`, `rating_slip`, `remark`.

These tests keep the file valid and its coverage measurable: a broken span or a label
outside the vocabulary would silently bias every figure `make eval` reports on it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from shared.aspects import ASPECTS

PATH = (
    Path(__file__).resolve().parents[2] / "services" / "sentiment" / "evaluation" / "reviews.jsonl"
)
FIELDS = {
    "id", "language", "platform", "rating", "text", "pros", "cons", "sentiment",
    "aspects", "questions", "sarcasm", "rating_slip", "remark",
}  # fmt: skip
PLATFORMS = {"wildberries", "ozon", "yandex_market", "review_site", "google_play"}
SENTIMENTS = {"positive", "neutral", "negative"}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    lines = [line for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def _fields(row: dict[str, Any]) -> list[str]:
    return [row["text"], row["pros"] or "", row["cons"] or ""]


def test_schema(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        assert set(row) == FIELDS, row["id"]
        assert row["language"] in {"ru", "en"}, row["id"]
        assert row["id"].startswith(row["language"] + "-"), row["id"]
        assert row["platform"] in PLATFORMS, row["id"]
        assert row["rating"] is None or row["rating"] in range(1, 6), row["id"]
        assert row["sentiment"] in SENTIMENTS, row["id"]
        assert any(text.strip() for text in _fields(row)), row["id"]
        for flag in ("sarcasm", "rating_slip", "remark"):
            assert isinstance(row[flag], bool), row["id"]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))


def test_spans_are_exact_substrings_and_aspects_in_vocabulary(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        for aspect in row["aspects"]:
            assert aspect["aspect"] in ASPECTS, (row["id"], aspect)
            assert aspect["polarity"] in SENTIMENTS, (row["id"], aspect)
            assert any(aspect["term"] in text for text in _fields(row)), (row["id"], aspect)
        for question in row["questions"]:
            assert question.strip() and any(question in text for text in _fields(row)), row["id"]


def test_flags_agree_with_the_labels(rows: list[dict[str, Any]]) -> None:
    """The flags follow one rule each, so the signals are measured consistently."""
    for row in rows:
        blamed = any(a["polarity"] == "negative" for a in row["aspects"])
        if row["sarcasm"]:
            assert row["sentiment"] == "negative", row["id"]
        slip = row["rating"] in (1, 2) and row["sentiment"] == "positive"
        assert row["rating_slip"] == slip, row["id"]
        remark = row["rating"] in (4, 5) and row["sentiment"] == "positive" and blamed
        assert row["remark"] == remark, row["id"]


def test_size_and_class_mix(rows: list[dict[str, Any]]) -> None:
    by_lang = Counter(row["language"] for row in rows)
    assert by_lang["ru"] >= 200 and by_lang["en"] >= 100
    for lang in ("ru", "en"):
        part = [row for row in rows if row["language"] == lang]
        share = Counter(row["sentiment"] for row in part)
        assert share["negative"] / len(part) >= 0.30, lang
        assert share["neutral"] / len(part) >= 0.10, lang
        assert 0.10 <= sum(row["rating"] is None for row in part) / len(part) <= 0.20, lang


def test_coverage_of_aspects_and_signals(rows: list[dict[str, Any]]) -> None:
    for lang in ("ru", "en"):
        part = [row for row in rows if row["language"] == lang]
        aspects = Counter(a["aspect"] for row in part for a in row["aspects"])
        thin = {name: aspects[name] for name in ASPECTS if aspects[name] < 3}
        assert not thin, (lang, thin)
        assert sum(bool(row["questions"]) for row in part) >= 10, lang
        assert sum(row["sarcasm"] for row in part) >= 4, lang
        assert sum(row["rating_slip"] for row in part) >= 3, lang
        assert sum(row["remark"] for row in part) >= 10, lang
        assert sum(bool(row["pros"] or row["cons"]) for row in part) >= 3, lang
        assert sum(len(row["text"] + (row["pros"] or "")) <= 12 for row in part) >= 3, lang
        assert {row["platform"] for row in part} == PLATFORMS, lang
