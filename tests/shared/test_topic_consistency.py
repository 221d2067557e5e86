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
from shared.bus import Publisher, Subscription, ensure_topics
from shared.events import Envelope, MentionReceived, mention_id_for
from shared.runtime import Runtime
from shared.settings import ServiceSettings
from shared.topics import ALERTS, MENTIONS_RAW, Topics
from tests.shared.test_events import mention

PARTITIONS = 3


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
    settings = ServiceSettings(
        service_name="topics-test",
        kafka_bootstrap_servers=own_broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_partitions=PARTITIONS,
        kafka_session_timeout_ms=6000,
        kafka_publish_timeout_s=2,
        kafka_infra_backoff_max_s=1,
        log_json=False,
    )
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
    settings = ServiceSettings(
        service_name="late-partitions",
        kafka_bootstrap_servers=own_broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_partitions=PARTITIONS,
        kafka_session_timeout_ms=6000,
        kafka_publish_timeout_s=2,
        log_json=False,
    )
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
