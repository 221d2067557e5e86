"""What a draft was based on, kept with the item: the full classification (signals
included), the family (kept by "another draft"), the answer parts (a question's
placeholder blocks approval in words an agent understands; a fact-proposed answer must be
confirmed), the shop-wide anti-template replies, each approval compared with its draft,
phrasing suggestions reviewed by an owner, and the insights on draft acceptance.
On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from services.responder.queue_item.handlers import handle_reply_failed
from services.responder.queue_item.models import DraftEdit, DraftMoveEdit, QueueItem
from services.responder.queue_item.service import (
    item_classification,
    open_item,
    recent_replies,
)
from services.responder.script.model import phrasing_slots
from shared.db import session_scope
from shared.events import (
    Aspect,
    Classification,
    Mention,
    MentionKind,
    Product,
    QuestionSpan,
    ReplyFailed,
    Sentiment,
    make_envelope,
)
from tests.conftest import DatabaseFactory
from tests.responder.queue.queue_stack import HOSTILE, Stack, make_item, running

pytestmark = pytest.mark.postgres


@pytest.fixture
async def stack(broker: Any, topic_prefix: str, databases: DatabaseFactory) -> AsyncIterator[Stack]:
    async with running(broker, topic_prefix, await databases.new("responder")) as s:
        yield s


def mention(
    n: int, text: str, *, rating: int | None = 5, kind: str = "review", **kw: Any
) -> Mention:
    return Mention(
        mention_id=uuid.UUID(int=n),
        platform=kw.get("platform", "wildberries"),
        source_id="wb-main",
        external_id=f"WB-{n}",
        kind=MentionKind(kind),
        text=text,
        rating=rating,
        author="Анна",
        product=Product(sku=kw.get("sku", "SKU-1"), name="Чайник Acme 1,7 л", brand="Acme"),
        published_at=datetime.now(UTC) - timedelta(hours=1),
    )


async def opened(stack: Stack, m: Mention, c: Classification) -> QueueItem:
    """The item as the classified-mention handler opens it, with the real drafter."""
    ctx = stack.app.state.ctx
    async with session_scope(ctx.runtime.sessions) as session:
        result = await open_item(
            session,
            mention=m,
            classification=c,
            due_at=datetime.now(UTC) + timedelta(hours=23),
            drafter=ctx.drafter,
        )
    return result.item


QUESTION_TEXT = f"Чайник хороший. {HOSTILE} А есть ли инструкция на русском? Жду ответа."


def question_review(n: int = 1) -> tuple[Mention, Classification]:
    m = mention(n, QUESTION_TEXT, rating=4, kind="question")
    q = "А есть ли инструкция на русском?"
    start = QUESTION_TEXT.index(q)
    c = Classification(
        sentiment=Sentiment.positive,
        score=0.8,
        language="ru",
        aspects=[
            Aspect(
                aspect="instructions_language",
                polarity=Sentiment.neutral,
                start=QUESTION_TEXT.index("инструкция"),
                end=QUESTION_TEXT.index("инструкция") + len("инструкция"),
                text="инструкция",
                clause="есть ли инструкция на русском",
            )
        ],
        questions=[QuestionSpan(start=start, end=start + len(q), text=q)],
        remark=True,
    )
    return m, c


async def test_question_is_returned_answered_in_place_and_approval_compared(stack: Stack) -> None:
    m, c = question_review()
    item = await opened(stack, m, c)
    mid = item.mention_id
    read = (await stack.api.get(f"/api/queue/{mid}")).json()
    assert read["questions"] == [q.model_dump() for q in c.questions]
    assert read["draft_family"] == "question"
    assert read["needs_input"] == ["answer"]
    assert read["signals"] == ["remark"]
    assert read["answers"] == [
        {
            "question": "А есть ли инструкция на русском?",
            "fact_id": None,
            "text": "",  # no seller fact answers it: a person writes it
            "needs_confirmation": False,
        }
    ]
    async with session_scope(stack.app.state.ctx.runtime.sessions) as session:
        stored = await session.get(QueueItem, mid)
        assert stored is not None
        kept = item_classification(stored)
    assert kept == c  # every signal, the clause included
    assert kept.remark and kept.aspects[0].clause == "есть ли инструкция на русском"

    async with stack.signed_in("ann") as agent:
        linted = await agent.post(f"/api/queue/{mid}/lint", json={"text": read["draft_text"]})
        slot = [i for i in linted.json() if i["code"] == "unfilled_slot"]
        assert slot and "write the answer in place of {answer}" in slot[0]["message"]
        assert "«А есть ли инструкция на русском?»" in slot[0]["message"]
        refused = await agent.post(f"/api/queue/{mid}/approve", json={})
        assert refused.status_code == 422
        assert "The customer asked a question" in refused.json()["error"]["message"]
        answered = read["draft_text"].replace(
            "{answer}", "Да, инструкция на русском есть в коробке."
        )
        ok = await agent.post(f"/api/queue/{mid}/approve", json={"text": answered})
        assert ok.status_code == 200, ok.text
        reply_id = ok.json()["reply_id"]

    async with session_scope(stack.app.state.ctx.runtime.sessions) as session:
        edit = await session.get(DraftEdit, reply_id)
        moves = list(
            await session.scalars(select(DraftMoveEdit).where(DraftMoveEdit.reply_id == reply_id))
        )
    assert edit is not None
    assert (edit.family, edit.platform, edit.script_id) == (
        "question",
        "wildberries",
        item.draft_script,
    )
    assert (edit.verdict, edit.distance) == ("unchanged", 0.0)  # only the answer was written
    assert edit.moves and edit.moves[-1] == "sign_off"
    # the answer is the agent's to write: only the scripts' moves are measured
    assert {x.move for x in moves} == set(edit.moves) - {"answer"}
    assert all(x.verdict == "unchanged" for x in moves)


async def test_fact_answer_must_be_confirmed(stack: Stack) -> None:
    answers = [
        {
            "question": "Есть ли инструкция на русском?",
            "fact_id": "manual-ru",
            "text": "Да, в коробке.",
        }
    ]
    item = make_item(
        7,
        language="ru",
        draft_text="Здравствуйте! Да, в коробке. С уважением, Acme.",
        draft_generated="Здравствуйте! Да, в коробке. С уважением, Acme.",
        draft_answers=answers,
        draft_facts_used=["manual-ru"],
        # proposed by the seller-facts matcher beside the draft (not in its text)
        draft_facts=[
            {
                "id": "returns-wb",
                "topic": "returns",
                "question": "Как вернуть, если не подойдёт?",
                "wording": "Вернуть товар можно в разделе «Покупки».",
                "method": "keyword",
                "score": 0.8,
            }
        ],
        draft_family="question",
    )
    await stack.add(item)
    mid = item.mention_id
    read = (await stack.api.get(f"/api/queue/{mid}")).json()
    assert [(a["fact_id"], a["needs_confirmation"]) for a in read["answers"]] == [
        ("manual-ru", True),
        ("returns-wb", True),
    ]
    assert read["answers"][1]["text"] == "Вернуть товар можно в разделе «Покупки»."
    assert read["facts_used"] == ["manual-ru", "returns-wb"]
    async with stack.signed_in("ann") as agent:
        unconfirmed = await agent.post(f"/api/queue/{mid}/approve", json={})
        assert unconfirmed.status_code == 409
        error = unconfirmed.json()["error"]
        assert error["code"] == "facts_unconfirmed"
        assert "fact manual-ru" in error["message"] and "инструкция" in error["message"]
        typo = await agent.post(
            f"/api/queue/{mid}/approve", json={"confirmed_facts": ["manual-ru", "manual-en"]}
        )
        assert typo.status_code == 422 and "manual-en" in typo.json()["error"]["message"]
        half = await agent.post(
            f"/api/queue/{mid}/approve", json={"confirmed_facts": ["manual-ru"]}
        )
        assert half.status_code == 409 and "fact returns-wb" in half.json()["error"]["message"]
        assert "fact manual-ru" not in half.json()["error"]["message"]
        ok = await agent.post(
            f"/api/queue/{mid}/approve", json={"confirmed_facts": ["manual-ru", "returns-wb"]}
        )
        assert ok.status_code == 200, ok.text
    history = (await stack.api.get(f"/api/queue/{mid}")).json()["actions"]
    assert history[-1]["action"] == "approve"
    assert history[-1]["note"] == "confirmed seller facts: manual-ru, returns-wb"


async def test_another_draft_keeps_the_family(stack: Stack) -> None:
    # 5 stars over a complaint: a positive review with a remark (the stars decide the
    # family, the text adds the remark); another draft stays in that family.
    text = "Чайник хороший, но потёк через неделю."
    m = mention(3, text, rating=5)
    c = Classification(
        sentiment=Sentiment.positive,
        score=0.6,
        text_sentiment=Sentiment.negative,
        language="ru",
        rating_contradiction=True,
        remark=True,
    )
    item = await opened(stack, m, c)
    first = item.draft_family
    assert first == "positive_remark"
    async with stack.signed_in("ann") as agent:
        texts = {item.draft_text}
        for _ in range(3):
            again = (await agent.post(f"/api/queue/{item.mention_id}/regenerate")).json()
            assert again["draft_family"] == first, again
            texts.add(again["draft_text"])
    assert len(texts) == 4
    # The stored family is what the engine is given: an item kept as a complaint (say a
    # draft made before the remark signal existed) is re-drafted as a complaint.
    async with session_scope(stack.app.state.ctx.runtime.sessions) as session:
        stored = await session.get(QueueItem, item.mention_id)
        assert stored is not None
        stored.draft_family = "negative"
    async with stack.signed_in("ann") as agent:
        again = (await agent.post(f"/api/queue/{item.mention_id}/regenerate")).json()
    assert again["draft_family"] == "negative"
    assert again["draft_script"].startswith("negative"), again


async def test_rows_written_before_rebuild_from_the_columns(stack: Stack) -> None:
    legacy = make_item(
        9,
        sentiment="negative",
        aspects=[
            {"aspect": "defect", "polarity": "negative", "start": 0, "end": 6, "text": "Review"}
        ],
    )
    await stack.add(legacy)
    read = (await stack.api.get(f"/api/queue/{legacy.mention_id}")).json()
    assert read["questions"] == [] and read["answers"] == [] and read["draft_family"] is None
    async with session_scope(stack.app.state.ctx.runtime.sessions) as session:
        item = await session.get(QueueItem, legacy.mention_id)
        assert item is not None
        c = item_classification(item)
    assert c.sentiment is Sentiment.negative and c.aspects[0].aspect == "defect"
    async with stack.signed_in("ann") as agent:  # no draft kept: approval records no edit
        ok = await agent.post(f"/api/queue/{legacy.mention_id}/approve", json={})
        assert ok.status_code == 200
    async with session_scope(stack.app.state.ctx.runtime.sessions) as session:
        assert list(await session.scalars(select(DraftEdit))) == []


async def test_recent_replies_are_shop_wide_on_the_platform(stack: Stack) -> None:
    now = datetime.now(UTC)
    rows = [
        # same product: replies and drafts
        make_item(20, draft_text="same sku draft", updated_at=now - timedelta(minutes=1)),
        # other products: only replies given (approved / published)
        make_item(
            21,
            product_sku="SKU-2",
            state="published",
            reply_text="other sku published",
            updated_at=now - timedelta(minutes=2),
        ),
        make_item(
            22,
            product_sku="SKU-3",
            state="approved",
            reply_text="other sku approved",
            updated_at=now - timedelta(minutes=3),
        ),
        make_item(23, product_sku="SKU-4", draft_text="other sku open draft"),
        make_item(
            24,
            platform="ozon",
            product_sku="SKU-2",
            state="published",
            reply_text="other platform",
        ),
    ]
    await stack.add(*rows)
    async with session_scope(stack.app.state.ctx.runtime.sessions) as session:
        recent = await recent_replies(session, platform="wildberries", product_sku="SKU-1")
    assert recent == ["other sku approved", "other sku published", "same sku draft"]


async def test_phrasing_suggestions_reviewed_and_exported(stack: Stack) -> None:
    item = make_item(30, language="ru", draft_family="positive", draft_script="positive_generic")
    await stack.add(item)
    mid = item.mention_id
    text = "Анна, носите с удовольствием — и пусть чайник служит долго!"
    async with stack.signed_in("ann") as agent:
        made = await agent.post(
            f"/api/queue/{mid}/phrasings",
            json={"move": "thanks", "text": text, "replaces": "Спасибо за отзыв."},
        )
        assert made.status_code == 201, made.text
        assert made.json()["state"] == "pending" and made.json()["suggested_by"] == "ann"
        second = await agent.post(
            f"/api/queue/{mid}/phrasings",
            json={"move": "sign_off", "text": "С теплом, {brand}."},
        )
        assert second.status_code == 201
        bad_slot = await agent.post(
            f"/api/queue/{mid}/phrasings", json={"move": "thanks", "text": "Спасибо, {client}!"}
        )
        assert bad_slot.status_code == 422 and "{client}" in bad_slot.json()["error"]["message"]
        bad_move = await agent.post(
            f"/api/queue/{mid}/phrasings", json={"move": "flattery", "text": "Вы лучшие."}
        )
        assert bad_move.status_code == 422 and "move" in bad_move.json()["error"]["message"]
        denied = await agent.get("/api/phrasings")
        assert denied.status_code == 403
    async with stack.signed_in("oleg") as owner:
        pending = (await owner.get("/api/phrasings")).json()
        assert [p["move"] for p in pending] == ["sign_off", "thanks"]
        by_move = {p["move"]: p["id"] for p in pending}
        approved = await owner.post(
            f"/api/phrasings/{by_move['thanks']}/review", json={"decision": "approved"}
        )
        assert approved.status_code == 200 and approved.json()["reviewed_by"] == "oleg"
        again = await owner.post(
            f"/api/phrasings/{by_move['thanks']}/review", json={"decision": "rejected"}
        )
        assert again.status_code == 409
        rejected = await owner.post(
            f"/api/phrasings/{by_move['sign_off']}/review", json={"decision": "rejected"}
        )
        assert rejected.json()["state"] == "rejected"
        missing = await owner.post("/api/phrasings/999999/review", json={"decision": "approved"})
        assert missing.status_code == 404
        exported = await owner.get("/api/phrasings/export", params={"language": "ru"})
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("application/yaml")
        doc = yaml.safe_load(exported.text)
        assert doc == {"language": "ru", "phrasings": {"thanks": [text]}}
        for phrasing in doc["phrasings"]["thanks"]:
            phrasing_slots(phrasing)  # loads as a phrasing
        page = await owner.get("/insights/phrasings")
        assert page.status_code == 200 and text in page.text
    history = (await stack.api.get(f"/api/queue/{mid}")).json()["actions"]
    assert [a["action"] for a in history] == ["suggest_phrasing", "suggest_phrasing"]


async def test_draft_acceptance_insights(stack: Stack) -> None:
    parts = [
        ["greeting", "Здравствуйте!"],
        ["thanks", "Спасибо за отзыв."],
        ["invite", "Подписывайтесь на наш магазин."],
        ["sign_off", "С уважением, Acme."],
    ]
    draft = "Здравствуйте!\nСпасибо за отзыв. Подписывайтесь на наш магазин.\nС уважением, Acme."
    published = {
        40: draft,  # unchanged
        41: draft.replace("магазин.", "магазин, Анна."),  # lightly edited
        42: draft.replace("наш магазин.", f"новинки {HOSTILE}"),  # rewritten
    }
    common: dict[str, Any] = {
        "language": "ru",
        "draft_text": draft,
        "draft_generated": draft,
        "draft_parts": parts,
        "draft_family": "positive",
        "draft_script": "positive_generic",
    }
    await stack.add(*(make_item(n, **common) for n in published))
    async with stack.signed_in("ann") as agent:
        for n, text in published.items():
            ok = await agent.post(f"/api/queue/{uuid.UUID(int=n)}/approve", json={"text": text})
            assert ok.status_code == 200, ok.text
    data = (await stack.api.get("/api/insights/drafts")).json()
    assert data["total"]["approvals"] == 3
    assert (data["total"]["unchanged"], data["total"]["light"], data["total"]["rewritten"]) == (
        1,
        1,
        1,
    )
    assert data["total"]["acceptance"] == pytest.approx(2 / 3, abs=1e-3)
    assert [r["key"] for r in data["by_family"]] == ["positive"]
    assert [r["key"] for r in data["by_script"]] == ["positive_generic"]
    assert [r["key"] for r in data["by_platform"]] == ["wildberries"]
    moves = {m["move"]: m for m in data["moves"]}
    assert data["moves"][0]["move"] == "invite"  # the most edited
    assert moves["invite"]["edited"] == 2 and moves["invite"]["rewritten"] == 1
    assert moves["greeting"]["edited"] == 0
    assert moves["invite"]["example_draft"] == "Подписывайтесь на наш магазин."
    other = (await stack.api.get("/api/insights/drafts", params={"platform": "ozon"})).json()
    assert other["total"]["approvals"] == 0 and other["moves"] == []
    async with stack.signed_in("oleg") as owner:
        page = await owner.get("/insights/drafts")
    assert page.status_code == 200
    assert "<script>window" not in page.text and "&lt;script&gt;window" in page.text
    assert 'id="moves"' in page.text and "67%" in page.text


async def test_re_approval_replaces_the_record_and_follow_ups_are_compared(stack: Stack) -> None:
    apology = "Простите, что чайник подвёл: передадим это в отдел качества."
    draft = f"Здравствуйте!\n{apology}\nС уважением, Acme."
    item = make_item(
        50,
        language="ru",
        sentiment="negative",
        rating=1,
        draft_text=draft,
        draft_generated=draft,
        draft_parts=[
            ["greeting", "Здравствуйте!"],
            ["apology", apology],
            ["sign_off", "С уважением, Acme."],
        ],
        draft_family="negative",
        draft_script="negative_generic",
    )
    await stack.add(item)
    mid = item.mention_id
    sessions = stack.app.state.ctx.runtime.sessions
    async with stack.signed_in("ann") as agent:
        first = (await agent.post(f"/api/queue/{mid}/approve", json={})).json()
        failed = ReplyFailed(
            reply_id=first["reply_id"], mention_id=mid, platform="wildberries", error="too late"
        )
        await handle_reply_failed(make_envelope(failed, producer="test"), sessions=sessions)
        edited = draft.replace("передадим это", "сегодня же передадим ваш отзыв")
        second = await agent.post(f"/api/queue/{mid}/approve", json={"text": edited})
        assert second.status_code == 200, second.text
    async with session_scope(sessions) as session:
        edits = list(await session.scalars(select(DraftEdit).where(DraftEdit.mention_id == mid)))
        moves = list(await session.scalars(select(DraftMoveEdit)))
    assert [(e.reply_id, e.verdict) for e in edits] == [(second.json()["reply_id"], "light")]
    assert {m.reply_id for m in moves} == {second.json()["reply_id"]}
    assert {m.move: m.verdict for m in moves}["apology"] == "rewritten"

    async with session_scope(sessions) as session:  # published; the case goes on
        stored = await session.get(QueueItem, mid)
        assert stored is not None
        stored.state = "published"
    async with stack.signed_in("oleg") as owner:
        await owner.post(f"/api/queue/{mid}/case", json={"step": "contacted_privately"})
        resolved = await owner.post(
            f"/api/queue/{mid}/case",
            json={"step": "resolved", "resolution": "мы заменили чайник"},
        )
        assert resolved.status_code == 200, resolved.text
        follow_up = resolved.json()["follow_up"]
        ok = await owner.post(f"/api/queue/{mid}/follow-up/approve", json={})
        assert ok.status_code == 200, ok.text
    async with session_scope(sessions) as session:
        record = await session.get(DraftEdit, ok.json()["reply_id"])
    assert record is not None
    assert (record.target, record.family, record.verdict) == ("follow_up", "follow_up", "unchanged")
    assert record.script_id == follow_up["follow_up_script"]
    data = (await stack.api.get("/api/insights/drafts")).json()
    assert {r["key"]: r["approvals"] for r in data["by_family"]} == {
        "negative": 1,
        "follow_up": 1,
    }
