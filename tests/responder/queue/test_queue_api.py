"""The reply queue API with roles: sign-in with argon2 hashes, 401/403 with the reason,
dismiss rules, assignment, the case workflow of negatives, filters, keyset pages, and bad
input answered 422 naming the field."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from services.responder import users
from services.responder.config import ResponderSettings, StaffAccount
from services.responder.queue_item import service
from services.responder.queue_item.service import Cursor
from tests.conftest import DatabaseFactory
from tests.responder.queue.queue_stack import HOSTILE, PASSWORDS, Stack, make_item, running

pytestmark = pytest.mark.postgres


@pytest.fixture
async def stack(broker: Any, topic_prefix: str, databases: DatabaseFactory) -> AsyncIterator[Stack]:
    async with running(broker, topic_prefix, await databases.new("responder")) as s:
        yield s


def field_names(response: Any) -> list[str]:
    return [d["field"] for d in response.json()["error"].get("details", [])]


# --- passwords and settings -------------------------------------------------------------


def test_passwords_are_argon2_hashes() -> None:
    hashed = users.hash_password("correct horse")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert users.verify_password(hashed, "correct horse")
    assert not users.verify_password(hashed, "wrong horse")
    assert not users.verify_password(None, "correct horse")  # unknown user
    assert not users.verify_password("not-a-hash", "x")


def test_users_setting_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    hashed = users.hash_password("agent-password")
    monkeypatch.setenv(
        "RESPONDER_USERS",
        '{"ann": {"password_hash": "' + hashed + '", "role": "agent"}, "dev": "plain-dev-pass"}',
    )
    settings = ResponderSettings()
    assert settings.responder_users["ann"].role == "agent"
    dev = settings.responder_users["dev"]
    assert dev.role == "admin"  # the old plain form, for development
    assert users.verify_password(dev.password_hash.get_secret_value(), "plain-dev-pass")
    assert "plain-dev-pass" not in dev.password_hash.get_secret_value()
    with pytest.raises(ValidationError, match="argon2"):
        StaffAccount(password_hash=SecretStr("plaintext"), role="agent")
    with pytest.raises(ValidationError, match="role"):
        ResponderSettings(responder_users={"x": {"password_hash": hashed, "role": "boss"}})


def test_hash_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert users.main(["hash", "--stdin"]) == 0
    printed = capsys.readouterr().out.strip()
    assert users.verify_password(printed, "a-long-password")
    monkeypatch.setattr("sys.stdin", io.StringIO("short"))
    assert users.main(["hash", "--stdin"]) == 1


# --- sign-in and roles ------------------------------------------------------------------


async def test_sign_in_and_roles(stack: Stack) -> None:
    await stack.add(make_item(1), make_item(2, sentiment="negative", rating=1))
    item = str(make_item(1).mention_id)
    async with stack.signed_in("ann") as c:
        wrong = await c.post("/login", data={"username": "ann", "password": "nope"})
        assert wrong.status_code == 401
    async with stack.signed_in("ann") as agent:
        assert (await agent.get("/api/queue")).json()["total"] == 2
        saved = await agent.put(f"/api/queue/{item}/draft", json={"text": "Thanks, Анна!"})
        assert saved.status_code == 200
        denied = await agent.post(
            f"/api/queue/{item}/assign", json={"assignee_id": "u1", "assignee_name": "Olga"}
        )
        assert denied.status_code == 403
        error = denied.json()["error"]
        assert error["code"] == "forbidden"
        assert "owner" in error["message"] and "ann is agent" in error["message"]
        no_csrf = await agent.put(
            f"/api/queue/{item}/draft", json={"text": "x"}, headers={"X-CSRF-Token": "forged"}
        )
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.json()["error"]["message"]
    async with stack.signed_in("oleg") as owner:
        assigned = await owner.post(
            f"/api/queue/{item}/assign", json={"assignee_id": "u1", "assignee_name": "Olga"}
        )
        assert assigned.status_code == 200, assigned.text
    async with stack.signed_in("root") as admin:  # plain dev form: admin
        assert (
            await admin.post(
                f"/api/queue/{item}/assign", json={"assignee_id": "u2", "assignee_name": "Ivan"}
            )
        ).status_code == 200
    anonymous = await stack.api.get("/api/queue", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    bad_token = await stack.api.get("/api/queue", headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401

    history = (await stack.api.get(f"/api/queue/{item}")).json()
    assert history["assignee_name"] == "Ivan"
    assert [(a["action"], a["actor"], a["actor_role"]) for a in history["actions"]] == [
        ("edit", "ann", "agent"),
        ("assign", "oleg", "owner"),
        ("assign", "root", "admin"),
    ]
    assert PASSWORDS["ann"] not in str(stack.app.state.ctx.settings.responder_users)


# --- dismiss ----------------------------------------------------------------------------


async def test_dismiss_rules(stack: Stack) -> None:
    negative = make_item(1, sentiment="negative", rating=1)
    positive = make_item(2)
    await stack.add(negative, positive)
    neg_id, pos_id = negative.mention_id, positive.mention_id
    async with stack.signed_in("ann") as agent:
        for body in ({}, {"reason": None}, {"reason": "   "}):
            refused = await agent.post(f"/api/queue/{neg_id}/dismiss", json=body)
            assert refused.status_code == 422, body
            assert refused.json()["error"]["code"] == "reason_required"
            assert refused.json()["error"]["message"].startswith("reason")
        too_long = await agent.post(f"/api/queue/{neg_id}/dismiss", json={"reason": "x" * 1001})
        assert too_long.status_code == 422 and field_names(too_long) == ["reason"]
        extra = await agent.post(f"/api/queue/{neg_id}/dismiss", json={"why": "x"})
        assert extra.status_code == 422 and "why" in field_names(extra)

        done = await agent.post(
            f"/api/queue/{neg_id}/dismiss", json={"reason": "spam from a competitor"}
        )
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "dismissed"
        assert done.json()["action"]["actor"] == "ann"
        assert (await agent.post(f"/api/queue/{pos_id}/dismiss", json={})).status_code == 200
        again = await agent.post(f"/api/queue/{pos_id}/dismiss", json={"reason": "x"})
        assert again.status_code == 409

    item = (await stack.api.get(f"/api/queue/{neg_id}")).json()
    assert item["dismiss_reason"] == "spam from a competitor" and item["dismissed_by"] == "ann"
    assert (await stack.api.get("/api/queue")).json()["total"] == 0
    dismissed = (await stack.api.get("/api/queue", params={"state": "dismissed"})).json()
    assert dismissed["total"] == 2
    missing = await stack.api.post("/api/queue/nope/dismiss", json={"reason": "x"})
    assert missing.status_code == 404


# --- assign -----------------------------------------------------------------------------


async def test_assign_validation(stack: Stack) -> None:
    await stack.add(make_item(1))
    url = f"/api/queue/{make_item(1).mention_id}/assign"
    empty = await stack.api.post(url, json={"assignee_id": "", "assignee_name": "Olga"})
    assert empty.status_code == 422 and field_names(empty) == ["assignee_id"]
    blank = await stack.api.post(url, json={"assignee_id": "u1", "assignee_name": "   "})
    assert blank.status_code == 422 and field_names(blank) == ["assignee_name"]
    missing = await stack.api.post(url, json={"assignee_id": "u1"})
    assert missing.status_code == 422 and field_names(missing) == ["assignee_name"]
    ok = await stack.api.post(url, json={"assignee_id": " u1 ", "assignee_name": "Olga"})
    assert ok.status_code == 200
    assert (ok.json()["assignee_id"], ok.json()["assignee_name"]) == ("u1", "Olga")
    mine = (await stack.api.get("/api/queue", params={"assignee": "u1"})).json()
    assert mine["total"] == 1


# --- case workflow ----------------------------------------------------------------------


async def test_case_workflow(stack: Stack) -> None:
    negative = make_item(1, sentiment="negative", rating=1)
    await stack.add(negative, make_item(2))
    url = f"/api/queue/{negative.mention_id}/case"
    async with stack.signed_in("ann") as agent:
        early = await agent.post(url, json={"step": "resolved"})
        assert early.status_code == 403 and "owner" in early.json()["error"]["message"]
        skipped = await agent.post(url, json={"step": "public_follow_up"})
        assert skipped.status_code == 409
        assert "contacted_privately" in skipped.json()["error"]["message"]
        bad = await agent.post(url, json={"step": "escalated"})
        assert bad.status_code == 422 and field_names(bad) == ["step"]
        first = await agent.post(url, json={"step": "contacted_privately", "note": "chat #42"})
        assert first.status_code == 200 and first.json()["case_state"] == "contacted_privately"
        twice = await agent.post(url, json={"step": "contacted_privately"})
        assert twice.status_code == 409
        not_negative = await agent.post(
            f"/api/queue/{make_item(2).mention_id}/case", json={"step": "contacted_privately"}
        )
        assert not_negative.status_code == 422
        assert not_negative.json()["error"]["code"] == "not_negative"
    async with stack.signed_in("oleg") as owner:
        resolved = await owner.post(url, json={"step": "resolved", "note": "replaced the kettle"})
        assert resolved.status_code == 200
    async with stack.signed_in("ann") as agent:
        follow = await agent.post(url, json={"step": "public_follow_up"})
        assert follow.status_code == 200 and follow.json()["case_state"] == "public_follow_up"
        done = await agent.post(url, json={"step": "public_follow_up"})
        assert done.status_code == 409 and "complete" in done.json()["error"]["message"]

    item = (await stack.api.get(f"/api/queue/{negative.mention_id}")).json()
    steps = [(a["step"], a["actor"], a["note"]) for a in item["actions"] if a["action"] == "case"]
    assert steps == [
        ("contacted_privately", "ann", "chat #42"),
        ("resolved", "oleg", "replaced the kettle"),
        ("public_follow_up", "ann", None),
    ]
    assert all(a["created_at"] for a in item["actions"])
    async with stack.signed_in("ann") as agent:
        page = await agent.get(f"/items/{negative.mention_id}")
    assert "replaced the kettle" in page.text and "oleg (owner)" in page.text


# --- filters and pages ------------------------------------------------------------------


async def test_filters_and_keyset_pages(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    items = [
        make_item(1, due_at=now - timedelta(hours=1), product_sku="SKU-9"),
        make_item(2, due_at=now + timedelta(minutes=30), platform="ozon"),
        make_item(3, due_at=now + timedelta(hours=2), sentiment="negative", text="100% брак"),
        *[make_item(10 + i, due_at=now + timedelta(hours=10, minutes=i)) for i in range(20)],
        make_item(99, state="published", due_at=now - timedelta(hours=5)),
    ]
    await stack.add(*items)

    async def ids(**params: Any) -> list[str]:
        response = await stack.api.get("/api/queue", params={"limit": 500, **params})
        assert response.status_code == 200, response.text
        return [i["mention_id"] for i in response.json()["items"]]

    def mid(n: int) -> str:
        return make_item(n).mention_id

    assert await ids(product="SKU-9") == [mid(1)]
    assert await ids(sla="breached") == [mid(1)]
    assert await ids(sla="due_soon") == [mid(2), mid(3)]  # leads default to 4 h
    assert await ids(platform="ozon") == [mid(2)]
    assert await ids(sentiment="negative") == [mid(3)]
    assert await ids(q="100%") == [mid(3)]  # LIKE wildcards are literal
    assert await ids(q="%") == [mid(3)]
    assert await ids(state="published") == [mid(99)]
    body = (await stack.api.get("/api/queue", params={"sla": "breached"})).json()
    assert body["items"][0]["sla_state"] == "breached" and body["total_capped"] is False

    seen: list[str] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 7}
        if after:
            params["after"] = after
        page = (await stack.api.get("/api/queue", params=params)).json()
        seen += [i["mention_id"] for i in page["items"]]
        assert page["total"] == (None if after else 23)  # keyset pages skip the count
        after = page["next_cursor"]
        if not after:
            break
    assert seen == await ids() and len(seen) == len(set(seen)) == 23
    monkeypatch.setattr(service, "COUNT_CAP", 5)
    capped = (await stack.api.get("/api/queue")).json()
    assert (capped["total"], capped["total_capped"], len(capped["items"])) == (5, True, 23)
    monkeypatch.undo()
    by_offset = await stack.api.get("/api/queue", params={"limit": 7, "offset": 7})
    assert [i["mention_id"] for i in by_offset.json()["items"]] == seen[7:14]

    bad_inputs: list[tuple[dict[str, Any], str]] = [
        ({"sla": "late"}, "query.sla"),
        ({"state": "gone"}, "query.state"),
        ({"sentiment": "angry"}, "query.sentiment"),
        ({"limit": 0}, "query.limit"),
        ({"after": "!!not-a-cursor"}, "query.after"),
        ({"product": "x" * 201}, "query.product"),
    ]
    for bad_params, field in bad_inputs:
        bad = await stack.api.get("/api/queue", params=bad_params)
        assert bad.status_code == 422, bad_params
        assert field_names(bad) == [field] and field in bad.json()["error"]["message"]


def test_cursor_round_trip() -> None:
    cursor = Cursor(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), "abc")
    assert Cursor.decode(cursor.encode()) == cursor
    with pytest.raises(ValueError):
        Cursor.decode("bm90aGluZw")  # "nothing": no separator


# --- pages ------------------------------------------------------------------------------


async def test_item_page_escapes_and_highlights(stack: Stack) -> None:
    text = HOSTILE + " The lid leaks, but the colour is lovely."
    start = text.index("The lid leaks")
    aspects = [
        {
            "aspect": "quality",
            "polarity": "negative",
            "start": start,
            "end": start + 13,
            "text": "The lid leaks",
        },
        {"aspect": "design", "polarity": "positive", "start": 0, "end": 0, "text": "colour"},
        {"aspect": "x", "polarity": "neutral", "start": 0, "end": 3, "text": "<b>not there</b>"},
    ]
    item = make_item(1, sentiment="negative", rating=2, text=text, aspects=aspects)
    await stack.add(item)
    async with stack.signed_in("ann") as agent:
        page = (await agent.get(f"/items/{item.mention_id}")).text
        queue = (await agent.get("/")).text
    assert "<script>window.__xss" not in page and "&lt;script&gt;" in page
    assert '<mark class="aspect negative" title="quality (negative)">The lid leaks</mark>' in page
    assert '<mark class="aspect positive" title="design (positive)">colour</mark>' in page
    assert "<b>not there</b>" not in page
    assert 'data-due="' in page and 'aria-keyshortcuts="a"' in page
    assert 'id="dismiss"' in page and 'id="assign"' not in page  # agent: no assignment
    assert "The next step, contacted privately" not in page and 'id="case-step"' in page
    assert "data-due=" in queue and "&lt;script&gt;" in queue
    async with stack.signed_in("oleg") as owner:
        assert 'id="assign"' in (await owner.get(f"/items/{item.mention_id}")).text
