"""Two alerts replicas (real processes) on one PostgreSQL database and the real broker.

Issue 16 item 9: alerts ran as one replica (in-process timers and locks). Here two run
side by side. While both run, each deputy step is taken by exactly one of them (their
counters add up to the steps; with in-process locks only, both tickers took 5-10 of 60
steps again). Then one is killed with SIGKILL while mentions stream in and ladder steps
come due: every negative gets one escalation, every ladder step is enqueued exactly once
and reaches the receiver, and the survivor takes over the dead one's partitions and the
escalations it held (after their lease).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.alerts.escalation.flows import escalation_id_for
from services.alerts.escalation.models import Escalation
from services.alerts.notification.models import OutboxNotification
from shared.broker import EmbeddedBroker
from shared.bus import Publisher
from shared.db import make_engine, make_sessionmaker, session_scope
from shared.events import MentionClassified, Sentiment
from shared.topics import MENTIONS_CLASSIFIED, Topics
from tests.alerts.factories import classification, mention
from tests.alerts.service.conftest import Hooks
from tests.conftest import create_pg_database, drop_pg_database, pg_url, postgres_unavailable
from tests.harness import Stack, auth_headers

pytestmark = pytest.mark.slow

MENTIONS = 240  # half negative
#: The deputy step comes due 2 s after the owner's: the tickers of both replicas race for it.
POLICIES = {
    "default": {
        "steps": [{"level": "owner"}, {"level": "deputy", "after": 2}],
    }
}
STEPS = (":owner", ":deputy")
DIRECTORY = {
    "default_owner": "olga",
    "people": [
        {"id": "olga", "name": "Olga", "deputy_id": "dima"},
        {"id": "dima", "name": "Dima"},
    ],
}


def event(i: int) -> MentionClassified:
    sentiment = Sentiment.negative if i % 2 == 0 else Sentiment.positive
    return MentionClassified(
        mention=mention(f"r-{i}", text=f"review {i}"), classification=classification(sentiment)
    )


async def deputy_steps(client: httpx.AsyncClient, url: str) -> float:
    """Deputy steps this replica took (its escalation-steps counter)."""
    text = (await client.get(f"{url}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("otklik_alerts_escalation_steps_total{") and 'level="deputy"' in line
    )


async def eventually(probe: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


async def test_two_replicas_and_a_kill_fire_every_step_once(
    broker: EmbeddedBroker, topic_prefix: str, hooks: Hooks, tmp_path: Path
) -> None:
    reason = await postgres_unavailable()
    if reason:
        pytest.skip(reason)
    name = await create_pg_database()
    config = tmp_path / "alerts.yaml"
    config.write_text(json.dumps(DIRECTORY))  # JSON is YAML
    stack = Stack(
        broker=broker,
        prefix=topic_prefix,
        database_urls={"alerts": pg_url(name)},
        tmp_path=tmp_path,
        services=("alerts",),
        env_extra={
            "alerts": {
                "ALERTS_CONFIG_FILE": str(config),
                "ALERTS_WEBHOOK_URL": f"{hooks.base_url}/notify",
                "ALERTS_ALLOW_PRIVATE_DESTINATIONS": "true",
                "ALERTS_ESCALATION_POLICIES": json.dumps(POLICIES),
                "ALERTS_TICK_INTERVAL_S": "0.2",
                "ALERTS_ESCALATION_LEASE_S": "2",
                "ALERTS_NOTIFY_BASE_DELAY_S": "0.05",
                "ALERTS_HTTP_TIMEOUT_S": "1",
            }
        },
    )
    publisher = Publisher(
        bootstrap_servers=broker.bootstrap_servers,
        topics=Topics(topic_prefix),
        producer_name="test",
    )
    engine = make_engine(pg_url(name))
    sessions = make_sessionmaker(engine)
    await publisher.start()
    try:
        async with stack, httpx.AsyncClient(timeout=30) as client:
            await stack.add_replica("alerts", "alerts-2")
            events = [event(i) for i in range(MENTIONS)]
            half = MENTIONS // 2

            async def publish(part: list[MentionClassified], kill_at: int | None = None) -> None:
                for start in range(0, len(part), 20):
                    batch = [publisher.envelope(e) for e in part[start : start + 20]]
                    await publisher.publish_envelopes(MENTIONS_CLASSIFIED, batch)
                    if start == kill_at:
                        # Mid-stream, with owner steps being sent and deputy timers running.
                        stack.kill("alerts")
                    await asyncio.sleep(0.2)

            # Both replicas up: their tickers race for every deputy step; each is taken
            # (and counted) by one of them.
            await publish(events[:half])
            first = {
                f"{escalation_id_for(str(e.mention.mention_id))}:deputy"
                for e in events[:half]
                if e.classification.sentiment == Sentiment.negative
            }

            async def first_deputies() -> bool:
                return {hit.json()["id"] for hit in hooks.at("/notify")} >= first

            await eventually(first_deputies, 60, "the deputy steps of the first half")
            await asyncio.sleep(1)
            taken = [await deputy_steps(client, stack.urls[n]) for n in ("alerts", "alerts-2")]
            assert sum(taken) == len(first), f"deputy steps taken per replica: {taken}"

            await publish(events[half:], kill_at=40)
            negatives = MENTIONS // 2
            survivor = stack.urls["alerts-2"]

            async def escalations() -> list[dict[str, Any]] | None:
                response = await client.get(
                    f"{survivor}/api/escalations", params={"limit": 1000}, headers=auth_headers()
                )
                assert response.status_code == 200, response.text
                rows = list(response.json())
                return rows if len(rows) >= negatives else None

            rows = await eventually(escalations, 90, "an escalation per negative")
            assert len(rows) == len({r["id"] for r in rows}) == negatives
            expected = {f"{r['id']}{step}" for r in rows for step in STEPS}

            async def delivered() -> set[str] | None:
                ids = {hit.json()["id"] for hit in hooks.at("/notify")} & expected
                return ids if ids >= expected else None

            await eventually(delivered, 120, "owner and deputy notifications of every escalation")
            await asyncio.sleep(1)  # nothing more may come

        # (A crisis alert, if the spike of negatives opens one, is not a ladder step.)
        received = Counter(
            n for n in (hit.json()["id"] for hit in hooks.at("/notify")) if n.endswith(STEPS)
        )
        assert set(received) == expected
        async with session_scope(sessions) as session:
            per_step: dict[str, int] = {
                n: count
                for n, count in (
                    await session.execute(
                        select(OutboxNotification.notification_id, func.count()).group_by(
                            OutboxNotification.notification_id
                        )
                    )
                ).all()
                if n.endswith(STEPS)
            }
            done = [
                tuple(sorted(state["done_keys"]))
                for state in (await session.execute(select(Escalation.state))).scalars()
            ]
        # Each step enqueued once: the step (and its decision) happened exactly once.
        assert set(per_step) == expected
        assert set(per_step.values()) == {1}, per_step
        assert all(len(keys) == 2 for keys in done), done
        # Delivery is at least once per channel: a replica killed between a send and the
        # write of its result sends that notification again (same id) after the lease.
        # Only sends in flight at the kill can repeat, each once at most.
        repeats = {n: c for n, c in received.items() if c > 1}
        print(f"{len(expected)} steps delivered; {len(repeats)} resent after the kill")
        assert all(c == 2 for c in repeats.values()), repeats
        assert len(repeats) <= 16, repeats  # the dispatcher's concurrency
    finally:
        await publisher.stop()
        await engine.dispose()
        await drop_pg_database(name)
