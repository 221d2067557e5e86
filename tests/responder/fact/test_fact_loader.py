"""The seller facts file: the demo file loads; each kind of mistake is refused with a
message naming the entry and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.responder.fact.loader import FactFileError, load_facts_file, parse_facts

DEMO = Path(__file__).parents[3] / "services" / "responder" / "fact" / "demo_facts.yaml"


def fact(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "returns-wildberries",
        "topic": "returns",
        "platforms": ["wildberries"],
        "text": {"ru": "Верните через «Покупки».", "en": "Return it from Purchases."},
    }
    base.update(fields)
    return base


def problems(data: Any) -> list[str]:
    with pytest.raises(FactFileError) as caught:
        parse_facts(data, "facts.yaml")
    return caught.value.problems


def test_the_demo_file_loads() -> None:
    loaded = load_facts_file(DEMO)
    assert loaded.languages == ("ru", "en")
    assert len(loaded.facts) >= 10
    assert {f.topic for f in loaded.facts} >= {"returns", "exchange", "size_advice", "manual"}
    shirt = next(f for f in loaded.facts if f.id == "shirt-size-advice")
    assert shirt.sku == "SL-SHIRT-M" and shirt.brand == "Северный лён"


def test_a_valid_entry_is_normalised() -> None:
    loaded = parse_facts(
        {
            "shop": {"name": "Мамина Радость", "languages": ["ru"]},
            "facts": [
                fact(
                    text={"ru": "  Модель   маломерит\n на размер. "},
                    platforms=["Wildberries", "ozon"],
                    sku=" SKU-1 ",
                    brand="",
                )
            ],
        }
    )
    (only,) = loaded.facts
    assert only.text == {"ru": "Модель маломерит на размер."}
    assert only.platforms == ["ozon", "wildberries"]
    assert (only.sku, only.brand) == ("SKU-1", None)
    assert loaded.shop_name == "Мамина Радость"


def test_unknown_topic() -> None:
    (problem,) = problems({"facts": [fact(topic="refund")]})
    assert problem.startswith("facts[0] (id 'returns-wildberries').topic: unknown topic 'refund'")
    assert "'returns'" in problem  # says what is allowed


def test_empty_text() -> None:
    assert problems({"facts": [fact(text={})]}) == [
        "facts[0] (id 'returns-wildberries').text: empty: give the wording in at least one "
        "language (ru, en)"
    ]
    (problem,) = problems({"facts": [fact(text={"ru": "   "})]})
    assert problem == "facts[0] (id 'returns-wildberries').text: empty text for language 'ru'"


def test_duplicate_id() -> None:
    (problem,) = problems({"facts": [fact(), fact(topic="exchange")]})
    assert problem == "facts[1] (id 'returns-wildberries').id: duplicate id (first at facts[0])"


def test_unknown_language() -> None:
    (problem,) = problems({"facts": [fact(text={"de": "Rückgabe über Käufe."})]})
    assert problem.startswith("facts[0] (id 'returns-wildberries').text: unknown language 'de'")
    (shop,) = problems({"shop": {"languages": ["ru", "fr"]}, "facts": []})
    assert shop.startswith("shop.languages: unknown language 'fr'")
    # A language the engine knows but the shop does not write in.
    (other,) = problems({"shop": {"languages": ["ru"]}, "facts": [fact()]})
    assert other.startswith("facts[0] (id 'returns-wildberries').text.en: unknown language 'en'")


def test_text_too_long() -> None:
    (problem,) = problems({"facts": [fact(text={"ru": "слово " * 200})]})
    assert problem.startswith("facts[0] (id 'returns-wildberries').text: text for 'ru' is too long")
    assert "at most 600" in problem


def test_unknown_field_bad_id_and_bad_platform() -> None:
    found = problems(
        {
            "facts": [
                fact(id="Bad Id!"),
                fact(id="x", colour="red"),
                fact(id="y", platforms=["wild berries"]),
            ],
            "extra": 1,
        }
    )
    assert found[0] == "extra: unknown field (expected shop, facts)"
    assert found[1].startswith("facts[0] (id 'Bad Id!').id: String should match pattern")
    assert found[2] == "facts[1] (id 'x').colour: unknown field"
    assert found[3].startswith("facts[2] (id 'y').platforms: platform 'wild berries'")


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"facts": [fact(topic="nope"), fact(id="b", text={}), "not a mapping"]})
    assert len(found) == 3
    assert found[2] == "facts[2]: expected a mapping with id, topic, text"


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FactFileError, match="cannot read the file"):
        load_facts_file(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("facts:\n  - id: a\n    text: {ru: [unclosed\n")
    with pytest.raises(FactFileError, match=r"line \d+: not valid YAML"):
        load_facts_file(broken)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("- just\n- a list\n")
    with pytest.raises(FactFileError, match="expected a mapping with 'shop' and 'facts'"):
        load_facts_file(wrong)
