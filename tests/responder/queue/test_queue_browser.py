"""The queue UI in Debian's chromium: the countdown ticks every second, keyboard shortcuts
on the item page save and regenerate the draft (never while typing), and a negative
review's case is resolved in the case panel, its public follow-up drafted into an editor
(hostile text stays text) and approved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

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
