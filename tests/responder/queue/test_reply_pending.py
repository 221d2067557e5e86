"""A reply the platform holds in moderation: `reply.pending` shows it as pending (neither
published nor failed, not approvable again), then `reply.published` or `reply.failed`
settles it (audit section 6, findings 2 and 3)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.events import ReplyFailed, ReplyPending, ReplyPublished
from shared.topics import REPLIES_FAILED, REPLIES_PENDING, REPLIES_PUBLISHED
from tests.conftest import DatabaseFactory
from tests.responder.queue.queue_stack import Stack, make_item, running

pytestmark = pytest.mark.postgres


@pytest.fixture
async def stack(broker: Any, topic_prefix: str, databases: DatabaseFactory) -> AsyncIterator[Stack]:
    async with running(broker, topic_prefix, await databases.new("responder")) as s:
        yield s


async def wait_for(stack: Stack, mention_id: str, value: str) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for _ in range(200):
        item = (await stack.api.get(f"/api/queue/{mention_id}")).json()
        if item["state"] == value:
            return item
        await asyncio.sleep(0.1)
    raise AssertionError(f"state never became {value!r}: {item.get('state')!r}")


async def test_pending_reply_then_published_or_rejected(stack: Stack) -> None:
    shown_reply, refused_reply = str(uuid.uuid4()), str(uuid.uuid4())
    shown = make_item(1, platform="ozon", state="approved", reply_id=shown_reply, reply_text="Ok")
    refused = make_item(
        2, platform="wildberries", state="approved", reply_id=refused_reply, reply_text="Ok"
    )
    await stack.add(shown, refused)
    publisher = stack.app.state.ctx.runtime.publisher
    for item, reply_id in ((shown, shown_reply), (refused, refused_reply)):
        await publisher.publish(
            REPLIES_PENDING,
            ReplyPending(
                reply_id=uuid.UUID(reply_id),
                mention_id=uuid.UUID(item.mention_id),
                platform=item.platform,
                external_reply_id="c-1",
                detail="awaiting moderation",
                posted_at=datetime.now(UTC),
            ),
        )
    pending = await wait_for(stack, shown.mention_id, "pending")
    assert pending["reply_error"] is None
    await wait_for(stack, refused.mention_id, "pending")
    async with stack.signed_in("ann") as agent:
        page = await agent.get(f"/items/{shown.mention_id}")
        assert page.status_code == 200 and 'id="pending-note"' in page.text
        assert "not posted again" in page.text
        listed = await agent.get("/", params={"state": "pending"})
        assert listed.status_code == 200 and shown.mention_id in listed.text
        again = await agent.post(f"/api/queue/{shown.mention_id}/approve", json={})
        assert again.status_code == 409  # not approvable while the platform decides

    await publisher.publish(
        REPLIES_PUBLISHED,
        ReplyPublished(
            reply_id=uuid.UUID(shown_reply),
            mention_id=uuid.UUID(shown.mention_id),
            platform="ozon",
            published_at=datetime.now(UTC),
        ),
    )
    await publisher.publish(
        REPLIES_FAILED,
        ReplyFailed(
            reply_id=uuid.UUID(refused_reply),
            mention_id=uuid.UUID(refused.mention_id),
            platform="wildberries",
            error="wildberries: Wildberries moderation rejected the answer",
        ),
    )
    assert (await wait_for(stack, shown.mention_id, "published"))["answered_at"]
    failed = await wait_for(stack, refused.mention_id, "failed")
    assert "moderation rejected" in failed["reply_error"]
