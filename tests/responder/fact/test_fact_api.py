"""The seller facts API on SQLite and PostgreSQL: CRUD with the audit trail, roles
(owners edit, agents read), bad input answered 4xx naming the field, the facts file's
seed/sync rule, the facts shown on the queue item, and hostile texts escaped in the UI."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from services.responder.fact.contract import FactSet
from services.responder.fact.flows import FactPlan
from services.responder.queue_item.drafting import engine_fact_kwargs
from shared.events import MentionKind
from tests.conftest import DatabaseFactory
from tests.responder.fact.fact_stack import FACTS_YAML, ask, running_with_facts, write_facts
from tests.responder.queue.queue_stack import HOSTILE, Stack

pytestmark = pytest.mark.postgres

NEW_FACT: dict[str, Any] = {
    "id": "care-sku-1",
    "topic": "care",
    "sku": "SKU-1",
    "text": {"ru": "Стирать при 30 °C.", "en": "Wash at 30 °C."},
    "keywords": {"ru": ["стирать"]},
}


@pytest.fixture
async def stack(
    broker: Any, topic_prefix: str, databases: DatabaseFactory, tmp_path: Path
) -> AsyncIterator[Stack]:
    url = await databases.new("responder")
    async with running_with_facts(broker, topic_prefix, url, write_facts(tmp_path)) as s:
        yield s


def fields(response: Any) -> list[str]:
    return [d["field"] for d in response.json()["error"].get("details", [])]


async def test_crud_with_audit(stack: Stack) -> None:
    async with stack.signed_in("oleg") as owner:
        created = await owner.post("/api/facts", json=NEW_FACT)
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["origin"], body["revision"], body["updated_by"]) == ("ui", 1, "oleg")

        listed = (await owner.get("/api/facts", params={"sku": "SKU-1"})).json()
        assert [f["id"] for f in listed["items"]] == ["care-sku-1", "size-sku-1"]
        by_topic = (await owner.get("/api/facts", params={"topic": "returns"})).json()
        assert [f["id"] for f in by_topic["items"]] == ["returns-wildberries"]
        on_ozon = (await owner.get("/api/facts", params={"platform": "ozon"})).json()
        assert "returns-wildberries" not in [f["id"] for f in on_ozon["items"]]
        page = (await owner.get("/api/facts", params={"limit": 2, "offset": 1})).json()
        assert (page["total"], len(page["items"])) == (4, 2)
        found = (await owner.get("/api/facts", params={"q": "30 °C"})).json()
        assert [f["id"] for f in found["items"]] == ["care-sku-1"]

        edit = {**NEW_FACT, "text": {"ru": "Стирать при 40 °C."}, "revision": 1}
        del edit["id"]
        updated = await owner.put("/api/facts/care-sku-1", json=edit)
        assert updated.status_code == 200, updated.text
        assert updated.json()["revision"] == 2
        stale = await owner.put("/api/facts/care-sku-1", json=edit)  # revision 1 again
        assert stale.status_code == 409 and "revision" in stale.json()["error"]["message"]

        deleted = await owner.delete("/api/facts/care-sku-1")
        assert deleted.status_code == 200
        assert (await owner.get("/api/facts/care-sku-1")).status_code == 404
        assert (await owner.delete("/api/facts/care-sku-1")).status_code == 404
        again = await owner.post("/api/facts", json=NEW_FACT)  # the id may be used again
        assert again.status_code == 201 and again.json()["revision"] == 4

        history = (await owner.get("/api/facts/care-sku-1/audit")).json()
        assert [e["action"] for e in history["items"]] == ["create", "delete", "update", "create"]
        update = history["items"][2]
        assert update["actor"] == "oleg" and update["actor_role"] == "manager"
        assert update["before"]["text"] == {"ru": "Стирать при 30 °C.", "en": "Wash at 30 °C."}
        assert update["after"]["text"] == {"ru": "Стирать при 40 °C."}
        assert history["items"][1]["after"] is None
    everything = (await stack.api.get("/api/facts/audit", params={"limit": 200})).json()
    imported = [e for e in everything["items"] if e["action"] == "import"]
    assert {e["fact_id"] for e in imported} == {
        "returns-wildberries",
        "size-sku-1",
        "support-hours",
    }
    assert {e["actor"] for e in imported} == {"facts-file"}


async def test_agents_read_owners_edit(stack: Stack) -> None:
    async with stack.signed_in("ann") as agent:
        assert (await agent.get("/api/facts")).json()["total"] == 3
        assert (await agent.get("/api/facts/size-sku-1")).status_code == 200
        assert (await agent.get("/api/facts/audit")).status_code == 200
        denied = await agent.post("/api/facts", json=NEW_FACT)
        assert denied.status_code == 403
        assert "manager" in denied.json()["error"]["message"]
        assert "ann is agent" in denied.json()["error"]["message"]
        body = {k: v for k, v in NEW_FACT.items() if k != "id"}
        assert (await agent.put("/api/facts/size-sku-1", json=body)).status_code == 403
        assert (await agent.delete("/api/facts/size-sku-1")).status_code == 403
        no_csrf = await agent.get("/api/facts", headers={"X-CSRF-Token": "forged"})
        assert no_csrf.status_code == 200  # reads need no CSRF token
    async with stack.signed_in("oleg") as owner:
        forged = await owner.post("/api/facts", json=NEW_FACT, headers={"X-CSRF-Token": "x"})
        assert forged.status_code == 403
    anonymous = await stack.api.get("/api/facts", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    audit = (await stack.api.get("/api/facts/audit")).json()
    assert all(e["action"] == "import" for e in audit["items"])  # nothing was changed


async def test_bad_input_is_a_4xx_naming_the_field(stack: Stack) -> None:
    api = stack.api
    cases = [
        ({**NEW_FACT, "topic": "refund"}, "topic"),
        ({**NEW_FACT, "text": {}}, "text"),
        ({**NEW_FACT, "text": {"ru": " "}}, "text"),
        ({**NEW_FACT, "text": {"de": "Waschen"}}, "text"),
        ({**NEW_FACT, "text": {"ru": "я" * 601}}, "text"),
        ({**NEW_FACT, "id": "Not An Id"}, "id"),
        ({**NEW_FACT, "platforms": ["wild berries"]}, "platforms"),
        ({**NEW_FACT, "colour": "red"}, "colour"),
        ({**NEW_FACT, "keywords": {"ru": [""]}}, "keywords"),
        ({k: v for k, v in NEW_FACT.items() if k != "topic"}, "topic"),
    ]
    for body, field in cases:
        response = await api.post("/api/facts", json=body)
        assert response.status_code == 422, (field, response.text)
        assert field in fields(response), (field, response.json())
    not_json = await api.post(
        "/api/facts", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 422
    duplicate = await api.post("/api/facts", json={**NEW_FACT, "id": "size-sku-1"})
    assert duplicate.status_code == 409 and "size-sku-1" in duplicate.json()["error"]["message"]
    assert fields(await api.get("/api/facts", params={"limit": 1000})) == ["query.limit"]
    assert fields(await api.get("/api/facts", params={"topic": "nope"})) == ["query.topic"]
    assert fields(await api.get("/api/facts/BAD ID")) == ["path.fact_id"]
    assert (await api.get("/api/facts/no-such-fact")).status_code == 404
    body = {k: v for k, v in NEW_FACT.items() if k != "id"}
    stale = await api.put("/api/facts/size-sku-1", json={**body, "revision": 0})
    assert "revision" in fields(stale)
    match = await api.post("/api/facts/match", json={"question": "", "language": "fr"})
    assert set(fields(match)) == {"question", "language"}


async def test_match_endpoint(stack: Stack) -> None:
    asked = await stack.api.post(
        "/api/facts/match",
        json={"question": "Маломерит?", "language": "ru", "sku": "SKU-1", "platform": "ozon"},
    )
    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert body["answer"]["id"] == "size-sku-1" and body["answer"]["method"] == "keyword"
    assert body["candidates"] == ["size-sku-1", "support-hours"]  # no WB return on Ozon


async def test_the_file_seeds_then_syncs_by_the_rule(
    broker: Any, topic_prefix: str, databases: DatabaseFactory, tmp_path: Path
) -> None:
    url = await databases.new("responder")
    path = write_facts(tmp_path)
    async with running_with_facts(broker, topic_prefix, url, path) as stack:
        facts = (await stack.api.get("/api/facts")).json()["items"]
        assert {f["origin"] for f in facts} == {"file"}
        body = {
            "topic": "size_advice",
            "sku": "SKU-1",
            "text": {"ru": "Модель идёт в размер."},
        }
        assert (await stack.api.put("/api/facts/size-sku-1", json=body)).status_code == 200
        assert (await stack.api.delete("/api/facts/support-hours")).status_code == 200
    changed = (
        FACTS_YAML.replace(
            "Верните товар через раздел «Покупки».", "Оформите возврат в «Покупках»."
        )
        .replace("Модель маломерит на размер.", "Модель большемерит.")
        .replace("Поддержка отвечает с 9 до 18.", "Поддержка отвечает с 10 до 19.")
    )
    changed += '  - id: warranty\n    topic: warranty\n    text: {ru: "Гарантия 12 месяцев."}\n'
    write_facts(tmp_path, changed)
    async with running_with_facts(broker, topic_prefix, url, path) as stack:
        facts = {f["id"]: f for f in (await stack.api.get("/api/facts")).json()["items"]}
        # Untouched in the UI: the file's new wording. Edited: the owner's. Deleted: stays.
        assert facts["returns-wildberries"]["text"]["ru"] == "Оформите возврат в «Покупках»."
        assert facts["returns-wildberries"]["revision"] == 2
        assert facts["size-sku-1"]["text"] == {"ru": "Модель идёт в размер."}
        assert "support-hours" not in facts
        assert facts["warranty"]["origin"] == "file"
    write_facts(tmp_path, FACTS_YAML)  # the warranty fact leaves the file
    async with running_with_facts(broker, topic_prefix, url, path) as stack:
        facts = {f["id"] for f in (await stack.api.get("/api/facts")).json()["items"]}
        assert facts == {"returns-wildberries", "size-sku-1"}
        audit = (await stack.api.get("/api/facts/warranty/audit")).json()["items"]
        assert [(e["action"], e["actor"]) for e in audit] == [
            ("delete", "facts-file"),
            ("import", "facts-file"),
        ]


async def test_the_draft_proposes_the_fact_and_the_item_shows_it(stack: Stack) -> None:
    mention_id = await ask(stack, "q1", "Подскажите, модель маломерит?")
    item = (await stack.api.get(f"/api/queue/{mention_id}")).json()
    (used,) = item["draft_facts"]
    assert used == {
        "id": "size-sku-1",
        "topic": "size_advice",
        "question": "Подскажите, модель маломерит?",
        "wording": "Модель маломерит на размер.",
        "method": "keyword",
        "score": used["score"],
    }
    # A review with a question inside: the question span is matched, not the whole text.
    review = await ask(
        stack,
        "r1",
        "Отличная вещь, спасибо! Как оформить возврат, если не подойдёт?",
        question="Как оформить возврат, если не подойдёт?",
        kind=MentionKind.review,
    )
    (used,) = (await stack.api.get(f"/api/queue/{review}")).json()["draft_facts"]
    assert used["id"] == "returns-wildberries"
    assert used["question"] == "Как оформить возврат, если не подойдёт?"
    # No fact answers it: nothing is proposed (the draft must not invent one).
    blue = await ask(stack, "q2", "А синий цвет будет?")
    assert (await stack.api.get(f"/api/queue/{blue}")).json()["draft_facts"] == []

    # An owner edits the fact: the next draft (another draft of the same item) uses it.
    async with stack.signed_in("oleg") as owner:
        body = {
            "topic": "size_advice",
            "sku": "SKU-1",
            "text": {"ru": "Модель маломерит на два размера."},
            "keywords": {"ru": ["маломерит"]},
        }
        assert (await owner.put("/api/facts/size-sku-1", json=body)).status_code == 200
        again = await owner.post(f"/api/queue/{mention_id}/regenerate")
        assert again.status_code == 200, again.text
    (used,) = (await stack.api.get(f"/api/queue/{mention_id}")).json()["draft_facts"]
    assert used["wording"] == "Модель маломерит на два размера."


def test_engine_fact_kwargs_follow_the_engine_signature() -> None:
    plan = FactPlan(fact_set=FactSet(), questions=("q",), answers=(None,))

    def old_engine(*, mention: Any, classification: Any) -> None: ...

    def new_engine(*, mention: Any, facts: Any = None, answers: Any = ()) -> None: ...

    assert engine_fact_kwargs(old_engine, plan) == {}
    assert engine_fact_kwargs(new_engine, plan) == {"facts": plan.fact_set, "answers": (None,)}
    assert engine_fact_kwargs(new_engine, None) == {}
    assert "facts" in inspect.signature(new_engine).parameters


async def test_hostile_fact_text_is_escaped_in_the_ui(stack: Stack) -> None:
    hostile = {
        **NEW_FACT,
        "text": {"ru": f"Маломерит {HOSTILE}"},
        "keywords": {"ru": ["маломерит", "<b>x</b>"]},
        "brand": "<i>Acme</i>",
    }
    assert (await stack.api.post("/api/facts", json=hostile)).status_code == 201
    mention_id = await ask(stack, "q3", f"Маломерит? {HOSTILE}")
    async with stack.signed_in("oleg") as owner:
        pages = [
            await owner.get("/facts"),
            await owner.get("/facts/care-sku-1"),
            await owner.get("/facts/audit"),
            await owner.get(f"/items/{mention_id}"),
        ]
    for page in pages:
        assert page.status_code == 200, page.text
        html = page.text
        assert "<img src=x" not in html and "<script>window.__xss" not in html
        assert "<b>x</b>" not in html and "<i>Acme</i>" not in html
    assert "&lt;img src=x onerror=" in pages[0].text
    assert "&lt;b&gt;x&lt;/b&gt;" in pages[1].text
    assert "Seller facts" in pages[3].text  # the navigation links the facts page
    assert 'id="draft-facts"' in pages[3].text


async def test_pages_need_a_sign_in_and_show_edit_to_owners_only(stack: Stack) -> None:
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack.app), base_url="http://test"
    ) as anonymous:
        response = await anonymous.get("/facts")
        assert response.status_code == 303 and "/login" in response.headers["location"]
    async with stack.signed_in("ann") as agent:
        page = (await agent.get("/facts")).text
        assert "Add a fact" not in page and "View" in page
        form = (await agent.get("/facts/size-sku-1")).text
        assert "<fieldset disabled>" in form and 'id="fact-save"' not in form
    async with stack.signed_in("oleg") as owner:
        page = (await owner.get("/facts")).text
        assert "Add a fact" in page and "Whole shop" in page and "Product SKU-1" in page
