"""A spike whose mentions are split across two alerts replicas' partitions is one crisis.

Issue 16 item 9: crisis detection kept its windows in each replica's memory, so each saw
only its own partitions' mentions (with N replicas a spike had to be N times larger) and
the replicas overwrote each other's saved detector. Here two replicas of the service run
in one consumer group on one PostgreSQL database, each consuming one partition of
`mentions.classified`; the burst gives each fewer negatives than `min_volume`, together
more. Exactly one crisis opens: one record, one notification, one `crisis` alert, one
"opened" signal counted across both replicas, although both replicas tick the whole time.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import select

from services.alerts.crisis.detector import CrisisConfig
from services.alerts.notification.models import OutboxNotification
from shared.broker import EmbeddedBroker
from shared.db import make_engine, make_sessionmaker, session_scope
from shared.events import MentionClassified, Sentiment
from shared.topics import ALERTS, MENTIONS_CLASSIFIED
from tests.alerts.factories import classification, mention
from tests.alerts.service.conftest import Running, StartAlerts, eventually, read_topic

MIN_VOLUME = 6
PER_REPLICA = 4  # below MIN_VOLUME on each replica, above it together

CRISIS = CrisisConfig(
    window=timedelta(seconds=3),
    baseline=timedelta(seconds=20),
    bucket=timedelta(seconds=0.25),
    min_volume=MIN_VOLUME,
    ratio=3.0,
    min_history=timedelta(seconds=0.5),
    cooldown=timedelta(minutes=5),
    dimensions=("brand",),
)


def event(name: str, sentiment: Sentiment) -> MentionClassified:
    return MentionClassified(
        mention=mention(name, brand="Boom", text=f"review {name}"),
        classification=classification(sentiment),
    )


def split_burst() -> list[MentionClassified]:
    """PER_REPLICA negatives for each of the topic's 2 partitions (the producer's own
    partitioner on the mention-id key decides where each lands)."""
    partitioner = DefaultPartitioner()
    per_partition: dict[int, list[MentionClassified]] = {0: [], 1: []}
    for i in range(200):
        e = event(f"spike-{i}", Sentiment.negative)
        kept = per_partition[partitioner(e.key(), [0, 1], [0, 1])]
        if len(kept) < PER_REPLICA:
            kept.append(e)
        if all(len(v) == PER_REPLICA for v in per_partition.values()):
            break
    return per_partition[0] + per_partition[1]


async def counter(svc: Running, name: str, label: str = "") -> float:
    text = (await svc.api.get("/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") and label in line
    )


async def test_split_spike_opens_one_crisis(
    alerts: StartAlerts, broker: EmbeddedBroker, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database (SQLite: one replica)")
    replicas = [await alerts(alerts_crisis=CRISIS) for _ in range(2)]
    topic = replicas[0].topics.name(MENTIONS_CLASSIFIED)

    async def split() -> bool:
        owned = [
            {
                tp.partition
                for tp in svc.app.state.ctx.runtime.consumers[0].assignment()
                if tp.topic == topic
            }
            for svc in replicas
        ]
        return all(len(o) == 1 for o in owned) and owned[0] != owned[1]

    await eventually(split, timeout=30, what="one partition per replica")
    publisher = replicas[0].publisher
    # The brand is watched: a little positive traffic, then the history min_history asks.
    calm = [event(f"calm-{i}", Sentiment.positive) for i in range(4)]
    await publisher.publish_envelopes(MENTIONS_CLASSIFIED, [publisher.envelope(e) for e in calm])
    await asyncio.sleep(CRISIS.window.total_seconds() + 1.0)
    burst = split_burst()
    await publisher.publish_envelopes(MENTIONS_CLASSIFIED, [publisher.envelope(e) for e in burst])

    async def escalated_each() -> list[float] | None:
        counts = [
            await counter(svc, "otklik_alerts_escalation_steps_total", 'level="owner"')
            for svc in replicas
        ]
        return counts if sum(counts) == len(burst) else None

    # The split is real: each replica escalated (consumed) fewer negatives than the threshold.
    counts = await eventually(escalated_each, timeout=15, what="every negative escalated")
    assert counts == [PER_REPLICA, PER_REPLICA], counts

    async def opened() -> list[dict[str, Any]] | None:
        return (await replicas[1].api.get("/api/crises")).json() or None

    await eventually(opened, timeout=10, what="a crisis from the split spike")
    # Both tickers keep judging the same windows (every 0.2 s): nothing more may come.
    await asyncio.sleep(1.5)
    crises = (await replicas[0].api.get("/api/crises")).json()
    assert len(crises) == 1, crises
    evidence = crises[0]["evidence"]
    assert len(evidence) == 1 and evidence[0]["key"] == "brand:boom"
    assert evidence[0]["negatives"] == len(burst)
    signals = [await counter(svc, "otklik_alerts_crises_total") for svc in replicas]
    assert sum(signals) == 1, signals
    alerts_seen = await read_topic(
        broker.bootstrap_servers,
        replicas[0].topics.name(ALERTS),
        until=lambda envs: any(e.payload.kind == "crisis" for e in envs),
        timeout=10,
    )
    assert len([e for e in alerts_seen if e.payload.kind == "crisis"]) == 1
    engine = make_engine(database_url)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            notified = (
                await session.execute(
                    select(OutboxNotification.notification_id).where(
                        OutboxNotification.notification_id.like("crisis:%")
                    )
                )
            ).scalars()
            assert list(notified) == [f"crisis:{crises[0]['id']}"]
    finally:
        await engine.dispose()
