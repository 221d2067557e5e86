"""End to end over the real broker and real databases, the four services as processes.

200 mentions pushed (positive / neutral / negative, ru / en), one service SIGKILLed and
restarted mid-stream: every mention ends up exactly once in the queue with a draft and a
due time, every negative produces exactly one escalation delivered to a local webhook
receiver, and pushing the same 200 again creates nothing new anywhere.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from shared.broker import EmbeddedBroker
from shared.events import mention_id_for
from tests.conftest import DatabaseFactory
from tests.fakes.server import serve_app
from tests.harness import Stack, auth_headers

pytestmark = pytest.mark.slow

TEMPLATES = {
    ("negative", "ru"): (1, "Ужасное качество, {n} брак, через день сломался. Верните деньги!"),
    ("negative", "en"): (1, "Terrible quality, item {n} broke after one day. Refund please!"),
    ("positive", "ru"): (5, "Отличный товар {n}, качество супер, доставка быстрая. Спасибо!"),
    ("positive", "en"): (5, "Great product {n}, excellent quality and fast delivery. Thanks!"),
    ("neutral", "ru"): (3, "Товар {n} обычный, соответствует описанию."),
    ("neutral", "en"): (3, "Item {n} is ordinary, as described."),
}


def generate(count: int) -> list[dict[str, Any]]:
    kinds = list(TEMPLATES)
    published = datetime.now(UTC) - timedelta(hours=1)
    out = []
    for i in range(count):
        sentiment, language = kinds[i % len(kinds)]
        rating, text = TEMPLATES[(sentiment, language)]
        out.append(
            {
                "platform": ["wildberries", "ozon", "yandex_market"][i % 3],
                "external_id": f"e2e-{i}",
                "text": text.format(n=i),
                "rating": rating,
                "author": "Анна" if language == "ru" else "Ann",
                "product": {"sku": f"SKU-{i % 5}", "name": f"Kettle {i % 5}", "brand": "Kvanta"},
                "published_at": (published + timedelta(seconds=i)).isoformat(),
            }
        )
    return out


def receiver() -> tuple[FastAPI, list[dict[str, Any]]]:
    app = FastAPI()
    received: list[dict[str, Any]] = []

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, str]:
        received.append(await request.json())
        return {"status": "ok"}

    return app, received


async def push(client: httpx.AsyncClient, url: str, mentions: list[dict[str, Any]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for start in range(0, len(mentions), 25):
        response = await client.post(
            f"{url}/api/mentions",
            json={"mentions": mentions[start : start + 25]},
            headers=auth_headers(),
        )
        assert response.status_code == 202, response.text
        body = response.json()
        totals.update({k: body[k] for k in ("new", "updated", "duplicate")})
    return totals


async def queue(client: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for state in ("open", "closed"):
        response = await client.get(
            f"{url}/api/queue", params={"state": state, "limit": 500}, headers=auth_headers()
        )
        assert response.status_code == 200, response.text
        items += response.json()["items"]
    return items


async def escalations(client: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"{url}/api/escalations", params={"limit": 1000}, headers=auth_headers()
    )
    assert response.status_code == 200, response.text
    return list(response.json())


async def eventually(probe: Any, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("the pipeline did not settle in time")
        await asyncio.sleep(0.5)


async def test_pipeline_exactly_once_through_a_crash(
    broker: EmbeddedBroker, topic_prefix: str, databases: DatabaseFactory, tmp_path: Any
) -> None:
    app, received = receiver()
    urls = {name: await databases.new(name) for name in ("ingest", "responder", "alerts")}
    mentions = generate(200)
    async with serve_app(app) as hook_base:
        stack = Stack(
            broker=broker,
            prefix=topic_prefix,
            database_urls=urls,
            tmp_path=tmp_path,
            env_extra={
                "alerts": {
                    "ALERTS_WEBHOOK_URL": f"{hook_base}/hook",
                    "ALERTS_ALLOW_PRIVATE_DESTINATIONS": "true",
                    "ALERTS_NOTIFY_BASE_DELAY_S": "0.1",
                }
            },
        )
        async with stack, httpx.AsyncClient(timeout=30) as client:
            ingest, responder, alerts = (stack.urls[n] for n in ("ingest", "responder", "alerts"))
            first = await push(client, ingest, mentions[:100])
            stack.kill("responder")  # mid-stream: it is consuming the first hundred
            second = await push(client, ingest, mentions[100:])
            await stack.restart("responder")
            assert first["new"] + second["new"] == 200

            async def settled() -> list[dict[str, Any]] | None:
                items = await queue(client, responder)
                return items if len(items) >= 200 else None

            items = await eventually(settled)
            ids = [item["mention_id"] for item in items]
            assert len(ids) == len(set(ids)) == 200
            expected = {str(mention_id_for(m["platform"], m["external_id"])) for m in mentions}
            assert set(ids) == expected
            for item in items:
                assert item["draft_text"].strip(), item
                published = datetime.fromisoformat(item["published_at"])
                assert datetime.fromisoformat(item["due_at"]) == published + timedelta(hours=24)
            negatives = {i["mention_id"] for i in items if i["sentiment"] == "negative"}
            assert len(negatives) >= 60  # the classifier reads the obvious complaints

            async def escalated() -> list[dict[str, Any]] | None:
                rows = await escalations(client, alerts)
                delivered = {r["id"] for r in received}
                done = all(f"{row['id']}:owner" in delivered for row in rows)
                return rows if len(rows) >= len(negatives) and done else None

            rows = await eventually(escalated)
            assert sorted(r["mention_id"] for r in rows) == sorted(negatives)
            assert len({r["id"] for r in rows}) == len(rows)
            notification_ids = Counter(r["id"] for r in received)
            assert set(notification_ids) == {f"{row['id']}:owner" for row in rows}
            assert max(notification_ids.values()) == 1, "an escalation was delivered twice"

            again = await push(client, ingest, mentions)
            assert again == Counter({"duplicate": 200, "new": 0, "updated": 0})
            await asyncio.sleep(3)
            assert len(await queue(client, responder)) == 200
            assert len(await escalations(client, alerts)) == len(rows)
            assert len(received) == len(rows)
