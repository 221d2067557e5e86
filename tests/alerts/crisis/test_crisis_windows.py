"""The crisis windows in the database, shared by alerts replicas (SQLite and PostgreSQL).

Two replicas count the halves of a spike in concurrent batch transactions; two judge the
windows at the same moment. The counts add up, and one crisis opens with one
notification: the other judge finds the lease taken (or, after it, the cool-down).
The old single-process snapshot is converted by the migration into the same rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from alembic import command
from prometheus_client import CollectorRegistry
from sqlalchemy import JSON, bindparam, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.config import AlertsSettings
from services.alerts.crisis import flows, store
from services.alerts.crisis.detector import CrisisConfig
from services.alerts.crisis.models import (
    CrisisCooldown,
    CrisisCount,
    CrisisLease,
    CrisisRecord,
    CrisisSample,
)
from services.alerts.main import MIGRATIONS
from services.alerts.metrics import make_alerts_metrics
from services.alerts.notification.models import OutboxNotification
from services.alerts.notification.notifier import Notifier
from services.alerts.owner.directory import Directory
from shared.db import alembic_config, make_engine, make_sessionmaker, session_scope
from shared.events import MentionClassified, Sentiment, mention_id_for
from tests.alerts.factories import classification, mention

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
CONFIG = CrisisConfig(
    window=timedelta(minutes=10),
    baseline=timedelta(hours=1),
    min_volume=6,
    min_history=timedelta(minutes=30),
    dimensions=("brand", "aspect"),
)
PEOPLE = Directory(default_owner="olga", people=[{"id": "olga", "name": "Olga"}])
BEFORE = "3b8f0c6d2e51"  # the head before the windows moved into the database


async def migrate(url: str, target: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, url), target)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate(database_url, "head")
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def notifier() -> AsyncIterator[Notifier]:
    settings = AlertsSettings(alerts_webhook_url="http://127.0.0.1:9/notify")
    async with httpx.AsyncClient() as client:
        yield Notifier(
            settings=settings, client=client, metrics=make_alerts_metrics(CollectorRegistry())
        )


def negatives(prefix: str, n: int) -> list[MentionClassified]:
    return [
        MentionClassified(
            mention=mention(f"{prefix}-{i}", brand="Boom", text=f"<b>leaks</b> {prefix} {i}"),
            classification=classification(
                Sentiment.negative, aspects=(("leak", Sentiment.negative),)
            ),
        )
        for i in range(n)
    ]


async def test_halves_counted_by_two_replicas_open_one_crisis(
    sessions: async_sessionmaker[AsyncSession], notifier: Notifier
) -> None:
    async with session_scope(sessions) as session:
        await store.ensure_lease(session, T0 - timedelta(hours=1))
    async with session_scope(sessions) as session:
        await store.ensure_lease(session, T0)  # a later replica's start changes nothing

    async def count(events: list[MentionClassified], at: datetime) -> None:
        async with session_scope(sessions) as session:
            await flows.count(session, fresh=events, config=CONFIG, now=at)

    # A quiet baseline: 2 negatives in the hour before the window.
    await count(negatives("old", 2), T0 - timedelta(minutes=40))
    # The spike, half on each replica, in concurrent batch transactions.
    await asyncio.gather(*(count(negatives(r, 4), T0) for r in ("a", "b")))

    async def judge(at: datetime) -> list[flows.Raised] | None:
        async with session_scope(sessions) as session:
            return await flows.judge_windows(
                session,
                crisis=CONFIG,
                directory=PEOPLE,
                notifier=notifier,
                now=at,
                lease=LEASE,
            )

    now = T0 + timedelta(seconds=30)
    first, second = await asyncio.gather(judge(now), judge(now))
    raised = (first or []) + (second or [])
    assert sorted(r.signal.key for r in raised) == ["aspect:leak", "brand:boom"]
    assert {r.outcome for r in raised} == {"opened"}
    brand = next(r.signal for r in raised if r.signal.key == "brand:boom")
    assert brand.negatives == brand.total == 8
    assert brand.baseline_negatives == 2
    assert brand.top_aspects == [("leak", 8)]
    assert len(brand.samples) == CONFIG.sample_size
    assert all("<b>leaks</b>" in s["text"] for s in brand.samples)
    # Later passes (either replica): the cool-down holds, nothing opens again.
    assert await judge(now + timedelta(seconds=5)) == []
    async with session_scope(sessions) as session:
        assert await session.scalar(select(func.count()).select_from(CrisisRecord)) == 2
        notified = (await session.execute(select(OutboxNotification.notification_id))).scalars()
        assert sorted(notified) == sorted(f"crisis:{r.crisis.id}" for r in raised)
        lease = await session.get(CrisisLease, store.LEASE_ID)
        assert lease is not None and lease.claim is None
        assert lease.watched_since == T0 - timedelta(hours=1)

    # Past the baseline and the cool-down everything is forgotten.
    assert await judge(T0 + timedelta(hours=8)) == []
    async with session_scope(sessions) as session:
        for model in (CrisisCount, CrisisSample, CrisisCooldown):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


def old_snapshot() -> dict[str, Any]:
    """The single-process detector's saved state, as it stored it in JSON: per key its
    minute buckets by index (negatives, total, negatives per aspect), its newest negative
    samples and its last signal; and when it started watching. Three negatives about a
    leak and one positive mention 5 minutes before T0; the brand signalled 1 minute before."""
    minute = int((T0 - timedelta(minutes=5)).timestamp() // 60)
    samples = [
        {
            "at": (T0 - timedelta(minutes=5, seconds=i)).timestamp(),
            "mention_id": str(mention_id_for("wildberries", f"s-{i}")),
            "text": f"<b>leaks</b> s {i}",
        }
        for i in (2, 1, 0)
    ]
    return {
        "started_at": (T0 - timedelta(hours=2)).timestamp(),
        "keys": {
            "brand:boom": {
                "buckets": {
                    str(minute - 1): {"negatives": 2, "total": 3, "aspects": {"leak": 2}},
                    str(minute): {"negatives": 1, "total": 1, "aspects": {"leak": 1}},
                },
                "samples": samples,
                "last_signal_at": (T0 - timedelta(minutes=1)).timestamp(),
            },
            "aspect:leak": {
                "buckets": {
                    str(minute - 1): {"negatives": 2, "total": 2, "aspects": {"leak": 2}},
                    str(minute): {"negatives": 1, "total": 1, "aspects": {"leak": 1}},
                },
                "samples": samples,
                "last_signal_at": None,
            },
        },
    }


async def test_migration_converts_the_detector_snapshot(
    database_url: str, notifier: Notifier
) -> None:
    await migrate(database_url, BEFORE)
    snapshot = old_snapshot()
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO crisis_detector_snapshots (id, snapshot, updated_at)"
                    " VALUES (1, :snapshot, :at)"
                ).bindparams(bindparam("snapshot", type_=JSON())),
                {"snapshot": snapshot, "at": T0},
            )
        await migrate(database_url, "head")
        sessions = make_sessionmaker(engine)
        async with session_scope(sessions) as session:
            windows = await store.read_windows(session, replace(CONFIG, min_volume=1), T0)
            assert (windows["brand:boom"].negatives, windows["brand:boom"].total) == (3, 4)
            assert (windows["aspect:leak"].negatives, windows["aspect:leak"].total) == (3, 3)
            await store.add_evidence(session, CONFIG, T0, windows)
            assert windows["brand:boom"].aspects == {"leak": 3}
            assert [s.mention_id for s in windows["brand:boom"].samples] == [
                str(mention_id_for("wildberries", f"s-{i}")) for i in range(3)
            ]
            last = await store.cooldowns(session, ["brand:boom", "aspect:leak"])
            assert last == {"brand:boom": (T0 - timedelta(minutes=1)).timestamp()}
            lease = await session.get(CrisisLease, store.LEASE_ID)
            assert lease is not None and lease.watched_since == T0 - timedelta(hours=2)
        await engine.dispose()
        await asyncio.to_thread(command.downgrade, alembic_config(MIGRATIONS, database_url), BEFORE)
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert "crisis_detector_snapshots" in tables and "crisis_counts" not in tables
    finally:
        await engine.dispose()
