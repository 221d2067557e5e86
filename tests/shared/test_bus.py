"""The consumer runner against the real broker: handling, DLQ, retries, commits, shutdown."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from shared.broker import EmbeddedBroker
from shared.bus import ConsumerRunner, InvalidEvent, Publisher, Subscription, ensure_topics
from shared.events import Envelope, MentionReceived, mention_id_for
from shared.metrics import make_common_metrics
from shared.topics import MENTIONS_RAW, Topics
from tests.shared.test_events import mention


async def wait_until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@pytest.fixture
async def bus(broker: EmbeddedBroker, topic_prefix: str) -> AsyncIterator[tuple[Topics, Publisher]]:
    topics = Topics(topic_prefix)
    await ensure_topics(broker.bootstrap_servers, topics.all_with_dlq(), partitions=3)
    metrics = make_common_metrics("test")
    publisher = Publisher(
        bootstrap_servers=broker.bootstrap_servers,
        topics=topics,
        producer_name="test",
        metrics=metrics.bus,
    )
    await publisher.start()
    try:
        yield topics, publisher
    finally:
        await publisher.stop()


def make_runner(
    broker: EmbeddedBroker,
    topics: Topics,
    publisher: Publisher,
    handler: Any = None,
    *,
    batch_handler: Any = None,
    group: str = "g",
    max_attempts: int = 3,
) -> ConsumerRunner:
    handlers = {MentionReceived.event_type: handler} if handler else {}
    return ConsumerRunner(
        bootstrap_servers=broker.bootstrap_servers,
        group_id=topics.prefix + group,
        topics=topics,
        subscriptions=[Subscription(MENTIONS_RAW, handlers, batch_handler=batch_handler)],
        publisher=publisher,
        metrics=make_common_metrics("test").bus,
        service="test",
        max_attempts=max_attempts,
        retry_backoff_s=0.01,
        session_timeout_ms=6000,
    )


def received(external_id: str) -> MentionReceived:
    return MentionReceived(
        mention=mention(
            mention_id=mention_id_for("wildberries", external_id), external_id=external_id
        )
    )


async def read_topic(broker: EmbeddedBroker, topic: str, expected: int) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=broker.bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + 20
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for items in batch.values():
                records.extend(items)
    finally:
        await consumer.stop()
    return records


async def test_garbage_goes_to_dlq_and_next_message_is_handled(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    topics, publisher = bus
    seen: list[str] = []

    async def handler(envelope: Envelope[Any]) -> None:
        seen.append(envelope.payload.mention.external_id)

    key = str(mention_id_for("wildberries", "good")).encode()
    await publisher.send_raw(topics.name(MENTIONS_RAW), b"{not json", key=key)
    await publisher.publish(MENTIONS_RAW, received("good"))
    runner = make_runner(broker, topics, publisher, handler)
    await runner.start()
    try:
        await wait_until(lambda: seen == ["good"])
    finally:
        await runner.stop()
    dead = await read_topic(broker, topics.dlq(MENTIONS_RAW), 1)
    assert len(dead) == 1
    assert dead[0].value == b"{not json"
    headers = dict(dead[0].headers)
    assert b"not JSON" in headers["dlq.error"]
    assert headers["dlq.topic"] == topics.name(MENTIONS_RAW).encode()
    assert headers["dlq.offset"].isdigit()


async def test_transient_failure_is_retried_then_handled_once(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    topics, publisher = bus
    calls: list[str] = []

    async def flaky(envelope: Envelope[Any]) -> None:
        calls.append(envelope.payload.mention.external_id)
        if len(calls) < 3:
            raise ConnectionError("database went away")

    await publisher.publish(MENTIONS_RAW, received("x"))
    runner = make_runner(broker, topics, publisher, flaky, max_attempts=5)
    await runner.start()
    try:
        await wait_until(lambda: len(calls) == 3)
        await asyncio.sleep(0.3)
    finally:
        await runner.stop()
    assert calls == ["x", "x", "x"]
    assert await read_topic(broker, topics.dlq(MENTIONS_RAW), 0) == []


async def test_message_that_keeps_failing_is_dead_lettered(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    topics, publisher = bus
    handled: list[str] = []

    async def handler(envelope: Envelope[Any]) -> None:
        external_id = envelope.payload.mention.external_id
        if external_id == "poison":
            raise InvalidEvent("product does not exist")
        handled.append(external_id)

    for external_id in ("poison", "fine"):
        await publisher.publish(MENTIONS_RAW, received(external_id))
    runner = make_runner(broker, topics, publisher, handler)
    await runner.start()
    try:
        await wait_until(lambda: handled == ["fine"])
    finally:
        await runner.stop()
    dead = await read_topic(broker, topics.dlq(MENTIONS_RAW), 1)
    assert [b"invalid event" in dict(r.headers)["dlq.error"] for r in dead] == [True]


async def test_committed_offsets_are_not_handled_again_after_restart(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    topics, publisher = bus
    seen: list[str] = []

    async def handler(envelope: Envelope[Any]) -> None:
        seen.append(envelope.payload.mention.external_id)

    for i in range(10):
        await publisher.publish(MENTIONS_RAW, received(f"m{i}"))
    runner = make_runner(broker, topics, publisher, handler)
    await runner.start()
    await wait_until(lambda: len(seen) == 10)
    await runner.stop()  # graceful: the batch in hand is committed
    await publisher.publish(MENTIONS_RAW, received("after"))
    runner = make_runner(broker, topics, publisher, handler)
    await runner.start()
    try:
        await wait_until(lambda: "after" in seen)
        await asyncio.sleep(0.5)
    finally:
        await runner.stop()
    assert sorted(seen) == sorted([f"m{i}" for i in range(10)] + ["after"])


async def test_batch_handler_gets_batches_and_isolates_a_poison_message(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    topics, publisher = bus
    batches: list[int] = []
    handled: list[str] = []

    async def batch(envelopes: Sequence[Envelope[Any]]) -> None:
        ids = [e.payload.mention.external_id for e in envelopes]
        if "poison" in ids:
            raise InvalidEvent("cannot classify")
        batches.append(len(ids))
        handled.extend(ids)

    for i in range(20):
        await publisher.publish(MENTIONS_RAW, received("poison" if i == 7 else f"b{i}"))
    runner = make_runner(broker, topics, publisher, batch_handler=batch)
    await runner.start()
    try:
        await wait_until(lambda: len(handled) == 19)
    finally:
        await runner.stop()
    assert "poison" not in handled
    assert len(await read_topic(broker, topics.dlq(MENTIONS_RAW), 1)) == 1
