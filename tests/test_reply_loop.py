"""The reply loop over the real broker: a Wildberries review (served by the local fake of
its documented API) is polled, classified, drafted, approved in the queue — by API and in
a real browser — posted back to the platform, confirmed, and the item shows it published.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.ingest.config import IngestSettings
from services.ingest.main import create_app as create_ingest
from services.responder.config import ResponderSettings
from services.responder.main import create_app as create_responder
from services.sentiment.config import SentimentSettings
from services.sentiment.main import create_app as create_sentiment
from shared.broker import EmbeddedBroker
from shared.events import mention_id_for
from tests.browser import browser_page, chromium_or_skip, sign_in
from tests.conftest import DatabaseFactory
from tests.fakes.server import serve_app
from tests.fakes.wildberries import FakeWildberries

TOKEN = "loop-api-token"
WB_TOKEN = "wb-seller-token"
HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> Брак!'


@dataclass
class Loop:
    wb: FakeWildberries
    ingest: httpx.AsyncClient
    responder: httpx.AsyncClient
    responder_url: str
    apps: dict[str, FastAPI]


async def eventually(probe: Callable[[], Awaitable[Any]], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def loop(
    broker: EmbeddedBroker,
    topic_prefix: str,
    databases: DatabaseFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Loop]:
    wb = FakeWildberries(token=WB_TOKEN, rate=None)
    created = datetime.now(UTC) - timedelta(hours=2)
    wb.add_feedback("WB-NEG-1", created, text="Чайник пришёл с браком, течёт. Ужасно!", rating=1)
    wb.add_feedback("WB-POS-1", created, text="Отличный чайник, быстро закипает", rating=5)
    wb.add_feedback("WB-XSS-1", created, text=HOSTILE, rating=2)
    monkeypatch.setenv("WB_TOKEN", WB_TOKEN)
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": broker.bootstrap_servers,
        "kafka_topic_prefix": topic_prefix,
        "kafka_session_timeout_ms": 6000,
        "api_token": TOKEN,
        "log_json": False,
    }
    async with AsyncExitStack() as stack:
        wb_url = await stack.enter_async_context(serve_app(wb.app))
        sources = tmp_path / "sources.yml"
        sources.write_text(
            "sources:\n"
            "  - id: wb-main\n"
            "    platform: wildberries\n"
            "    poll_interval_s: 0.5\n"
            f"    options: {{base_url: '{wb_url}', overlap_s: 0}}\n"
            "    credentials: {token: '${WB_TOKEN}'}\n"
        )
        apps = {
            "ingest": create_ingest(
                IngestSettings(
                    database_url=await databases.new("ingest"),
                    ingest_sources_file=sources,
                    **common,
                )
            ),
            "sentiment": create_sentiment(SentimentSettings(**common)),
            "responder": create_responder(
                ResponderSettings(
                    database_url=await databases.new("responder"),
                    responder_users={"anna": "s3cret-pass"},
                    **common,
                )
            ),
        }
        contexts = [app.router.lifespan_context(app) for app in apps.values()]
        await asyncio.gather(*(stack.enter_async_context(c) for c in contexts))
        responder_url = await stack.enter_async_context(serve_app(apps["responder"]))
        ingest = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(apps["ingest"]), base_url="http://i")
        )
        responder = await stack.enter_async_context(
            httpx.AsyncClient(base_url=responder_url, timeout=30)
        )
        yield Loop(wb, ingest, responder, responder_url, apps)
        for name in ("ingest", "responder"):
            assert apps[name].state.ctx.runtime.alive(), f"{name}: a background task died"


async def item(loop: Loop, external_id: str) -> dict[str, Any] | None:
    mention_id = mention_id_for("wildberries", external_id)
    response = await loop.responder.get(f"/api/queue/{mention_id}", headers=auth())
    return response.json() if response.status_code == 200 else None


async def test_review_polled_drafted_approved_and_posted_back(loop: Loop) -> None:
    negative = await eventually(lambda: item(loop, "WB-NEG-1"), "the review in the queue")
    assert negative["sentiment"] == "negative"
    assert negative["draft_text"]
    assert negative["source_id"] == "wb-main"

    bad = await loop.responder.post(
        f"/api/queue/{negative['mention_id']}/approve",
        json={"text": "Позвоните нам: +7 999 123-45-67 или пишите на help@shop.ru"},
        headers=auth(),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "lint_failed"

    # Lint-clean under a complaint on Wildberries: no exchange, no asking for the order,
    # no check the seller did not decide on.
    reply = (
        "Анна, простите за брак. Вернуть чайник можно через раздел «Покупки», а ваш отзыв "
        "мы передадим команде."
    )
    approved = await loop.responder.post(
        f"/api/queue/{negative['mention_id']}/approve", json={"text": reply}, headers=auth()
    )
    assert approved.status_code == 200, approved.text
    again = await loop.responder.post(
        f"/api/queue/{negative['mention_id']}/approve", json={"text": reply}, headers=auth()
    )
    assert again.status_code == 409

    async def published() -> dict[str, Any] | None:
        current = await item(loop, "WB-NEG-1")
        return current if current and current["state"] == "published" else None

    done = await eventually(published, "the reply published on the platform")
    assert done["answered_at"] is not None
    posted = [a for a in loop.wb.answers if a.get("id") == "WB-NEG-1"]
    assert len(posted) == 1 and posted[0]["text"] == reply

    # The case: resolved in private, then the public follow-up, drafted from the owner's
    # note, goes out as a second reply: on Wildberries an edit of the answer (PATCH).
    case = f"/api/queue/{negative['mention_id']}/case"
    contacted = await loop.responder.post(
        case, json={"step": "contacted_privately"}, headers=auth()
    )
    assert contacted.status_code == 200, contacted.text
    resolved = await loop.responder.post(
        case, json={"step": "resolved", "resolution": "мы заменили чайник"}, headers=auth()
    )
    assert resolved.status_code == 200, resolved.text
    follow_up = resolved.json()["follow_up"]["follow_up_text"]
    assert "Мы заменили чайник." in follow_up
    sent = await loop.responder.post(
        f"/api/queue/{negative['mention_id']}/follow-up/approve", json={}, headers=auth()
    )
    assert sent.status_code == 200, sent.text

    async def follow_up_published() -> dict[str, Any] | None:
        current = await item(loop, "WB-NEG-1")
        return current if current and current["follow_up_state"] == "published" else None

    await eventually(follow_up_published, "the follow-up published on the platform")
    posted = [a for a in loop.wb.answers if a.get("id") == "WB-NEG-1"]
    assert [(a["method"], a["text"]) for a in posted] == [("POST", reply), ("PATCH", follow_up)]
    assert loop.wb.feedbacks["WB-NEG-1"]["answer"]["text"] == follow_up

    sources = (await loop.ingest.get("/api/sources", headers=auth())).json()
    assert [(s["source_id"], s["healthy"]) for s in sources] == [("wb-main", True)]


async def test_rejected_credentials_mark_the_source_unhealthy(loop: Loop) -> None:
    await eventually(lambda: item(loop, "WB-POS-1"), "the first poll")
    loop.wb.token = "rotated-by-the-seller"

    async def unhealthy() -> dict[str, Any] | None:
        rows = (await loop.ingest.get("/api/sources", headers=auth())).json()
        return rows[0] if not rows[0]["healthy"] else None

    source = await eventually(unhealthy, "the source marked unhealthy")
    assert "401" in source["last_error"]
    assert WB_TOKEN not in source["last_error"]


@pytest.mark.browser
async def test_queue_ui_in_a_real_browser(loop: Loop) -> None:
    chromium = chromium_or_skip()
    await eventually(lambda: item(loop, "WB-XSS-1"), "the hostile review in the queue")
    await eventually(lambda: item(loop, "WB-NEG-1"), "the negative review in the queue")
    async with browser_page(chromium) as page:
        await page.goto(f"{loop.responder_url}/")
        assert page.url.startswith(f"{loop.responder_url}/login")
        await sign_in(page, loop.responder_url, "anna", "wrong")
        assert "Wrong name or password" in await page.content()
        await sign_in(page, loop.responder_url, "anna", "s3cret-pass")
        await page.wait_for_selector("table#queue tbody tr")
        rows = await page.locator("table#queue tbody tr").count()
        assert rows == 3
        summary = page.locator("#summary")
        assert await summary.locator('li[data-key="open"] b').inner_text() == "3"
        assert await summary.locator('li[data-key="breached"] b').inner_text() == "0"
        # Hostile review text is shown as text, never run as markup.
        assert await page.evaluate("window.__xss") is None
        assert "<script>" in await page.locator("table#queue").inner_text()

        xss_id = str(mention_id_for("wildberries", "WB-XSS-1"))
        await page.goto(f"{loop.responder_url}/items/{xss_id}")
        assert await page.evaluate("window.__xss") is None
        assert HOSTILE.strip() in await page.locator("#review-text").inner_text()

        negative_id = str(mention_id_for("wildberries", "WB-NEG-1"))
        await page.goto(f"{loop.responder_url}/items/{negative_id}")
        draft = page.locator("#draft")
        assert (await draft.input_value()).strip()
        await draft.fill("Звоните: +7 999 123-45-67")
        await page.wait_for_selector("#lint li.error")
        await page.click("#regenerate")
        await page.wait_for_function("!document.querySelector('#draft').value.includes('+7 999')")
        await page.click("#approve")
        await page.wait_for_function(
            "document.querySelector('#status').textContent.includes('Approved')"
        )

        async def published() -> bool:
            current = await item(loop, "WB-NEG-1")
            return bool(current and current["state"] == "published")

        await eventually(published, "the reply approved in the browser to be published")
        assert [a["id"] for a in loop.wb.answers] == ["WB-NEG-1"]
        await page.goto(f"{loop.responder_url}/")
        answered = page.locator('#summary li[data-key="answered_today"]')
        assert (await answered.locator("b").first.inner_text()) == "1"
        assert "100 %" in await answered.inner_text()
        assert await page.locator('#summary li[data-key="open"] b').inner_text() == "2"
