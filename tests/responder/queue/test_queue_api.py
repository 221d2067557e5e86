"""The reply queue API with roles: sign-in with argon2 hashes, 401/403 with the reason,
dismiss rules, assignment, the case workflow of negatives, filters, keyset pages, and bad
input answered 422 naming the field."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pydantic import SecretStr, ValidationError
from sqlalchemy import text

from services.responder import users
from services.responder.config import ResponderSettings, StaffAccount
from services.responder.queue_item import service
from services.responder.queue_item.service import Cursor
from shared.db import session_scope
from shared.events import ReplyFailed, ReplyPublished
from shared.topics import REPLIES_APPROVED, REPLIES_FAILED, REPLIES_PUBLISHED, SLA, Topics
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
        assert "manager" in error["message"] and "ann is agent" in error["message"]
        no_csrf = await agent.put(
            f"/api/queue/{item}/draft", json={"text": "x"}, headers={"X-CSRF-Token": "forged"}
        )
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.json()["error"]["message"]
    async with stack.signed_in("oleg") as manager:
        assigned = await manager.post(
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
        ("assign", "oleg", "manager"),
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
    negative = make_item(
        1,
        sentiment="negative",
        rating=1,
        language="ru",
        state="published",
        reply_id=str(uuid.uuid4()),
        reply_text="Анна, простите за брак. Напишите в чат продавца номер заказа.",
    )
    await stack.add(negative, make_item(2))
    url = f"/api/queue/{negative.mention_id}/case"
    follow_url = f"/api/queue/{negative.mention_id}/follow-up"
    async with stack.signed_in("ann") as agent:
        early = await agent.post(url, json={"step": "resolved", "resolution": "x"})
        assert early.status_code == 403 and "manager" in early.json()["error"]["message"]
        skipped = await agent.post(url, json={"step": "public_follow_up"})
        assert skipped.status_code == 409
        assert "contacted_privately" in skipped.json()["error"]["message"]
        bad = await agent.post(url, json={"step": "escalated"})
        assert bad.status_code == 422 and field_names(bad) == ["step"]
        stray = await agent.post(url, json={"step": "contacted_privately", "resolution": "x"})
        assert stray.status_code == 422 and stray.json()["error"]["code"] == "resolution_unexpected"
        assert stray.json()["error"]["message"].startswith("resolution")
        first = await agent.post(url, json={"step": "contacted_privately", "note": "chat #42"})
        assert first.status_code == 200 and first.json()["case_state"] == "contacted_privately"
        assert first.json()["follow_up"] is None
        twice = await agent.post(url, json={"step": "contacted_privately"})
        assert twice.status_code == 409
        not_negative = await agent.post(
            f"/api/queue/{make_item(2).mention_id}/case", json={"step": "contacted_privately"}
        )
        assert not_negative.status_code == 422
        assert not_negative.json()["error"]["code"] == "not_negative"
        too_soon = await agent.put(follow_url, json={"text": "x"})
        assert (
            too_soon.status_code == 409 and "resolved first" in too_soon.json()["error"]["message"]
        )
    async with stack.signed_in("oleg") as manager:
        for body in ({"step": "resolved"}, {"step": "resolved", "resolution": " \n "}):
            missing = await manager.post(url, json=body)
            assert missing.status_code == 422, body
            assert missing.json()["error"]["code"] == "resolution_required"
            assert missing.json()["error"]["message"].startswith("resolution")
        too_long = await manager.post(url, json={"step": "resolved", "resolution": "x" * 1001})
        assert too_long.status_code == 422 and field_names(too_long) == ["resolution"]
        resolved = await manager.post(
            url,
            json={
                "step": "resolved",
                "resolution": "  мы заменили чайник   на новый ",
                "note": "курьер забрал старый",
            },
        )
        assert resolved.status_code == 200, resolved.text
        body = resolved.json()
        assert body["case_state"] == "resolved" and body["follow_up_state"] == "drafted"
        assert body["resolution"] == "мы заменили чайник на новый"
        drafted = body["follow_up"]
        assert drafted["follow_up_script"] == "follow_up_generic"
        assert "Мы заменили чайник на новый." in drafted["follow_up_text"]
        assert drafted["follow_up_similarity"] is not None
        assert not [i for i in drafted["lint"] if i["severity"] == "error"]
        again = await manager.post(url, json={"step": "resolved", "resolution": "x"})
        assert again.status_code == 409
    async with stack.signed_in("ann") as agent:
        shortcut = await agent.post(url, json={"step": "public_follow_up"})
        assert shortcut.status_code == 409
        assert shortcut.json()["error"]["code"] == "approve_follow_up"
        assert "follow-up/approve" in shortcut.json()["error"]["message"]
        other = await agent.post(f"{follow_url}/regenerate")
        assert other.status_code == 200
        assert other.json()["follow_up_text"] != drafted["follow_up_text"]
        assert "Мы заменили чайник на новый." in other.json()["follow_up_text"]
        contact = "Анна, мы заменили чайник. Звоните: +7 999 123-45-67"
        saved = await agent.put(follow_url, json={"text": contact})
        assert saved.status_code == 200
        assert "error" in {i["severity"] for i in saved.json()["lint"]}
        refused = await agent.post(f"{follow_url}/approve", json={})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "lint_failed"
        empty = await agent.post(f"{follow_url}/approve", json={"text": ""})
        assert empty.status_code == 422 and field_names(empty) == ["text"]
        final = "Анна, спасибо за терпение! Мы заменили чайник на новый. Ждём вас снова."
        approved = await agent.post(f"{follow_url}/approve", json={"text": final})
        assert approved.status_code == 200, approved.text
        assert approved.json()["state"] == "approved"
        follow_reply_id = approved.json()["reply_id"]
        assert follow_reply_id != negative.reply_id
        twice_approved = await agent.post(f"{follow_url}/approve", json={"text": final})
        assert twice_approved.status_code == 409
        frozen = await agent.put(follow_url, json={"text": "x"})
        assert frozen.status_code == 409 and "approved" in frozen.json()["error"]["message"]
        complete = await agent.post(url, json={"step": "public_follow_up"})
        assert complete.status_code == 409 and "complete" in complete.json()["error"]["message"]

    # What ingest receives: a second reply with its own id; on Wildberries (one answer per
    # review) an edit of the published first answer.
    events = await read_approved(stack, 1)
    assert [(e["reply_id"], e["text"], e["edit"]) for e in events] == [
        (follow_reply_id, final, True)
    ]
    assert events[0]["external_id"] == negative.external_id

    await publish_outcome(stack, negative, follow_reply_id, error=None)
    item = await wait_for(stack, negative.mention_id, "follow_up_state", "published")
    assert item["state"] == "published" and item["reply_id"] == negative.reply_id
    assert item["case_state"] == "public_follow_up" and item["follow_up_text"] == final
    audit = [(a["action"], a["step"], a["actor"]) for a in item["actions"]]
    assert audit == [
        ("case", "contacted_privately", "ann"),
        ("case", "resolved", "oleg"),
        ("follow_up_draft", None, "oleg"),
        ("follow_up_regenerate", None, "ann"),
        ("follow_up_edit", None, "ann"),
        ("case", "public_follow_up", "ann"),
        ("follow_up_approve", None, "ann"),
    ]
    notes = {a["step"] or a["action"]: a["note"] for a in item["actions"]}
    assert notes["resolved"] == "мы заменили чайник на новый\nкурьер забрал старый"
    assert notes["follow_up_draft"] == "script follow_up_generic"
    assert notes["follow_up_approve"] == follow_reply_id
    async with stack.signed_in("ann") as agent:
        page = await agent.get(f"/items/{negative.mention_id}")
    assert "мы заменили чайник на новый" in page.text and "oleg (manager)" in page.text
    assert 'id="follow-up-sent"' in page.text and 'id="follow-up"' not in page.text


async def test_follow_up_rules_per_platform_and_first_answer(stack: Stack) -> None:
    """Ozon keeps a thread (a new comment, no edit); a follow-up waits for the first answer;
    a failed follow-up can be edited and approved again."""
    ozon = make_item(
        1, sentiment="negative", rating=1, platform="ozon", source_id="ozon-main",
        state="published", reply_id=str(uuid.uuid4()), reply_text="Простите!",
    )  # fmt: skip
    waiting = make_item(2, sentiment="negative", rating=2, language="en")
    await stack.add(ozon, waiting)
    for item in (ozon, waiting):
        case = f"/api/queue/{item.mention_id}/case"
        assert (await stack.api.post(case, json={"step": "contacted_privately"})).is_success
        done = await stack.api.post(case, json={"step": "resolved", "resolution": "Refunded"})
        assert done.status_code == 200, done.text
    english = (await stack.api.get(f"/api/queue/{waiting.mention_id}")).json()
    assert "Refunded." in english["follow_up_text"] and english["follow_up_script"]
    blocked = await stack.api.post(f"/api/queue/{waiting.mention_id}/follow-up/approve", json={})
    assert blocked.status_code == 409 and "first answer is open" in blocked.text

    url = f"/api/queue/{ozon.mention_id}/follow-up/approve"
    first = await stack.api.post(url, json={})
    assert first.status_code == 200, first.text
    events = await read_approved(stack, 1)
    assert [(e["reply_id"], e["edit"]) for e in events] == [(first.json()["reply_id"], False)]

    await publish_outcome(stack, ozon, first.json()["reply_id"], error="review deleted")
    failed = await wait_for(stack, ozon.mention_id, "follow_up_state", "failed")
    assert failed["follow_up_error"] == "review deleted"
    edited = await stack.api.put(
        f"/api/queue/{ozon.mention_id}/follow-up", json={"text": "Деньги вернули. Ждём вас!"}
    )
    assert edited.status_code == 200
    retry = await stack.api.post(url, json={})
    assert retry.status_code == 200 and retry.json()["reply_id"] != first.json()["reply_id"]
    item = (await stack.api.get(f"/api/queue/{ozon.mention_id}")).json()
    assert item["case_state"] == "public_follow_up"
    steps = [a["step"] for a in item["actions"] if a["action"] == "case"]
    assert steps == ["contacted_privately", "resolved", "public_follow_up"]  # once each


async def read_approved(stack: Stack, expected: int) -> list[dict[str, Any]]:
    """The replies.approved events the responder published (payloads), from the start."""
    settings = stack.app.state.ctx.settings
    consumer = AIOKafkaConsumer(
        Topics(settings.kafka_topic_prefix).name(REPLIES_APPROVED),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"check-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    got: list[dict[str, Any]] = []
    try:
        for _ in range(30):
            batch = await consumer.getmany(timeout_ms=500)
            got += [json.loads(r.value)["payload"] for rs in batch.values() for r in rs]
            if len(got) >= expected:
                break
    finally:
        await consumer.stop()
    return got


async def publish_outcome(stack: Stack, item: Any, reply_id: str, *, error: str | None) -> None:
    """What ingest answers after posting: replies.published, or replies.failed."""
    publisher = stack.app.state.ctx.runtime.publisher
    if error is None:
        await publisher.publish(
            REPLIES_PUBLISHED,
            ReplyPublished(
                reply_id=uuid.UUID(reply_id),
                mention_id=uuid.UUID(item.mention_id),
                platform=item.platform,
                published_at=datetime.now(UTC),
            ),
        )
    else:
        await publisher.publish(
            REPLIES_FAILED,
            ReplyFailed(
                reply_id=uuid.UUID(reply_id),
                mention_id=uuid.UUID(item.mention_id),
                platform=item.platform,
                error=error,
            ),
        )


async def wait_for(stack: Stack, mention_id: str, field: str, value: Any) -> dict[str, Any]:
    for _ in range(200):
        item = (await stack.api.get(f"/api/queue/{mention_id}")).json()
        if item[field] == value:
            return dict(item)
        await asyncio.sleep(0.1)
    raise AssertionError(f"{field} never became {value!r}: {item[field]!r}")


async def test_a_published_reply_meets_the_sla_once(stack: Stack) -> None:
    """replies.published answers the item, and the SLA tracker the queue handler is given
    publishes `met` once, however often the outcome is delivered."""
    reply_id = str(uuid.uuid4())
    item = make_item(7, state="approved", reply_id=reply_id)
    await stack.add(item)
    await publish_outcome(stack, item, reply_id, error=None)
    await wait_for(stack, item.mention_id, "state", "published")
    await publish_outcome(stack, item, reply_id, error=None)  # redelivered
    settings = stack.app.state.ctx.settings
    consumer = AIOKafkaConsumer(
        Topics(settings.kafka_topic_prefix).name(SLA),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"check-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    events: list[dict[str, Any]] = []
    try:
        for _ in range(30):
            batch = await consumer.getmany(timeout_ms=500)
            events += [json.loads(r.value)["payload"] for rs in batch.values() for r in rs]
            if events:
                break
        await wait_for(stack, item.mention_id, "state", "published")
        events += [
            json.loads(r.value)["payload"]
            for rs in (await consumer.getmany(timeout_ms=1500)).values()
            for r in rs
        ]
    finally:
        await consumer.stop()
    met = [e for e in events if e["mention_id"] == item.mention_id and e["state"] == "met"]
    assert len(met) == 1, events


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
    assert len(await ids(q="KETTLE")) == 22  # case-insensitive (SQLite: ASCII letters only)
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


async def test_text_search_uses_the_trigram_index(
    broker: Any, topic_prefix: str, tmp_path: Path
) -> None:
    """On PostgreSQL the list's `q` is an ILIKE answered by the pg_trgm GIN index: a rare
    word among 20k open items is found through the index, not by scanning the queue."""
    databases = DatabaseFactory("postgresql", tmp_path)
    try:
        async with running(broker, topic_prefix, await databases.new("responder")) as stack:
            sessions = stack.app.state.ctx.runtime.sessions
            async with session_scope(sessions) as session:
                await session.execute(text(SEED_20K))
                await session.execute(text("ANALYZE queue_items"))
            f = service.QueueFilter(state="open", q="Зюзюка", limit=50)
            async with session_scope(sessions) as session:
                compiled = service.list_query(f).compile(
                    dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}
                )
                plan = "\n".join((await session.execute(text(f"EXPLAIN {compiled}"))).scalars())
                found, total, _ = await service.list_items(session, f)
            assert "ix_queue_items_text_trgm" in plan, plan
            assert [i.external_id for i in found] == ["SEED-777"] and total == 1
            # Case-insensitive, and the pattern's % and _ are literal.
            assert (await stack.api.get("/api/queue", params={"q": "зЮЗЮКА"})).json()["total"] == 1
            assert (await stack.api.get("/api/queue", params={"q": "_ok"})).json()["total"] == 0
    finally:
        await databases.close()


#: 20k open items; one (SEED-777) has a rare word. Generated in the database: quick.
SEED_20K = """
INSERT INTO queue_items (mention_id, platform, source_id, external_id, kind, revision, text,
    rating, published_at, sentiment, sentiment_score, language, aspects, rating_contradiction,
    state, due_at, draft_text, draft_seed, follow_up_seed, created_at, updated_at)
SELECT md5(n::text)::uuid::text, 'wildberries', 'wb-main', 'SEED-' || n, 'review', '1',
    CASE WHEN n = 777 THEN 'Чайник Зюзюка протекает' ELSE 'Чайник хороший, доставка быстрая #'
        || n END,
    5, now(), 'positive', 0.9, 'ru', '[]', false, 'open', now() + (n || ' minutes')::interval,
    '', 0, 0, now(), now()
FROM generate_series(1, 20000) AS n
"""


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
    async with stack.signed_in("oleg") as manager:
        assert 'id="assign"' in (await manager.get(f"/items/{item.mention_id}")).text
