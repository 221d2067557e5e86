"""The weekly digest: schedule arithmetic, its content from aggregates, and publication once
per brand and week on the alerts topic (real broker), across restarts."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from insight.factories import envelope, make_classification, make_mention, migrated
from insight.test_insight_aggregates import deliver
from services.responder.insight.digest import (
    BrandWeek,
    WeakPoint,
    brand_week,
    build_digest,
    latest_slot,
    send_due_digests,
)
from services.responder.insight.schemas import MentionStats, SlaStats
from shared.bus import Publisher, ensure_topics
from shared.db import session_scope
from shared.events import MentionClassified, ReplyPublished, Sentiment
from shared.topics import ALERTS, Topics


def test_latest_slot_in_local_time() -> None:
    # Monday 09:00 in Moscow is 06:00 UTC.
    before = latest_slot(
        datetime(2026, 3, 9, 5, 59, tzinfo=UTC), weekday=0, hour=9, tz="Europe/Moscow"
    )
    after = latest_slot(
        datetime(2026, 3, 9, 6, 0, tzinfo=UTC), weekday=0, hour=9, tz="Europe/Moscow"
    )
    assert before.week == "2026-W10" and before.day_from == date(2026, 2, 23)
    assert after.week == "2026-W11"
    assert (after.day_from, after.day_to) == (date(2026, 3, 2), date(2026, 3, 8))
    assert after.previous == (date(2026, 2, 23), date(2026, 3, 1))


def test_build_digest_content() -> None:
    slot = latest_slot(datetime(2026, 3, 9, 12, tzinfo=UTC), weekday=0, hour=9, tz="UTC")
    current = BrandWeek(
        mentions=MentionStats(
            mentions=40, positive=20, neutral=5, negative=15, rating_count=30, rating_avg=3.9
        ),
        sla=SlaStats(
            answerable=38,
            answered=30,
            sla_met=27,
            sla_breached=3,
            compliance=0.9,
            avg_answer_hours=5.5,
        ),
        weak_points=(
            WeakPoint(
                "A-1", "Kettle", "lid", 9, ("The lid <b>leaks</b>.", "Lid broke.", "Lid!", "4th")
            ),
            WeakPoint("A-2", "Mug", "size", 4, ()),
        ),
    )
    previous = BrandWeek(
        mentions=MentionStats(mentions=30, negative=5, rating_avg=4.2),
        sla=SlaStats(sla_met=18, sla_breached=2, compliance=0.9, avg_answer_hours=7.0),
        weak_points=(WeakPoint("A-1", "Kettle", "lid", 2),),
    )
    title, details = build_digest(
        brand="Acme", slot=slot, current=current, previous=previous, top=5
    )
    assert "Acme" in title and "2026-W11" in title
    assert details["period"] == {"from": "2026-03-02", "to": "2026-03-08"}
    lid, size = details["weak_points"]
    assert (lid["aspect"], lid["negatives"], lid["change"]) == ("lid", 9, 7)
    assert lid["quotes"] == ["The lid <b>leaks</b>.", "Lid broke.", "Lid!"]
    assert (size["negatives"], size["change"]) == (4, 4)
    assert details["changes"]["mentions"] == 10 and details["changes"]["negative"] == 10
    assert details["changes"]["rating_avg"] == -0.3
    assert details["changes"]["avg_answer_hours"] == -1.5
    assert details["sla"]["compliance"] == 0.9
    assert "Top weak points" in details["text"] and "lid — 9 negative (+7)" in details["text"]
    assert details["fields"]["Within SLA"] == "90%"
    json.dumps(details)  # travels in an event


@pytest.mark.postgres
async def test_digest_published_once_per_brand_and_week(
    broker: Any, topic_prefix: str, databases: Any
) -> None:
    now = datetime(2026, 3, 9, 10, tzinfo=UTC)  # Monday, after 09:00 UTC
    week_day = datetime(2026, 3, 4, 10, tzinfo=UTC)
    events = []
    for i, (brand, sentiment) in enumerate(
        [("Acme", Sentiment.negative), ("Acme", Sentiment.negative), ("Bolt", Sentiment.positive)]
    ):
        m = make_mention(
            external_id=f"d{i}",
            brand=brand,
            sku=f"{brand}-1",
            text="The lid leaks. Otherwise fine.",
            published_at=week_day,
        )
        aspects = (
            [("lid", Sentiment.negative, "The lid leaks")]
            if sentiment is Sentiment.negative
            else []
        )
        events.append(
            envelope(
                MentionClassified(
                    mention=m, classification=make_classification(m, sentiment, aspects)
                )
            )
        )
        if i == 0:
            events.append(
                envelope(
                    ReplyPublished(
                        reply_id=uuid.uuid4(),
                        mention_id=m.mention_id,
                        platform=m.platform,
                        published_at=week_day + timedelta(hours=2),
                    )
                )
            )
    # Our publisher never lets the broker auto-create a topic (audit M1): make it first.
    await ensure_topics(broker.bootstrap_servers, [Topics(topic_prefix).name(ALERTS)], partitions=3)
    publisher = Publisher(
        bootstrap_servers=broker.bootstrap_servers,
        topics=Topics(topic_prefix),
        producer_name="responder",
    )
    await publisher.start()
    try:
        async with migrated(await databases.new("digest")) as sessions:
            await deliver(sessions, events)
            async with session_scope(sessions) as session:
                acme = await brand_week(
                    session, brand="Acme", day_from=date(2026, 3, 2), day_to=date(2026, 3, 8)
                )
            assert acme.mentions.negative == 2 and acme.weak_points[0].negatives == 2
            assert acme.weak_points[0].quotes == ("The lid leaks.", "The lid leaks.")
            kwargs: dict[str, Any] = {
                "sessions": sessions,
                "publisher": publisher,
                "weekday": 0,
                "hour": 9,
                "tz": "UTC",
            }
            first = await send_due_digests(now=now, **kwargs)
            again = await send_due_digests(now=now + timedelta(hours=5), **kwargs)  # e.g. a restart
            next_week = await send_due_digests(now=now + timedelta(days=7), **kwargs)
    finally:
        await publisher.stop()
    assert first == ["Acme", "Bolt"] and again == [] and next_week == ["Acme", "Bolt"]

    consumer = AIOKafkaConsumer(
        Topics(topic_prefix).name(ALERTS),
        bootstrap_servers=broker.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"check-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        got: list[dict[str, Any]] = []
        for _ in range(20):
            batch = await consumer.getmany(timeout_ms=500)
            got += [json.loads(r.value) for rs in batch.values() for r in rs]
            if len(got) >= 4:
                break
    finally:
        await consumer.stop()
    assert len(got) == 4
    acme_w11 = next(
        e
        for e in got
        if e["payload"]["details"]["brand"] == "Acme"
        and e["payload"]["details"]["week"] == "2026-W11"
    )
    payload = acme_w11["payload"]
    assert payload["kind"] == "digest" and acme_w11["type"] == "alert.raised"
    assert payload["details"]["weak_points"][0]["aspect"] == "lid"
    assert payload["details"]["weak_points"][0]["negatives"] == 2
    assert payload["details"]["sla"]["answered"] == 1
    assert payload["details"]["mentions"]["mentions"] == 2
