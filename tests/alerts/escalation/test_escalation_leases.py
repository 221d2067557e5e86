"""Escalations shared by several alerts replicas over one database (SQLite and PostgreSQL).

Audit/issue item 9: the ticker's timers and the per-escalation locks lived in one process,
so two replicas would both take a due step, and a step taken in one could overwrite an
acknowledgement made in the other. Now due escalations are leased to one replica's
ticker, and every change to an escalation holds its row lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.escalation import flows
from services.alerts.escalation.models import Escalation
from services.alerts.main import MIGRATIONS
from services.alerts.metrics import make_alerts_metrics
from shared.db import make_engine, make_sessionmaker, session_scope, upgrade_to_head
from shared.events import Sentiment

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await upgrade_to_head(MIGRATIONS, database_url)
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


async def open_escalations(sessions: async_sessionmaker[AsyncSession], count: int) -> list[str]:
    rows = [
        flows.new_escalation(
            mention_id=f"m-{i}",
            owner_id="olga",
            team_id=None,
            reason="negative",
            title="Negative review",
            context={"text": "broken"},
            sentiment=Sentiment.negative,
            now=T0,
        )
        for i in range(count)
    ]
    async with session_scope(sessions) as session:
        session.add_all(rows)
    return [r.id for r in rows]


async def test_two_replicas_never_claim_the_same_due_escalation(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await open_escalations(sessions, 40)

    async def claim(limit: int) -> tuple[str | None, list[str]]:
        async with session_scope(sessions) as session:
            return await flows.claim_due(session, T0, lease=LEASE, limit=limit)

    (token_a, got_a), (token_b, got_b) = await asyncio.gather(claim(25), claim(25))
    assert token_a and token_a != token_b
    assert not set(got_a) & set(got_b), "one escalation leased to two replicas"
    # PostgreSQL's second claim skips the rows the first one locked and takes the next
    # ones; SQLite's conditional claim leaves them to a later pass. Nothing is lost:
    _, rest = await claim(100)
    assert not (set(got_a) | set(got_b)) & set(rest)
    assert sorted([*got_a, *got_b, *rest]) == sorted(ids)

    # Held: nothing is due again until the lease ends …
    assert await claim(100) == (None, [])
    async with session_scope(sessions) as session:
        again, taken_over = await flows.claim_due(session, T0 + LEASE, lease=LEASE, limit=100)
    # … then a replica whose holder died takes all of them over, under a new token,
    assert sorted(taken_over) == sorted(ids)
    async with session_scope(sessions) as session:
        claims = set((await session.execute(select(Escalation.claim))).scalars())
    assert claims == {again}
    # and the old holder, back from a pause, no longer owns them.
    async with session_scope(sessions) as session:
        row = await flows.locked(session, got_a[0])
        assert row is not None and row.claim != token_a


async def test_a_change_waits_for_the_one_in_progress_and_reads_what_it_committed(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    """Two replicas acknowledge one escalation at the same moment: the second waits for
    the first's row lock and sees its acknowledgement (without the lock both would say
    "first", and the later commit would overwrite the earlier state)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer in at a time")
    [escalation_id] = await open_escalations(sessions, 1)
    metrics = make_alerts_metrics(CollectorRegistry())
    first_holds = asyncio.Event()
    release_first = asyncio.Event()

    async def replica_a() -> bool:
        async with session_scope(sessions) as session:
            row = await flows.locked(session, escalation_id)
            assert row is not None
            first = flows.acknowledge(row, "anna", T0 + timedelta(minutes=1), metrics)
            await session.flush()
            first_holds.set()
            await release_first.wait()
            return first

    async def replica_b() -> bool:
        await first_holds.wait()
        async with session_scope(sessions) as session:
            row = await flows.locked(session, escalation_id)
            assert row is not None
            return flows.acknowledge(row, "boris", T0 + timedelta(minutes=2), metrics)

    a = asyncio.create_task(replica_a())
    b = asyncio.create_task(replica_b())
    await first_holds.wait()
    await asyncio.sleep(0.5)
    assert not b.done(), "the second change did not wait for the first one's lock"
    release_first.set()
    assert await asyncio.wait_for(a, 10) is True
    assert await asyncio.wait_for(b, 10) is False
    async with session_scope(sessions) as session:
        row = await session.get(Escalation, escalation_id)
        assert row is not None
        assert (row.status, row.acknowledged_by) == ("acknowledged", "anna")
