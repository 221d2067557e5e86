"""The project's own draft evaluation set and the seller facts it is judged with.

`services/responder/evaluation/draft_cases.jsonl` (written for the project): one review or
question per line as a platform shows it (platform, kind, stars, author, card title, text,
pros, cons) with `gold`: the reply family, the blamed aspects, `problem_words` (stems any
of which, in the reply, names the problem), whether it `asks` something, the `question`
span, the seller-fact topic that answers it (null: a person must write the answer), and
what a good reply `must` and `must_not` do. `seller_facts.yaml` beside it holds the facts.

These tests keep both files valid and consistent: an answerable case must be answerable
from exactly one applicable fact, or the evaluation would reward an invented answer.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.responder.fact.contract import FACT_TOPICS, FactSet, SellerFact
from shared.aspects import ASPECTS

DIR = Path(__file__).resolve().parents[2] / "services" / "responder" / "evaluation"
PLATFORMS = {"wildberries", "ozon", "yandex_market", "review_site", "google_play"}
FAMILIES = {"positive", "positive_remark", "neutral", "negative", "rating_slip", "question"}
CASE_FIELDS = {
    "id", "language", "platform", "kind", "rating", "author", "product", "text", "pros",
    "cons", "gold",
}  # fmt: skip
GOLD_FIELDS = {
    "family", "sarcasm", "aspects", "problem_words", "asks", "question", "fact_topic",
    "must", "must_not",
}  # fmt: skip


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    text = (DIR / "draft_cases.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def facts() -> list[SellerFact]:
    data = yaml.safe_load((DIR / "seller_facts.yaml").read_text(encoding="utf-8"))
    assert set(data["shop"]["languages"]) == {"ru", "en"} and data["shop"]["name"]
    loaded = []
    for row in data["facts"]:
        assert row["topic"] in FACT_TOPICS, row["id"]
        assert set(row["text"]) == {"ru", "en"} and all(row["text"].values()), row["id"]
        assert set(row.get("platforms") or ()) <= PLATFORMS, row["id"]
        platforms = row.get("platforms")
        loaded.append(
            SellerFact(
                id=row["id"],
                topic=row["topic"],
                text=dict(row["text"]),
                sku=row.get("sku"),
                brand=row.get("brand"),
                platforms=tuple(platforms) if platforms else None,
            )
        )
    assert len({fact.id for fact in loaded}) == len(loaded)
    return loaded


def applicable(facts: list[SellerFact], case: dict[str, Any]) -> FactSet:
    """The facts in scope for one case, most specific first (sku > brand > shop)."""
    product = case["product"]
    scoped = [
        f
        for f in facts
        if (f.platforms is None or case["platform"] in f.platforms)
        and (f.sku is None or f.sku == product["sku"])
        and (f.brand is None or f.brand == product["brand"])
    ]
    scoped.sort(key=lambda f: (f.sku is None, f.brand is None))
    return FactSet(tuple(scoped))


def test_schema(cases: list[dict[str, Any]]) -> None:
    for case in cases:
        assert set(case) == CASE_FIELDS, case["id"]
        gold = case["gold"]
        assert set(gold) == GOLD_FIELDS, case["id"]
        assert case["id"].startswith(f"d-{case['language']}-"), case["id"]
        assert case["language"] in {"ru", "en"} and case["platform"] in PLATFORMS
        assert case["kind"] in {"review", "question"}, case["id"]
        assert case["author"] and case["product"]["name"] and case["product"]["sku"]
        assert case["text"].strip() or case["pros"] or case["cons"], case["id"]
        assert gold["family"] in FAMILIES, case["id"]
        assert all(aspect in ASPECTS for aspect in gold["aspects"]), case["id"]
        assert gold["must"] and gold["must_not"], case["id"]
    assert len({case["id"] for case in cases}) == len(cases)


def test_gold_agrees_with_stars_and_kind(cases: list[dict[str, Any]]) -> None:
    for case in cases:
        gold, rating = case["gold"], case["rating"]
        if case["kind"] == "question":
            assert rating is None and gold["family"] == "question" and gold["asks"], case["id"]
        if gold["family"] == "rating_slip":
            assert rating in (1, 2), case["id"]
        if gold["family"] == "positive_remark":
            assert rating in (4, 5), case["id"]
        if gold["sarcasm"]:
            assert gold["family"] == "negative", case["id"]
        if gold["family"] in {"negative", "positive_remark"}:
            assert gold["aspects"] and gold["problem_words"], case["id"]


def test_questions_are_spans_and_answerable_ones_have_a_fact(
    cases: list[dict[str, Any]], facts: list[SellerFact]
) -> None:
    for case in cases:
        gold = case["gold"]
        assert gold["asks"] == (gold["question"] is not None), case["id"]
        if gold["question"] is not None:
            fields = [case["text"], case["pros"] or "", case["cons"] or ""]
            assert any(gold["question"] in field for field in fields), case["id"]
        topic = gold["fact_topic"]
        if topic is None:
            continue
        assert gold["asks"] and topic in FACT_TOPICS, case["id"]
        fact = applicable(facts, case).by_topic(topic)
        assert fact is not None, (case["id"], topic)
        assert fact.wording(case["language"]), (case["id"], topic)


def test_coverage(cases: list[dict[str, Any]]) -> None:
    langs = Counter(case["language"] for case in cases)
    assert langs["ru"] >= 100 and langs["en"] >= 50
    families = Counter(case["gold"]["family"] for case in cases)
    assert families["positive_remark"] >= 12 and families["rating_slip"] >= 6
    assert families["neutral"] >= 8 and families["positive"] >= 20
    assert sum(case["gold"]["sarcasm"] for case in cases) >= 8
    asking = [case for case in cases if case["gold"]["asks"]]
    answerable = [case for case in asking if case["gold"]["fact_topic"]]
    assert len(asking) >= 25
    assert 0.3 <= len(answerable) / len(asking) <= 0.7
    blamed = Counter(aspect for case in cases for aspect in case["gold"]["aspects"])
    problems = set(ASPECTS) - {"other"}
    assert not {a for a in problems if blamed[a] < 2}, blamed
    for lang in ("ru", "en"):
        part = [case for case in cases if case["language"] == lang]
        assert {case["platform"] for case in part} == PLATFORMS, lang
        assert sum(case["kind"] == "question" for case in part) >= 3, lang
