"""The queue UI in Debian's chromium: the countdown ticks every second, keyboard shortcuts
on the item page save and regenerate the draft (never while typing), a negative review's
case is resolved in the case panel, its public follow-up drafted into an editor (hostile
text stays text) and approved; a review's question is highlighted and answered in place
of the placeholder before approval; an advert typed under a complaint shows the lint's
warning."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.responder.queue_item.router import lint_text
from services.responder.queue_item.service import open_item
from shared.db import session_scope
from shared.events import (
    Classification,
    Mention,
    MentionKind,
    Product,
    QuestionSpan,
    Sentiment,
)
from tests.browser import browser_page, chromium_or_skip, sign_in
from tests.conftest import DatabaseFactory
from tests.fakes.server import serve_app
from tests.responder.queue.queue_stack import HOSTILE, PASSWORDS, make_item, running

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium() -> str:
    return chromium_or_skip()


async def test_countdown_ticks_and_shortcuts(
    broker: Any, topic_prefix: str, tmp_path: Any, chromium: str
) -> None:
    databases = DatabaseFactory("sqlite", tmp_path)
    now = datetime.now(UTC)
    soon = make_item(1, due_at=now + timedelta(minutes=30), sentiment="negative", rating=1)
    later = make_item(2, due_at=now + timedelta(hours=20))
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        await stack.add(soon, later)
        async with serve_app(stack.app) as url, browser_page(chromium) as page:
            await sign_in(page, url, "ann", PASSWORDS["ann"])
            await page.wait_for_selector("table#queue tbody tr td.due[data-due]")
            first = page.locator("table#queue tbody tr").first
            assert "sla-due_soon" in (await first.get_attribute("class") or "")
            due = first.locator("td.due")
            before = await due.inner_text()
            assert before.startswith("0h 2") and before.endswith("s")  # ticking format
            await page.wait_for_function(
                "(b) => document.querySelector('td.due').textContent !== b", arg=before
            )
            assert await due.inner_text() != before

            await page.goto(f"{url}/items/{soon.mention_id}")
            countdown = page.locator("#countdown")
            shown = await countdown.inner_text()
            await page.wait_for_function(
                "(b) => document.querySelector('#countdown').textContent !== b", arg=shown
            )
            assert "a" in await page.locator("#shortcuts").inner_text()

            draft = page.locator("#draft")
            await draft.fill("Анна, простите: заменим чайник, напишите номер заказа.")
            await page.keyboard.press("s")  # typing: goes into the text, not a shortcut
            assert (await draft.input_value()).endswith("заказа.s")
            await page.keyboard.press("Escape")
            await page.keyboard.press("s")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('Draft saved')"
            )
            saved = (await stack.api.get(f"/api/queue/{soon.mention_id}")).json()
            assert saved["draft_text"].endswith("заказа.s")

            await page.keyboard.press("r")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('New draft')"
            )
            assert not (await draft.input_value()).endswith("заказа.s")
            actions = (await stack.api.get(f"/api/queue/{soon.mention_id}")).json()
            assert [a["action"] for a in actions["actions"]] == ["edit", "regenerate"]
            assert {a["actor"] for a in actions["actions"]} == {"ann"}

            await page.keyboard.press("n")  # next item in the queue
            await page.wait_for_url(f"{url}/items/{later.mention_id}")
    await databases.close()


async def test_case_resolved_and_follow_up_approved(
    broker: Any, topic_prefix: str, tmp_path: Any, chromium: str
) -> None:
    databases = DatabaseFactory("sqlite", tmp_path)
    negative = make_item(
        1,
        sentiment="negative",
        rating=1,
        language="ru",
        state="published",
        reply_id=str(uuid.uuid4()),
        reply_text="Анна, простите за брак: напишите в чат продавца номер заказа.",
    )
    resolution = f"мы заменили чайник {HOSTILE}"
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        await stack.add(negative)
        async with serve_app(stack.app) as url, browser_page(chromium) as page:
            await sign_in(page, url, "oleg", PASSWORDS["oleg"])
            await page.wait_for_selector("table#queue")

            await page.goto(f"{url}/items/{negative.mention_id}")
            await page.fill("#case-note", "chat #42")
            await page.click("#case-step")  # contacted privately → the page reloads
            await page.wait_for_selector("#case-resolution")
            await page.click("#case-step")  # no resolution: refused, naming the field
            await page.wait_for_function(
                "document.querySelector('#status').textContent.startsWith('resolution')"
            )
            await page.fill("#case-resolution", resolution)
            await page.click("#case-step")
            await page.wait_for_selector("#follow-up")

            follow_up = page.locator("#follow-up")
            drafted = await follow_up.input_value()
            assert "Мы заменили чайник <img src=x" in drafted  # the text, as text
            assert "<script>window.__xss=2</script>" in drafted
            assert await page.evaluate("window.__xss") is None
            shown = await page.locator("#resolution").inner_text()
            assert shown == " ".join(resolution.split())

            await follow_up.fill("Анна, спасибо за терпение! Мы заменили чайник. Ждём вас.")
            await page.click("#follow-up-save")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('Follow-up saved')"
            )
            await page.click("#follow-up-approve")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('Follow-up approved')"
            )
            item = (await stack.api.get(f"/api/queue/{negative.mention_id}")).json()
            assert (item["case_state"], item["follow_up_state"]) == (
                "public_follow_up",
                "approved",
            )
            assert item["follow_up_text"].endswith("Ждём вас.")
            assert [a["action"] for a in item["actions"]] == [
                "case",
                "case",
                "follow_up_draft",
                "follow_up_edit",
                "case",
                "follow_up_approve",
            ]
            assert {a["actor"] for a in item["actions"]} == {"oleg"}
            await page.reload()
            assert "approved" in await page.locator("#follow-up-state").inner_text()
            assert await page.evaluate("window.__xss") is None
    await databases.close()


async def test_question_highlighted_answered_in_place_and_approved(
    broker: Any, topic_prefix: str, tmp_path: Any, chromium: str
) -> None:
    """The review's question is highlighted (hostile text around it stays text); approval
    with the `{answer}` placeholder is refused in words an agent understands; the agent
    writes the answer in its place and approves."""
    databases = DatabaseFactory("sqlite", tmp_path)
    question = "А есть ли инструкция на русском?"
    text = f"{HOSTILE} Чайник хороший. {question} Жду ответа."
    start = text.index(question)
    mention = Mention(
        mention_id=uuid.UUID(int=5),
        platform="wildberries",
        source_id="wb-main",
        external_id="WB-5",
        kind=MentionKind.question,
        text=text,
        rating=None,
        author="Анна",
        product=Product(sku="SKU-1", name="Чайник Acme", brand="Acme"),
        published_at=datetime.now(UTC) - timedelta(hours=1),
    )
    classification = Classification(
        sentiment=Sentiment.neutral,
        score=0.7,
        language="ru",
        questions=[QuestionSpan(start=start, end=start + len(question), text=question)],
    )
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        ctx = stack.app.state.ctx
        async with session_scope(ctx.runtime.sessions) as session:
            await open_item(
                session,
                mention=mention,
                classification=classification,
                due_at=datetime.now(UTC) + timedelta(hours=20),
                drafter=ctx.drafter,
            )
        mid = str(mention.mention_id)
        async with serve_app(stack.app) as url, browser_page(chromium) as page:
            await sign_in(page, url, "ann", PASSWORDS["ann"])
            await page.wait_for_selector("table#queue")
            await page.goto(f"{url}/items/{mid}")
            marked = page.locator("#review-text mark.question")
            assert await marked.count() == 1
            assert await marked.inner_text() == question
            assert (
                "<script>window.__xss=2</script>" in await page.locator("#review-text").inner_text()
            )
            assert await page.evaluate("window.__xss") is None
            answer = page.locator("#answers li.answer")
            assert question in await answer.locator("q.asked").inner_text()
            assert "{answer}" in await answer.inner_text()

            draft = page.locator("#draft")
            assert "{answer}" in await draft.input_value()
            await page.click("#approve")
            await page.wait_for_function(
                "document.querySelector('#status').textContent"
                ".includes('write the answer in place of {answer}')"
            )
            assert (
                "«А есть ли инструкция на русском?»" in await page.locator("#status").inner_text()
            )
            written = (await draft.input_value()).replace(
                "{answer}", "Да, инструкция на русском лежит в коробке."
            )
            await draft.fill(written)
            await page.wait_for_function(
                "!document.querySelector('#lint li[data-code=unfilled_slot]')"
            )
            await page.click("#approve")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('Approved')"
            )
            item = (await stack.api.get(f"/api/queue/{mid}")).json()
            assert item["state"] == "approved"
            assert "инструкция на русском лежит в коробке" in item["reply_text"]
    await databases.close()


async def test_complaint_shows_the_lint_warning_for_a_typed_advert(
    broker: Any, topic_prefix: str, tmp_path: Any, chromium: str
) -> None:
    """An agent types a "subscribe" line under a complaint: the item's lint (the review's
    stars and the draft's family go with the text) shows it while typing, and approval is
    refused naming it."""
    databases = DatabaseFactory("sqlite", tmp_path)
    complaint = make_item(
        6,
        text="Чайник потёк через неделю.",
        sentiment="negative",
        rating=1,
        language="ru",
        draft_family="negative",
        draft_text="Здравствуйте! Простите за протёкший чайник: заменим его.",
    )
    advert = " Подписывайтесь на наш магазин, впереди много новинок!"
    expected = [
        i
        for i in lint_text(complaint.draft_text + advert, "wildberries", "review", item=complaint)
        if i.code == "advert"
    ]
    assert expected, "the content lint flags an advert under a complaint"
    assert not [
        i
        for i in lint_text(complaint.draft_text, "wildberries", "review", item=complaint)
        if i.code == "advert"
    ]
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        await stack.add(complaint)
        async with serve_app(stack.app) as url, browser_page(chromium) as page:
            await sign_in(page, url, "ann", PASSWORDS["ann"])
            await page.wait_for_selector("table#queue")
            await page.goto(f"{url}/items/{complaint.mention_id}")
            draft = page.locator("#draft")
            await draft.click()
            await page.keyboard.press("End")
            await page.keyboard.type(advert)
            codes = [i.code for i in expected]
            await page.wait_for_function(
                "(codes) => codes.every((c) => document.querySelector(`#lint li[data-code=${c}]`))",
                arg=codes,
            )
            shown = await page.locator("#lint li[data-code=advert]").all_inner_texts()
            assert {i.message for i in expected} <= set(shown)
            assert "advert" in shown[0].lower()
            await page.click("#approve")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('advert')"
            )
            item = (await stack.api.get(f"/api/queue/{complaint.mention_id}")).json()
            assert item["state"] == "open"  # not approved with the advert in it
    await databases.close()


async def test_fact_proposed_answer_is_confirmed_before_approval(
    broker: Any, topic_prefix: str, tmp_path: Any, chromium: str
) -> None:
    """An answer proposed from a seller fact is shown as such; approval waits until the
    agent ticks its confirmation."""
    databases = DatabaseFactory("sqlite", tmp_path)
    wording = "Инструкция на русском лежит в коробке."
    item = make_item(
        8,
        language="ru",
        text=f"Есть ли инструкция на русском? {HOSTILE}",
        draft_text=f"Здравствуйте! {wording} С уважением, Acme.",
        draft_answers=[
            {"question": "Есть ли инструкция на русском?", "fact_id": "manual-ru", "text": wording}
        ],
        draft_facts_used=["manual-ru"],
    )
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        await stack.add(item)
        async with serve_app(stack.app) as url, browser_page(chromium) as page:
            await sign_in(page, url, "ann", PASSWORDS["ann"])
            await page.wait_for_selector("table#queue")
            await page.goto(f"{url}/items/{item.mention_id}")
            proposed = page.locator("#answers li.from-fact .proposed")
            assert "Proposed from seller fact manual-ru — confirm" in await proposed.inner_text()
            assert wording in await proposed.inner_text()
            await page.click("#approve")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('fact manual-ru')"
            )
            assert (await stack.api.get(f"/api/queue/{item.mention_id}")).json()["state"] == "open"
            await page.check("input.confirm-fact[value='manual-ru']")
            await page.click("#approve")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('Approved')"
            )
            read = (await stack.api.get(f"/api/queue/{item.mention_id}")).json()
            assert read["state"] == "approved"
            assert read["actions"][-1]["note"] == "confirmed seller facts: manual-ru"
            assert await page.evaluate("window.__xss") is None
    await databases.close()
