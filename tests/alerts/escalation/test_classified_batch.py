"""The classified-mentions batch handler: a fixed number of statements per batch, whatever
its size, and a redelivered batch adds nothing (SQLite and PostgreSQL).

Counted, not timed: the alerts stage's rate is bound by the database round trips and the
CPU per mention, and a statement per mention (or a SELECT before every INSERT) is what
made it slow.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.alerts.assignment.models import Assignment
from services.alerts.config import AlertsSettings
from services.alerts.crisis.detector import CrisisConfig
from services.alerts.crisis.models import CrisisCount
from services.alerts.escalation.handlers import handle_mentions_classified
from services.alerts.escalation.models import Escalation
from services.alerts.main import MIGRATIONS
from services.alerts.metrics import make_alerts_metrics
from services.alerts.notification.models import OutboxNotification
from services.alerts.notification.notifier import Notifier
from services.alerts.owner.current import CurrentDirectory
from services.alerts.owner.directory import Directory
from shared.db import make_engine, make_sessionmaker, session_scope, upgrade_to_head
from shared.events import Envelope, MentionClassified, Sentiment, make_envelope
from shared.topics import ASSIGNMENTS
from tests.alerts.factories import classification, mention

#: assignments, escalations, outbox, webhook subscriptions, crisis counts, crisis samples
STATEMENTS_PER_BATCH = 6
PEOPLE = Directory(default_owner="olga", people=[{"id": "olga", "name": "Olga"}])


class Published:
    """The publisher's side of the handler: envelopes kept instead of sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Envelope[Any]]] = []

    def envelope(
        self, payload: Any, *, trace_id: str | None = None, event_id: Any = None
    ) -> Envelope[Any]:
        return make_envelope(payload, producer="alerts", trace_id=trace_id, event_id=event_id)

    async def publish_envelopes(self, topic: str, envelopes: Sequence[Envelope[Any]]) -> None:
        self.sent += [(topic, e) for e in envelopes]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_to_head(MIGRATIONS, database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def notifier() -> AsyncIterator[Notifier]:
    settings = AlertsSettings(alerts_hook_url="http://127.0.0.1:9/notify")
    async with httpx.AsyncClient() as client:
        yield Notifier(
            settings=settings, client=client, metrics=make_alerts_metrics(CollectorRegistry())
        )


def batch(prefix: str, n: int) -> list[Envelope[MentionClassified]]:
    """n mentions, every third negative (with an aspect, so crisis counts and samples)."""
    out = []
    for i in range(n):
        sentiment = Sentiment.negative if i % 3 == 0 else Sentiment.positive
        event = MentionClassified(
            mention=mention(f"{prefix}-{i}", text=f"review {prefix} {i}"),
            classification=classification(sentiment, aspects=(("quality", sentiment),)),
        )
        out.append(make_envelope(event, producer="sentiment"))
    return out


async def totals(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_scope(sessions) as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Assignment, Escalation, OutboxNotification)
        } | {
            "counted": int(
                await session.scalar(
                    select(func.sum(CrisisCount.total)).where(CrisisCount.aspect == "")
                )
                or 0
            )
        }


async def test_statements_per_batch_do_not_grow_and_a_redelivery_adds_nothing(
    engine: AsyncEngine, notifier: Notifier
) -> None:
    sessions = make_sessionmaker(engine)
    published = Published()
    statements: Counter[str] = Counter()

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def count(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        statements[" ".join(statement.split()[:3])] += 1

    async def handle(envelopes: list[Envelope[MentionClassified]]) -> int:
        statements.clear()
        await handle_mentions_classified(
            envelopes,
            sessions=sessions,
            directory=CurrentDirectory(PEOPLE, 1),
            notifier=notifier,
            crisis=CrisisConfig(dimensions=("brand", "aspect")),
            publisher=published,  # type: ignore[arg-type]
            metrics=notifier.metrics,
            webhook_wakeup=asyncio.Event(),
        )
        return sum(statements.values())

    small, large = batch("s", 10), batch("l", 100)
    assert await handle(small) <= STATEMENTS_PER_BATCH, statements
    assert await handle(large) <= STATEMENTS_PER_BATCH, statements
    negatives = 4 + 34
    stored = await totals(sessions)
    assert stored == {
        "assignments": 110,
        "escalations": negatives,
        "notification_outbox": negatives,  # the owner's first step, to the hook
        # each mention counted once per dimension key (brand, aspect)
        "counted": 2 * 110,
    }

    # The same batch again (a redelivery after a crash before the offset commit).
    first = [e.event_id for _, e in published.sent[10:]]
    await handle(large)
    assert await totals(sessions) == stored
    again = [e.event_id for _, e in published.sent[110:]]
    assert again == first and {t for t, _ in published.sent} == {ASSIGNMENTS}
