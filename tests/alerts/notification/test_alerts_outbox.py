"""The notification outbox over a real database (SQLite and PostgreSQL): idempotent
enqueueing, exclusive claims under a lease, retries with backoff, giving up, the log."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.channel.contract import DeliveryResult, Notification
from services.alerts.main import MIGRATIONS
from services.alerts.notification import service
from services.alerts.notification.compose import Destination
from services.alerts.notification.models import NotificationLog, OutboxNotification, OutboxStatus
from services.alerts.notification.retry import RetryPolicy
from shared.db import make_engine, make_sessionmaker, session_scope, upgrade_to_head
from tests.alerts.conftest import Receiver

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=40)
POLICY = RetryPolicy(max_attempts=3, base_delay=2.0, jitter=0.0)
HOOK = Destination("hook", "https://hooks.example/a")
SLACK = Destination("slack", "https://slack.example/b")


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await upgrade_to_head(MIGRATIONS, database_url)
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def ok() -> DeliveryResult:
    return DeliveryResult(ok=True, channel="hook", status_code=200, latency_s=0.01)


def failed(
    status: int, *, retryable: bool = True, retry_after: float | None = None
) -> DeliveryResult:
    return DeliveryResult(
        ok=False,
        channel="hook",
        status_code=status,
        error=f"HTTP {status}",
        retryable=retryable,
        retry_after_s=retry_after,
    )


async def enqueue(sessions: async_sessionmaker[AsyncSession], *destinations: Destination) -> int:
    note = Notification(id="esc-1:owner", title="Negative review", text="<b>broken</b>")
    rows = service.outbox_rows(
        note, destinations, escalation_id="esc-1", recipient_id="olga", now=T0
    )
    async with session_scope(sessions) as session:
        return await service.enqueue(session, rows)


async def claim(sessions: async_sessionmaker[AsyncSession], now: datetime) -> list[service.Claimed]:
    async with session_scope(sessions) as session:
        return await service.claim_due(session, now=now, limit=10, lease=LEASE)


async def record(
    sessions: async_sessionmaker[AsyncSession],
    attempts: list[tuple[service.Claimed, DeliveryResult]],
    now: datetime,
) -> list[service.Recorded]:
    async with session_scope(sessions) as session:
        return await service.record(session, attempts, policy=POLICY, now=now)


async def rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, OutboxNotification]:
    async with session_scope(sessions) as session:
        found = (await session.execute(select(OutboxNotification))).scalars()
        return {r.channel: r for r in found}


async def test_enqueue_once_claim_once_lease_gives_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # The same destination twice in one call, and the same notification enqueued again
    # (a redelivered digest): one row per (notification, channel, target).
    assert await enqueue(sessions, HOOK, HOOK, SLACK) == 2
    assert await enqueue(sessions, HOOK, SLACK) == 0

    first = await claim(sessions, T0)
    assert sorted(c.destination.channel for c in first) == ["hook", "slack"]
    assert first[0].notification.text == "<b>broken</b>" and first[0].attempts == 0
    # Held under the lease: a second dispatcher gets nothing.
    assert await claim(sessions, T0 + timedelta(seconds=1)) == []

    # The webhook attempt is recorded; the slack sender died before recording.
    webhook = next(c for c in first if c.destination == HOOK)
    slack = next(c for c in first if c.destination == SLACK)
    await record(sessions, [(webhook, ok())], T0 + timedelta(seconds=1))
    assert (await rows(sessions))["hook"].status == OutboxStatus.delivered

    # Once the lease ends the slack row is due again, for another dispatcher only.
    assert await claim(sessions, T0 + LEASE - timedelta(seconds=1)) == []
    [again] = await claim(sessions, T0 + LEASE + timedelta(seconds=1))
    assert again.destination == SLACK and again.claim != slack.claim
    # The dead sender's late result does not move the row its successor holds.
    await record(sessions, [(slack, failed(500))], T0 + LEASE + timedelta(seconds=2))
    assert (await rows(sessions))["slack"].claim == again.claim
    await record(sessions, [(again, ok())], T0 + LEASE + timedelta(seconds=2))
    assert (await rows(sessions))["slack"].status == OutboxStatus.delivered


async def test_retries_with_backoff_then_gives_up_every_attempt_logged(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert await enqueue(sessions, HOOK) == 1
    now = T0
    [item] = await claim(sessions, now)
    [r] = await record(sessions, [(item, failed(503))], now)
    # Attempt 1 failed: due again after base_delay (no jitter here).
    assert r.status == OutboxStatus.pending and r.next_attempt_at == now + timedelta(seconds=2)
    assert await claim(sessions, now + timedelta(seconds=1)) == []

    now += timedelta(seconds=2)
    [item] = await claim(sessions, now)
    assert item.attempts == 1
    # The server asked for a longer pause: honoured.
    [r] = await record(sessions, [(item, failed(429, retry_after=30))], now)
    assert r.status == OutboxStatus.pending and r.next_attempt_at == now + timedelta(seconds=30)

    now += timedelta(seconds=30)
    [item] = await claim(sessions, now)
    [r] = await record(sessions, [(item, failed(500))], now)
    assert r.status == OutboxStatus.failed and r.next_attempt_at is None  # max_attempts = 3
    assert await claim(sessions, now + timedelta(hours=1)) == []

    row = (await rows(sessions))["hook"]
    assert (row.status, row.attempts, row.last_status_code) == (OutboxStatus.failed, 3, 500)
    async with session_scope(sessions) as session:
        log = (
            await session.execute(select(NotificationLog).order_by(NotificationLog.id))
        ).scalars()
        entries = [(e.attempts, e.ok, e.status_code, e.escalation_id) for e in log]
    assert entries == [(1, False, 503, "esc-1"), (2, False, 429, "esc-1"), (3, False, 500, "esc-1")]
    async with session_scope(sessions) as session:
        assert await service.count_pending(session) == 0


async def test_not_retryable_fails_at_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert await enqueue(sessions, HOOK) == 1
    [item] = await claim(sessions, T0)
    [r] = await record(sessions, [(item, failed(400, retryable=False))], T0)
    assert r.status == OutboxStatus.failed


async def test_recorder_gives_up_after_one_lease_while_the_database_is_away(
    tmp_path: Path,
) -> None:
    """Results the database cannot take are held for one lease, then dropped (bounded):
    past the lease the rows are claimable again and resend under the same id."""
    from services.alerts.config import AlertsSettings
    from services.alerts.notification.flows import Dispatcher

    away = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'alerts.db'}")
    settings = AlertsSettings(alerts_tick_interval_s=0.05)
    # on this path the dispatcher reads only its settings, sessions and metrics
    sessions = make_sessionmaker(away)
    dispatcher = Dispatcher(
        sessions=sessions,
        notifier=None,  # type: ignore[arg-type]
        settings=settings,
        metrics=None,  # type: ignore[arg-type]
    )
    dispatcher.lease = timedelta(seconds=0.3)
    note = Notification(id="esc-1:owner", title="t", text="x")
    claimed = service.Claimed(
        id=1, claim="c", notification=note, destination=HOOK, escalation_id=None,
        recipient_id=None, attempts=0, created_at=T0,
    )  # fmt: skip
    started = time.monotonic()
    try:
        await asyncio.wait_for(dispatcher._record([(claimed, ok())]), timeout=10)
    finally:
        await away.dispose()
    # It gives up by itself (wait_for would raise after 10 s); the first failure's
    # traceback is rendered on the console, which takes seconds on a loaded machine.
    assert 0.3 <= time.monotonic() - started < 9


async def test_dispatcher_delivers_a_backlog_at_a_fraction_of_a_statement_each(
    sessions: async_sessionmaker[AsyncSession], database_url: str, receiver: Receiver
) -> None:
    """A backlog costs one claim per round and one transaction (two statements) per wave:
    well under a statement per notification, whatever the backlog (it was a claim of three
    statements per few freed slots, plus ORM loads, before)."""
    from prometheus_client import CollectorRegistry
    from sqlalchemy import event, func

    from services.alerts.config import AlertsSettings
    from services.alerts.metrics import make_alerts_metrics
    from services.alerts.notification.flows import Dispatcher
    from services.alerts.notification.notifier import Notifier

    count = 200
    hook = Destination("hook", f"{receiver.base_url}/notify")
    rows = [
        row
        for i in range(count)
        for row in service.outbox_rows(
            Notification(id=f"esc-{i}:owner", title="Negative review", text="Брак"),
            [hook],
            escalation_id=f"esc-{i}",
            recipient_id="olga",
            now=T0,
        )
    ]
    async with session_scope(sessions) as session:
        assert await service.enqueue(session, rows) == count
    # The dispatcher's own engine, so only its statements are counted.
    engine = make_engine(database_url)
    statements: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, sql, *_: statements.append(sql),
    )
    settings = AlertsSettings(alerts_allow_private_destinations=True, alerts_tick_interval_s=0.2)
    metrics = make_alerts_metrics(CollectorRegistry())
    async with httpx.AsyncClient(trust_env=False) as client:
        notifier = Notifier(settings=settings, client=client, metrics=metrics)
        dispatcher = Dispatcher(
            sessions=make_sessionmaker(engine),
            notifier=notifier,
            settings=settings,
            metrics=metrics,
        )
        task = asyncio.create_task(dispatcher.run())
        try:
            for _ in range(600):
                async with session_scope(sessions) as session:
                    delivered = await session.scalar(
                        select(func.count(OutboxNotification.id)).where(
                            OutboxNotification.status == OutboxStatus.delivered
                        )
                    )
                if delivered == count:
                    break
                await asyncio.sleep(0.05)
            sent = len(statements)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await engine.dispose()
    assert delivered == count
    assert sorted(r.path for r in receiver.requests) == ["/notify"] * count  # each once
    async with session_scope(sessions) as session:
        logged = await session.scalar(select(func.count(NotificationLog.id)))
    assert logged == count
    # 200 rows: 4 rounds of 64 (one claim each), 13 waves of 16 (two statements each),
    # plus an empty claim or two while idle.
    assert sent <= count * 0.2, f"{sent} statements for {count} notifications"


class _Untouchable:
    """Stands in for the notifier and the database: records any use of it."""

    def __init__(self) -> None:
        self.used: list[str] = []

    def __getattr__(self, name: str) -> object:
        self.used.append(name)
        raise AssertionError(f"used .{name}")

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.used.append("()")
        raise AssertionError("called")


async def test_a_round_that_outlived_its_lease_sends_nothing_more() -> None:
    """Past its lease a claimed round may already belong to another replica: the rest of
    it is neither sent nor recorded here (it resends after the lease, once)."""
    from services.alerts.config import AlertsSettings
    from services.alerts.notification.flows import WAVE_MARGIN, Dispatcher
    from shared.events import utcnow

    settings = AlertsSettings(alerts_tick_interval_s=0.05)
    untouchable = _Untouchable()
    dispatcher = Dispatcher(
        sessions=untouchable,  # type: ignore[arg-type]
        notifier=untouchable,  # type: ignore[arg-type]
        settings=settings,
        metrics=untouchable,  # type: ignore[arg-type]
    )
    note = Notification(id="esc-1:owner", title="t", text="x")
    claimed = [
        service.Claimed(
            id=i,
            claim="c",
            notification=note,
            destination=HOOK,
            escalation_id=None,
            recipient_id=None,
            attempts=0,
            created_at=T0,
        )
        for i in range(3)
    ]
    almost_out = utcnow() + dispatcher.timeout + WAVE_MARGIN - timedelta(seconds=1)
    # Bounded: a round that did send would keep retrying its record for a whole lease.
    await asyncio.wait_for(dispatcher._send_round(claimed, almost_out), timeout=10)
    assert untouchable.used == []
    assert dispatcher.in_flight == {} and dispatcher.unrecorded == []
