"""mentions.classified → queue items: what opens an item and an answer clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import select

from services.responder.config import ResponderSettings
from services.responder.metrics import make_responder_metrics
from services.responder.queue_item.drafting import build_drafters
from services.responder.queue_item.handlers import handle_mentions_classified
from services.responder.queue_item.models import QueueItem
from shared.db import session_scope
from shared.events import MentionClassified, Sentiment
from tests.responder.insight.factories import (
    due_in_24h,
    envelope,
    make_classification,
    make_mention,
    migrated,
)


async def test_history_already_answered_on_the_platform_opens_no_item(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    metrics = make_responder_metrics(registry)
    when = datetime(2026, 11, 1, 10, tzinfo=UTC)
    fresh = make_mention(external_id="1", text="Сломался через день", published_at=when)
    history = make_mention(external_id="2", text="Пришёл с браком", published_at=when)
    history = history.model_copy(update={"answered": True})
    events = [
        envelope(MentionClassified(mention=m, classification=make_classification(m, neg)))
        for m, neg in ((fresh, Sentiment.negative), (history, Sentiment.negative))
    ]
    async with migrated(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}") as sessions:
        await handle_mentions_classified(
            events,
            sessions=sessions,
            drafter=build_drafters(ResponderSettings()).reply,
            deadline_for=due_in_24h,
            metrics=metrics,
        )
        async with session_scope(sessions) as session:
            items = list(await session.scalars(select(QueueItem)))
    assert [i.mention_id for i in items] == [str(fresh.mention_id)]
    labels = {"platform": "wildberries", "sentiment": "negative"}
    sample = "otklik_responder_queue_items_total"
    assert registry.get_sample_value(sample, {**labels, "outcome": "answered_elsewhere"}) == 1
    assert registry.get_sample_value(sample, {**labels, "outcome": "opened"}) == 1
