"""The queue UI in Debian's chromium: the countdown ticks every second, and keyboard
shortcuts on the item page save and regenerate the draft (never while typing)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import DatabaseFactory
from tests.fakes.server import serve_app
from tests.responder.queue.queue_stack import PASSWORDS, make_item, running

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.skip("Debian's chromium package is not installed (scripts/setup-system.sh)")
    return path


async def test_countdown_ticks_and_shortcuts(
    broker: Any, topic_prefix: str, tmp_path: Any, chromium: str
) -> None:
    from playwright.async_api import async_playwright

    databases = DatabaseFactory("sqlite", tmp_path)
    now = datetime.now(UTC)
    soon = make_item(1, due_at=now + timedelta(minutes=30), sentiment="negative", rating=1)
    later = make_item(2, due_at=now + timedelta(hours=20))
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        await stack.add(soon, later)
        async with serve_app(stack.app) as url, async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=chromium,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-sync"],
            )
            try:
                page = await browser.new_page()
                await page.goto(f"{url}/login")
                await page.fill("input[name=username]", "ann")
                await page.fill("input[name=password]", PASSWORDS["ann"])
                await page.click("button[type=submit]")
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
            finally:
                await browser.close()
    await databases.close()
