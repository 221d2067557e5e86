"""Seller facts in Debian's chromium: a manager edits a fact in the UI (hostile text stays
text), and the next draft for a question proposes the new wording, shown on the item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import browser_page, chromium_or_skip, sign_in
from tests.conftest import DatabaseFactory
from tests.fakes.server import serve_app
from tests.responder.fact.fact_stack import ask, running_with_facts, write_facts
from tests.responder.queue.queue_stack import HOSTILE, PASSWORDS

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium() -> str:
    return chromium_or_skip()


async def test_manager_edits_a_fact_and_the_next_draft_uses_it(
    broker: Any, topic_prefix: str, tmp_path: Path, chromium: str
) -> None:
    databases = DatabaseFactory("sqlite", tmp_path)
    url = await databases.new("responder")
    async with running_with_facts(broker, topic_prefix, url, write_facts(tmp_path)) as stack:
        before = await ask(stack, "q1", "Подскажите, эта модель маломерит?")
        first = (await stack.api.get(f"/api/queue/{before}")).json()["draft_facts"]
        assert [u["wording"] for u in first] == ["Модель маломерит на размер."]
        async with serve_app(stack.app) as base, browser_page(chromium) as page:
            await sign_in(page, base, "oleg", PASSWORDS["oleg"])
            await page.wait_for_selector("table#queue")
            await page.click("nav >> text=Seller facts")
            await page.wait_for_selector("tr[data-fact-id='size-sku-1']")
            await page.click("tr[data-fact-id='size-sku-1'] >> text=Edit")
            await page.wait_for_selector("#fact-form")

            await page.fill("#fact-text-ru", "")  # no wording at all: refused, naming it
            await page.fill("#fact-text-en", "")
            await page.click("#fact-save")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.startsWith('text')"
            )
            wording = f"Модель маломерит на полтора размера. {HOSTILE}"
            await page.fill("#fact-text-ru", wording)
            await page.fill("#fact-text-en", "This model runs 1.5 sizes small.")
            await page.click("#fact-save")
            await page.wait_for_function(
                "document.querySelector('#status').textContent.includes('Fact saved')"
            )
            assert await page.evaluate("window.__xss") is None

            saved = (await stack.api.get("/api/facts/size-sku-1")).json()
            assert saved["text"]["ru"] == " ".join(wording.split())
            assert (saved["revision"], saved["origin"], saved["updated_by"]) == (2, "ui", "oleg")
            audit = (await stack.api.get("/api/facts/size-sku-1/audit")).json()["items"]
            assert [e["action"] for e in audit] == ["update", "import"]

            # The next question about it gets the manager's new wording as the proposed answer.
            after = await ask(stack, "q2", "А модель маломерит? Какой размер брать?")
            (used,) = (await stack.api.get(f"/api/queue/{after}")).json()["draft_facts"]
            assert (used["id"], used["wording"]) == ("size-sku-1", saved["text"]["ru"])

            await page.goto(f"{base}/items/{after}")
            shown = page.locator("#draft-facts .fact-wording")
            assert await shown.inner_text() == saved["text"]["ru"]  # the text, as text
            assert await page.evaluate("window.__xss") is None

            await page.goto(f"{base}/facts/audit?fact_id=size-sku-1")
            assert "oleg (manager)" in await page.locator("#fact-audit").inner_text()
            assert await page.evaluate("window.__xss") is None
    await databases.close()
