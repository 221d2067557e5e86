"""Topics stay consistent across a broker that restarts empty (audit M1).

The embedded broker keeps topics in memory: after a restart it had auto-created them with
its own partition count (4, not our 3) the moment a client asked for their metadata, and
123 accepted mentions sat on partition 3, which no consumer read. These tests restart a
real broker of their own under a running publisher and consumer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaClient
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from shared.broker import EmbeddedBroker
from shared.bus import ConsumerRunner, Publisher, Subscription, ensure_topics
from shared.events import Envelope, MentionReceived, mention_id_for
from shared.metrics import make_common_metrics
from shared.runtime import Runtime
from shared.settings import ServiceSettings
from shared.topics import ALERTS, MENTIONS_RAW, Topics
from tests.shared.test_events import mention

PARTITIONS = 3


def _settings(
    broker: EmbeddedBroker, topic_prefix: str, service_name: str, **extra: Any
) -> ServiceSettings:
    """A service's settings on this test's own broker: short timeouts, plain logs."""
    return ServiceSettings(
        service_name=service_name,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_partitions=PARTITIONS,
        kafka_session_timeout_ms=6000,
        kafka_publish_timeout_s=2,
        log_json=False,
        **extra,
    )


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker of this test alone, so it can be restarted."""
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log").start()
    try:
        yield broker
    finally:
        broker.stop()


def restart(broker: EmbeddedBroker) -> None:
    """Kill and start again on the same port: memory storage, so every topic is gone."""
    assert broker.process is not None
    broker.process.kill()
    broker.process.wait(timeout=10)
    broker.process = None
    broker.start()


def received(external_id: str) -> MentionReceived:
    return MentionReceived(
        mention=mention(
            mention_id=mention_id_for("wildberries", external_id), external_id=external_id
        )
    )


async def partition_counts(broker: EmbeddedBroker) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(await admin.list_topics())
    finally:
        await admin.close()
    return {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}


async def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} not within {timeout:.0f}s"
        await asyncio.sleep(0.1)


async def publish_until_accepted(publisher: Publisher, external_id: str, deadline: float) -> None:
    """What the push API does for a client that retries on 503: publish until acknowledged."""
    while True:
        try:
            await publisher.publish(MENTIONS_RAW, received(external_id))
            return
        except KafkaError:
            assert time.monotonic() < deadline, f"{external_id} never accepted"
            await asyncio.sleep(0.2)


async def test_broker_restart_strands_nothing_and_topics_keep_their_partition_count(
    own_broker: EmbeddedBroker, topic_prefix: str
) -> None:
    settings = _settings(own_broker, topic_prefix, "topics-test", kafka_infra_backoff_max_s=1)
    runtime = await Runtime.start(
        settings, migrations_dir=None, uses_database=False, configure_logs=False
    )
    seen: list[str] = []

    async def handle(envelope: Envelope[Any]) -> None:
        seen.append(envelope.payload.mention.external_id)

    try:
        await runtime.start_consumer(
            [Subscription(MENTIONS_RAW, {MentionReceived.event_type: handle})]
        )
        before = [f"before-{i}" for i in range(30)]
        for external_id in before:
            await runtime.publisher.publish(MENTIONS_RAW, received(external_id))
        await wait_until(lambda: set(before) <= set(seen), 30, "consuming before the restart")

        restart(own_broker)
        deadline = time.monotonic() + 45
        after = [f"after-{i}" for i in range(60)]
        for external_id in after:
            await publish_until_accepted(runtime.publisher, external_id, deadline)
        await wait_until(
            lambda: set(after) <= set(seen),
            max(5.0, deadline - time.monotonic()),
            f"consuming every mention accepted after the restart "
            f"({len(set(after) - set(seen))} stranded)",
        )
        assert runtime.topic_keeper is not None
        assert runtime.topic_keeper.recreated == len(Topics(topic_prefix).all_with_dlq())
    finally:
        await runtime.stop()
    counts = await partition_counts(own_broker)
    ours = {t: counts.get(t) for t in Topics(topic_prefix).all_with_dlq()}
    assert ours == dict.fromkeys(ours, PARTITIONS), ours
    assert not [t for t in counts if t not in ours], f"topics nobody asked for: {counts}"


async def test_clients_never_let_the_broker_create_a_topic(
    own_broker: EmbeddedBroker, topic_prefix: str
) -> None:
    """A publish to a missing topic waits and fails as an outage; it creates nothing."""
    topics = Topics(topic_prefix)
    publisher = Publisher(
        bootstrap_servers=own_broker.bootstrap_servers,
        topics=topics,
        producer_name="test",
        request_timeout_ms=2000,
        publish_timeout_s=1,
    )
    await publisher.start()
    try:
        with pytest.raises(KafkaError):
            await publisher.publish(ALERTS, received("nowhere"))
    finally:
        await publisher.stop()
    assert topics.name(ALERTS) not in await partition_counts(own_broker)
    # Other clients in the process keep aiokafka's behaviour.
    plain = AIOKafkaClient(bootstrap_servers=own_broker.bootstrap_servers)
    await plain.bootstrap()
    try:
        plain.add_topic("someone-elses")
        await plain.force_metadata_update()
    finally:
        await plain.close()
    assert "someone-elses" in await partition_counts(own_broker)


