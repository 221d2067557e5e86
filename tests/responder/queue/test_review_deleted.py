"""A review deleted on the platform (`mention.deleted` from ingest) closes its waiting
queue item as "deleted by the customer or the platform", shown on the item and counted;
an item already answered is left alone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.events import MentionDeleted
from shared.topics import MENTIONS_DELETED
from tests.conftest import DatabaseFactory
from tests.responder.queue.queue_stack import Stack, make_item, running

pytestmark = pytest.mark.postgres


@pytest.fixture
async def stack(broker: Any, topic_prefix: str, databases: DatabaseFactory) -> AsyncIterator[Stack]:
    async with running(broker, topic_prefix, await databases.new("responder")) as s:
        yield s


async def test_deleted_review_closes_its_waiting_item(stack: Stack) -> None:
    waiting = make_item(1, platform="yandex_market", state="open")
    failed = make_item(2, platform="ozon", state="failed", reply_error="HTTP 500")
    answered = make_item(3, platform="wildberries", state="published", reply_id=str(uuid.uuid4()))
    await stack.add(waiting, failed, answered)
    publisher = stack.app.state.ctx.runtime.publisher
    for item in (waiting, failed, answered):
        await publisher.publish(
            MENTIONS_DELETED,
            MentionDeleted(
                mention_id=uuid.UUID(item.mention_id),
                platform=item.platform,
                source_id=item.source_id,
                external_id=item.external_id,
                detected_at=datetime.now(UTC),
            ),
        )
    states: dict[str, str] = {}
    for _ in range(200):
        states = {
            i.mention_id: (await stack.api.get(f"/api/queue/{i.mention_id}")).json()["state"]
            for i in (waiting, failed)
        }
        if set(states.values()) == {"deleted"}:
            break
        await asyncio.sleep(0.1)
    assert set(states.values()) == {"deleted"}, states
    kept = (await stack.api.get(f"/api/queue/{answered.mention_id}")).json()
    assert kept["state"] == "published"
    async with stack.signed_in("ann") as agent:
        page = await agent.get(f"/items/{waiting.mention_id}")
        assert "deleted by the customer or the platform" in page.text
        listed = await agent.get("/", params={"state": "deleted"})
        assert listed.status_code == 200 and waiting.mention_id in listed.text
    registry = stack.app.state.ctx.runtime.metrics.registry
    assert (
        registry.get_sample_value(
            "otklik_responder_queue_items_total",
            {"platform": "yandex_market", "sentiment": waiting.sentiment, "outcome": "deleted"},
        )
        == 1.0
    )


async def test_a_customers_addition_shows_its_original_review(stack: Stack) -> None:
    """A supplemented review (Wildberries: a new id carrying its original's) says so in
    the queue list, on its page (with a link to the original's item) and in the API."""
    from shared.events import mention_id_for

    original = make_item(1, external_id="WbFb0001")
    addition = make_item(2, external_id="WbFb0002", supplements="WbFb0001")
    await stack.add(original, addition)
    read = (await stack.api.get(f"/api/queue/{addition.mention_id}")).json()
    link = str(mention_id_for("wildberries", "WbFb0001"))
    assert read["supplements"] == "WbFb0001" and read["supplements_mention_id"] == link
    assert (await stack.api.get(f"/api/queue/{original.mention_id}")).json()[
        "supplements_mention_id"
    ] is None
    async with stack.signed_in("ann") as agent:
        page = await agent.get(f"/items/{addition.mention_id}")
        assert "addition to their earlier review" in page.text
        assert f'href="/items/{link}"' in page.text
        listed = await agent.get("/")
        assert 'class="badge supplement"' in listed.text
