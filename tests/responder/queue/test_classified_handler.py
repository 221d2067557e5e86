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
from services.responder.queue_item.service import product_recent, recent_replies_for
from shared.db import session_scope
from shared.events import MentionClassified, Sentiment
from tests.conftest import DatabaseFactory
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


async def test_a_batch_is_stored_once_whatever_repeats_in_it(databases: DatabaseFactory) -> None:
    """One transaction per Kafka batch: the same mention twice in a batch, and the whole
    batch redelivered, leave one item per mention with its first draft."""
    metrics = make_responder_metrics(CollectorRegistry())
    when = datetime(2026, 11, 1, 10, tzinfo=UTC)
    mentions = [
        make_mention(external_id=str(i), text=f"Сломался через день #{i}", published_at=when)
        for i in range(6)
    ]
    events = [
        envelope(MentionClassified(mention=m, classification=make_classification(m, neg)))
        for m, neg in zip(mentions, [Sentiment.negative, Sentiment.positive] * 3, strict=True)
    ]
    batch = [*events, events[0], events[3]]
    drafter = build_drafters(ResponderSettings()).reply
    async with migrated(await databases.new()) as sessions:
        first: dict[str, str | None] = {}
        for delivery in range(2):  # the second: a redelivery after a crash before the commit
            await handle_mentions_classified(
                batch, sessions=sessions, drafter=drafter, deadline_for=due_in_24h, metrics=metrics
            )
            async with session_scope(sessions) as session:
                items = {
                    i.mention_id: i.draft_text for i in await session.scalars(select(QueueItem))
                }
            if delivery == 0:
                first = items
        assert sorted(items) == sorted(str(m.mention_id) for m in mentions)
        assert items == first and all(items.values())


async def test_recent_replies_of_a_batch_come_in_one_query_as_one_per_product(
    databases: DatabaseFactory,
) -> None:
    """The batch's recent replies per (platform, product) are those `product_recent` reads
    product by product: the newest `limit`, oldest first."""
    metrics = make_responder_metrics(CollectorRegistry())
    drafter = build_drafters(ResponderSettings()).reply
    mentions = [
        make_mention(
            external_id=f"r{i}",
            text=f"Отличный чайник #{i}",
            sku=f"SKU-{i % 3}",
            platform=("wildberries", "ozon")[i % 2],
            published_at=datetime(2026, 11, 1, 10, tzinfo=UTC),
        )
        for i in range(30)
    ]
    async with migrated(await databases.new()) as sessions:
        for m in mentions:  # one batch each: distinct update times, in order
            event = MentionClassified(
                mention=m, classification=make_classification(m, Sentiment.positive)
            )
            await handle_mentions_classified(
                [envelope(event)],
                sessions=sessions,
                drafter=drafter,
                deadline_for=due_in_24h,
                metrics=metrics,
            )
        keys = {(m.platform, m.product.sku) for m in mentions} | {("ozon", "SKU-none")}
        async with session_scope(sessions) as session:
            together = await recent_replies_for(session, keys, limit=3)
            for platform, sku in keys:
                one = await product_recent(session, platform=platform, product_sku=sku, limit=3)
                assert together[(platform, sku)] == list(reversed(one)), (platform, sku)
    assert sum(len(v) for v in together.values()) == 3 * 6


async def test_a_customers_addition_is_shown_as_a_supplement_of_its_review(
    tmp_path: Path,
) -> None:
    """Wildberries lists a customer's addition to a review under a new id: its item says
    which review it supplements (and that review's item), not an unrelated new review."""
    from services.responder.queue_item.schemas import QueueItemRead
    from shared.events import mention_id_for

    metrics = make_responder_metrics(CollectorRegistry())
    when = datetime(2026, 11, 1, 10, tzinfo=UTC)
    original = make_mention(external_id="WbFb0001", text="Пришёл с браком", published_at=when)
    addition = make_mention(
        external_id="WbFb0002", text="Дополняю: продавец так и не ответил", published_at=when
    ).model_copy(update={"supplements": "WbFb0001"})
    events = [
        envelope(MentionClassified(mention=m, classification=make_classification(m, neg)))
        for m, neg in ((original, Sentiment.negative), (addition, Sentiment.negative))
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
            items = {i.external_id: i for i in await session.scalars(select(QueueItem))}
            read = QueueItemRead.model_validate(items["WbFb0002"])
    assert items["WbFb0001"].supplements is None
    assert items["WbFb0002"].supplements == "WbFb0001"
    assert read.supplements_mention_id == str(mention_id_for("wildberries", "WbFb0001"))
    assert read.supplements_mention_id == items["WbFb0001"].mention_id
