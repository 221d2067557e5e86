"""The reply-queue UI works under the Content-Security-Policy every service now sends.

Audit L5. The page runs with the policy enforced (no bypass): the countdown (app.js)
ticks, a shortcut saves a draft through fetch with the CSRF token, and the browser
reports no violation.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser import browser_page, chromium_or_skip, sign_in
from tests.conftest import DatabaseFactory
from tests.fakes.server import serve_app
from tests.responder.queue.queue_stack import PASSWORDS, make_item, running

pytestmark = pytest.mark.browser


async def _changes(locator: Any, before: str, timeout: float = 10.0) -> bool:
    for _ in range(int(timeout / 0.1)):
        if await locator.inner_text() != before:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_queue_ui_runs_under_the_content_security_policy(
    broker: Any, topic_prefix: str, tmp_path: Any
) -> None:
    chromium = chromium_or_skip()
    databases = DatabaseFactory("sqlite", tmp_path)
    item = make_item(1, due_at=datetime.now(UTC) + timedelta(minutes=30))
    violations: list[str] = []
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        await stack.add(item)
        async with serve_app(stack.app) as url, browser_page(chromium, enforce_csp=True) as page:
            page.on(
                "console",
                lambda m: (
                    violations.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )
            await sign_in(page, url, "ann", PASSWORDS["ann"])
            response = await page.goto(f"{url}/items/{item.mention_id}")
            assert response is not None
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            countdown = page.locator("#countdown")
            assert await _changes(countdown, await countdown.inner_text()), "app.js not running"
            status = page.locator("#status")
            await page.locator("#draft").fill("Спасибо за отзыв!")
            await page.keyboard.press("Escape")
            await page.keyboard.press("s")
            for _ in range(100):
                if "Draft saved" in await status.inner_text():
                    break
                await asyncio.sleep(0.1)
            saved = (await stack.api.get(f"/api/queue/{item.mention_id}")).json()
            assert saved["draft_text"] == "Спасибо за отзыв!"
    await databases.close()
    assert violations == []