async def test_a_consumer_is_assigned_partitions_that_appear_later(
    own_broker: EmbeddedBroker, topic_prefix: str
) -> None:
    """A subscription by topic list rebalances when metadata shows more partitions.

    Tansu refuses CreatePartitions, so the topic grows the way it does in the field: it
    had 1 partition (made by someone else; reported, left alone), the broker restarted
    empty and the keeper created it with the configured 3. The running consumer must be
    assigned all 3 and read every record, without a restart of its own.
    """
    topics = Topics(topic_prefix)
    await ensure_topics(own_broker.bootstrap_servers, [topics.name(MENTIONS_RAW)], partitions=1)
    settings = _settings(own_broker, topic_prefix, "late-partitions")
    runtime = await Runtime.start(
        settings, migrations_dir=None, uses_database=False, configure_logs=False
    )
    seen: list[str] = []

    async def handle(envelope: Envelope[Any]) -> None:
        seen.append(envelope.payload.mention.external_id)

    raw = topics.name(MENTIONS_RAW)
    try:
        runner = await runtime.start_consumer(
            [Subscription(MENTIONS_RAW, {MentionReceived.event_type: handle})]
        )
        await runtime.publisher.publish(MENTIONS_RAW, received("early"))
        await wait_until(lambda: seen == ["early"], 30, "the first record consumed")
        assert {tp.partition for tp in runner.assignment() if tp.topic == raw} == {0}

        restart(own_broker)
        await wait_until(
            lambda: {tp.partition for tp in runner.assignment() if tp.topic == raw} == {0, 1, 2},
            40,
            "the new partitions assigned",
        )
        deadline = time.monotonic() + 20
        late = [f"late-{i}" for i in range(12)]
        for external_id in late:
            await publish_until_accepted(runtime.publisher, external_id, deadline)
        await wait_until(lambda: set(late) <= set(seen), 20, "every partition consumed")
    finally:
        await runtime.stop()
    assert (await partition_counts(own_broker))[raw] == PARTITIONS


async def test_a_commit_cut_off_by_a_broker_restart_does_not_skip_records_on_the_new_broker(
    own_broker: EmbeddedBroker, topic_prefix: str
) -> None:
    """The broker dies between a handler and its commit, and comes back empty.

    aiokafka retries a failed commit by itself until some broker answers, with the same
    offsets: the new, empty broker took offset 1 for a partition whose log it had just
    started again, and the first record published there after the restart was never
    handled (seen as a flaky `test_a_consumer_is_assigned_partitions_that_appear_later`).
    """
    settings = _settings(own_broker, topic_prefix, "cut-commit", kafka_infra_backoff_max_s=1)
    runtime = await Runtime.start(
        settings, migrations_dir=None, uses_database=False, configure_logs=False
    )
    seen: list[str] = []

    async def handle(envelope: Envelope[Any]) -> None:
        external_id = envelope.payload.mention.external_id
        seen.append(external_id)
        if external_id == "early":
            restart(own_broker)  # after the handler, before its commit

    try:
        await runtime.start_consumer(
            [Subscription(MENTIONS_RAW, {MentionReceived.event_type: handle})]
        )
        await runtime.publisher.publish(MENTIONS_RAW, received("early"))
        await wait_until(lambda: "early" in seen, 30, "the first record consumed")
        deadline = time.monotonic() + 45
        late = [f"late-{i}" for i in range(30)]
        for external_id in late:
            await publish_until_accepted(runtime.publisher, external_id, deadline)
        await wait_until(
            lambda: set(late) <= set(seen),
            max(10.0, deadline - time.monotonic()),
            f"every record after the restart handled ({sorted(set(late) - set(seen))} skipped)",
        )
    finally:
        await runtime.stop()


class MetadataClient:
    """aiokafka's client as far as a refresh sees it: one metadata request at a time, and
    whoever asks while one is in flight gets that one's answer."""

    def __init__(self) -> None:
        self.requests: list[asyncio.Future[bool]] = []

    def force_metadata_update(self) -> asyncio.Future[bool]:
        if not self.requests or self.requests[-1].done():
            self.requests.append(asyncio.get_running_loop().create_future())
        return asyncio.shield(self.requests[-1])

    def answer(self) -> None:
        self.requests[-1].set_result(True)


async def test_a_refresh_asked_while_metadata_is_in_flight_waits_for_a_later_request(
    topic_prefix: str,
) -> None:
    """The keeper re-creates topics, then asks consumers to look again; aiokafka handed it
    the metadata request already in flight, sent before the creation, and the new
    partitions waited `metadata_max_age_ms` (then 30 s) to be assigned."""
    topics = Topics(topic_prefix)
    publisher = Publisher(bootstrap_servers="127.0.0.1:9", topics=topics, producer_name="test")
    runner = ConsumerRunner(
        bootstrap_servers="127.0.0.1:9",
        group_id=topic_prefix + "refresh",
        topics=topics,
        subscriptions=[Subscription(MENTIONS_RAW, {})],
        publisher=publisher,
        metrics=make_common_metrics("test").bus,
        service="test",
    )
    client = MetadataClient()
    runner._consumer._client = client
    client.force_metadata_update()  # in flight before the topics were created
    refresh = asyncio.create_task(runner.refresh_metadata())
    await asyncio.sleep(0.05)
    client.answer()  # from before the creation
    await asyncio.sleep(0.05)
    assert not refresh.done(), "the refresh took the answer of a request sent before it"
    assert len(client.requests) == 2
    client.answer()
    await asyncio.wait_for(refresh, 1)
