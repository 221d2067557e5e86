"""The long-lived resources of one service process, made once in the app's lifespan.

Order matters: logging → topics → database (migrations) → publisher → consumers; stop
in reverse, consumers first so the batch in hand is finished and committed before the
publisher and the database go away. While it runs, a `TopicKeeper` re-creates topics a
restarted broker lost, with the configured partition count, before anything is produced
to them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.bus import ConsumerRunner, Publisher, Subscription, TopicKeeper, ensure_topics
from shared.db import make_engine, make_sessionmaker, ping, upgrade_to_head
from shared.failures import Degraded
from shared.logging import configure_logging, get_logger
from shared.metrics import CommonMetrics, make_common_metrics
from shared.settings import ServiceSettings
from shared.topics import Topics

log = get_logger(__name__)

#: How often a running service checks that its topics still exist (one metadata request).
TOPIC_CHECK_INTERVAL_S = 3.0


class BrokerUnavailable(ConnectionError):
    """The broker did not answer a metadata request."""


@dataclass
class Runtime:
    settings: ServiceSettings
    metrics: CommonMetrics
    topics: Topics
    engine: AsyncEngine | None
    _sessions: async_sessionmaker[AsyncSession] | None
    publisher: Publisher
    consumers: list[ConsumerRunner] = field(default_factory=list)
    background: list[asyncio.Task[Any]] = field(default_factory=list)
    topic_keeper: TopicKeeper | None = None

    @classmethod
    async def start(
        cls,
        settings: ServiceSettings,
        *,
        migrations_dir: Path | None,
        uses_database: bool = True,
        metrics: CommonMetrics | None = None,
        configure_logs: bool = True,
    ) -> Runtime:
        if configure_logs:
            configure_logging(
                service=settings.service_name, level=settings.log_level, json=settings.log_json
            )
        metrics = metrics or make_common_metrics(settings.service_name)
        topics = Topics(settings.kafka_topic_prefix)
        if settings.kafka_create_topics:
            await ensure_topics(
                settings.kafka_bootstrap_servers,
                topics.all_with_dlq(),
                partitions=settings.kafka_partitions,
                replication_factor=settings.kafka_replication_factor,
            )
        engine: AsyncEngine | None = None
        if uses_database:
            url = settings.resolved_database_url()
            if migrations_dir is not None:
                await upgrade_to_head(migrations_dir, url)
            engine = make_engine(url, echo=settings.database_echo)
        publisher = Publisher(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            topics=topics,
            producer_name=settings.service_name,
            metrics=metrics.bus,
            publish_timeout_s=settings.kafka_publish_timeout_s,
        )
        await publisher.start()
        log.info(
            "service started",
            database=engine.url.render_as_string(hide_password=True) if engine else None,
            kafka=settings.kafka_bootstrap_servers,
            topic_prefix=settings.kafka_topic_prefix,
        )
        runtime = cls(
            settings=settings,
            metrics=metrics,
            topics=topics,
            engine=engine,
            _sessions=make_sessionmaker(engine) if engine else None,
            publisher=publisher,
        )
        if settings.kafka_create_topics:
            keeper = TopicKeeper(
                bootstrap_servers=settings.kafka_bootstrap_servers,
                names=topics.all_with_dlq(),
                partitions=settings.kafka_partitions,
                replication_factor=settings.kafka_replication_factor,
                client=publisher.producer.client,
                interval_s=TOPIC_CHECK_INTERVAL_S,
                on_created=lambda _: runtime.refresh_consumer_metadata(),
            )
            runtime.topic_keeper = keeper
            runtime.spawn(keeper.run, "topic-keeper")
        return runtime

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:
            raise RuntimeError(f"{self.settings.service_name} has no database")
        return self._sessions

    async def start_consumer(
        self, subscriptions: Sequence[Subscription], *, group_suffix: str = ""
    ) -> ConsumerRunner:
        s = self.settings
        runner = ConsumerRunner(
            bootstrap_servers=s.kafka_bootstrap_servers,
            group_id=s.group_id + group_suffix,
            topics=self.topics,
            subscriptions=subscriptions,
            publisher=self.publisher,
            metrics=self.metrics.bus,
            service=s.service_name,
            max_records=s.kafka_batch_max_records,
            batch_timeout_ms=s.kafka_batch_timeout_ms,
            batch_linger_ms=s.kafka_batch_linger_ms,
            fetch_max_wait_ms=s.kafka_fetch_max_wait_ms,
            max_attempts=s.kafka_handler_max_attempts,
            retry_backoff_s=s.kafka_retry_backoff_s,
            infra_backoff_max_s=s.kafka_infra_backoff_max_s,
            dlq_max_consecutive=s.kafka_dlq_max_consecutive,
            session_timeout_ms=s.kafka_session_timeout_ms,
        )
        await runner.start()
        self.consumers.append(runner)
        return runner

    async def refresh_consumer_metadata(self) -> None:
        for runner in self.consumers:
            await runner.refresh_metadata()

    def spawn(self, coro_factory: Callable[[], Awaitable[Any]], name: str) -> asyncio.Task[Any]:
        """A background loop owned by the runtime (SLA sweep, pollers, retries)."""
        task = asyncio.create_task(_logged(coro_factory, name), name=name)
        self.background.append(task)
        return task

    async def stop(self) -> None:
        for runner in self.consumers:
            await runner.stop()
        for task in self.background:
            task.cancel()
        if self.background:
            await asyncio.gather(*self.background, return_exceptions=True)
        await self.publisher.stop()
        if self.engine is not None:
            await self.engine.dispose()
        log.info("service stopped")

    def alive(self) -> bool:
        consumers_ok = all(r.alive() for r in self.consumers)
        background_ok = all(not t.done() for t in self.background)
        return consumers_ok and background_ok

    async def broker_ready(self) -> None:
        """A fresh metadata round trip; aiokafka answers False (it does not raise) when the
        broker is away, which readiness used to take for "ok"."""
        updated = await asyncio.wait_for(
            self.publisher.producer.client.force_metadata_update(), timeout=3
        )
        if not updated:
            raise BrokerUnavailable(
                f"no metadata from {self.settings.kafka_bootstrap_servers}: broker unreachable"
            )

    async def database_ready(self) -> None:
        if self.engine is not None:
            await asyncio.wait_for(ping(self.engine), timeout=3)

    async def consumers_ready(self) -> None:
        """Degraded while a consumer waits for a dependency (its partitions are paused)."""
        reasons = [r for r in (c.degraded() for c in self.consumers) if r]
        if reasons:
            raise Degraded("; ".join(reasons))

    def readiness(self) -> dict[str, Callable[[], Awaitable[None]]]:
        checks: dict[str, Callable[[], Awaitable[None]]] = {"broker": self.broker_ready}
        if self.engine is not None:
            checks["database"] = self.database_ready
        checks["consumers"] = self.consumers_ready
        return checks


async def _logged(coro_factory: Callable[[], Awaitable[Any]], name: str) -> Any:
    try:
        return await coro_factory()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background task died", task=name)
        raise
