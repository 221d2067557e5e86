"""Insight pages in a real browser (Debian's chromium via Playwright): sign in, see the
charts, check the numbers they carry, and that hostile review quotes show as text."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from insight.factories import envelope, make_classification, make_mention, migrated
from insight.test_insight_aggregates import deliver
from insight.test_insight_api import settings_for
from services.responder.main import create_app
from shared.broker import free_port
from shared.events import AssignmentMade, MentionClassified, ReplyPublished, Sentiment
from tests.browser import browser_page, sign_in

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() or shutil.which("chromium") is None,
        reason="needs Debian's `chromium` package (/usr/bin/chromium): apt-get install chromium",
    ),
]

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
QS = "?from=2026-03-01&to=2026-03-31"


def traffic() -> list[Any]:
    events = []
    platforms = ["wildberries"] * 3 + ["ozon"] * 2
    for i, platform in enumerate(platforms):
        negative = i in (0, 1, 3)
        text = f"{HOSTILE} The lid leaks badly." if negative else "The lid is perfect."
        m = make_mention(
            external_id=f"p{i}",
            platform=platform,
            text=text,
            rating=1 if negative else 5,
            published_at=DAY + timedelta(days=i % 2),
        )
        span = "The lid leaks badly" if negative else "The lid is perfect"
        polarity = Sentiment.negative if negative else Sentiment.positive
        events.append(
            envelope(
                MentionClassified(
                    mention=m,
                    classification=make_classification(m, polarity, [("lid", polarity, span)]),
                )
            )
        )
        events.append(
            envelope(AssignmentMade(mention_id=m.mention_id, owner_id="o1", owner_name="Olga"))
        )
        if i < 2:
            events.append(
                envelope(
                    ReplyPublished(
                        reply_id=uuid.uuid4(),
                        mention_id=m.mention_id,
                        platform=platform,
                        published_at=m.published_at + timedelta(hours=2 + 2 * i),
                    )
                )
            )
    return events


@pytest.fixture
async def served(broker: Any, topic_prefix: str, tmp_path: Path) -> AsyncIterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}"
    async with migrated(url) as sessions:
        await deliver(sessions, traffic())
    port = free_port()
    app = create_app(settings_for(broker, topic_prefix, url))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    task = asyncio.create_task(server.serve())
    for _ in range(300):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=60)


async def chart_values(page: Any, chart_id: str) -> dict[str, Any]:
    figure = page.locator(f"figure#chart-{chart_id}")
    assert await figure.locator("svg").count() == 1, chart_id
    return json.loads(await figure.get_attribute("data-values"))


async def test_insight_pages_show_charts_with_the_right_numbers(served: str) -> None:
    async with browser_page(str(CHROMIUM)) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(f"{served}/insights{QS}")
        assert "/login" in page.url  # same sign-in as the queue
        await sign_in(page, served, "admin", "otklik-dev-token")
        await page.wait_for_url("**/insights**")

        by_platform = await chart_values(page, "mentions-by-platform")
        assert by_platform["labels"] == ["ozon", "wildberries"]
        assert by_platform["series"] == {
            "positive": [1, 1],
            "neutral": [0, 0],
            "negative": [1, 2],
        }
        trend = await chart_values(page, "sentiment-trend")
        assert trend["labels"] == ["2026-03-02", "2026-03-03"]
        assert trend["series"]["negative"] == [1, 2]
        sla = await chart_values(page, "sla-by-platform")
        assert sla["series"]["within SLA %"] == [None, 100.0]
        assert await page.locator("#kpi-mentions b").inner_text() == "5"
        assert await page.locator("nav a[href='/insights']").count() == 1

        await page.click("#products a")
        await page.wait_for_url("**/insights/products/SKU-1**")
        aspects = await chart_values(page, "aspects")
        assert aspects == {"labels": ["lid"], "series": {"praise": [2], "complaints": [3]}}
        weak = await chart_values(page, "weak-points")
        assert weak["series"]["negative"] == [3]
        complaints = page.locator("section.aspect[data-aspect=lid] ul.complaints li")
        assert await complaints.count() == 3
        assert HOSTILE in await complaints.first.inner_text()  # shown as text
        assert dialogs == []  # nothing of the quote ran
        rating = await chart_values(page, "rating-trend")
        assert rating["series"]["rating"] == [3.67, 1.0]

        await page.goto(f"{served}/insights/platforms/wildberries{QS}")
        complaints_chart = await chart_values(page, "complaints")
        assert complaints_chart["series"]["negative"] == [2]

        await page.goto(f"{served}/insights/team{QS}")
        hours = await chart_values(page, "answer-hours")
        assert hours == {"labels": ["Olga"], "series": {"hours": [3.0]}}
        owner_sla = await chart_values(page, "owner-sla")
        assert owner_sla["series"]["within SLA %"] == [100.0]
        assert dialogs == []
