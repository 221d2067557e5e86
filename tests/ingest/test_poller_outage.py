"""A poller survives an outage of its own storage and resumes from the stored cursor."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy import text

import services.ingest.demo.source  # noqa: F401  (registers the demo connector)
from services.ingest.main import MIGRATIONS
from services.ingest.metrics import make_ingest_metrics
from services.ingest.source.poller import SourcePoller
from shared.broker import EmbeddedBroker
from shared.bus import Publisher, ensure_topics
from shared.connector import SourceConfig, factory_for
from shared.db import make_engine, make_sessionmaker, upgrade_to_head
from shared.topics import Topics


async def test_poller_keeps_running_through_a_database_outage(
    broker: EmbeddedBroker, topic_prefix: str, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    await upgrade_to_head(MIGRATIONS, url)
    engine = make_engine(url)
    topics = Topics(topic_prefix)
    await ensure_topics(broker.bootstrap_servers, topics.all_with_dlq(), partitions=1)
    publisher = Publisher(
        bootstrap_servers=broker.bootstrap_servers, topics=topics, producer_name="test"
    )
    await publisher.start()
    sleeps: list[float] = []
    retried_three_times = asyncio.Event()

    async def fast_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) >= 3:
            retried_three_times.set()
        await asyncio.sleep(0.01)

    config = SourceConfig(
        source_id="demo", platform="demo", poll_interval_s=1, options={"burst": 5}
    )
    async with httpx.AsyncClient() as client:
        poller = SourcePoller(
            config=config,
            connector=factory_for("demo")(config, client),
            sessions=make_sessionmaker(engine),
            publisher=publisher,
            metrics=make_ingest_metrics(CollectorRegistry()),
            unhealthy_after=3,
            max_backoff_s=1,
            sleep=fast_sleep,
        )
        async with engine.begin() as conn:  # the outage: the poller's table is gone
            await conn.execute(text("ALTER TABLE source_states RENAME TO source_states_away"))
        task = asyncio.create_task(poller.run())
        try:
            deadline = time.monotonic() + 20
            try:
                await asyncio.wait_for(retried_three_times.wait(), timeout=20)
            except TimeoutError:
                raise AssertionError("the poller did not retry during the outage") from None
            assert not task.done(), "the poller died with the outage"
            async with engine.begin() as conn:  # the database is back
                await conn.execute(text("ALTER TABLE source_states_away RENAME TO source_states"))
            while time.monotonic() < deadline:
                state = await poller.state()
                if state is not None and state.mentions_total >= 5:
                    break
                await asyncio.sleep(0.05)
            state = await poller.state()
            assert state is not None and state.mentions_total >= 5 and state.cursor
            assert not task.done()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await publisher.stop()
            await engine.dispose()
