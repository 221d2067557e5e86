"""The consumer runner against the real broker: handling, DLQ, retries, commits, shutdown."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from shared.broker import EmbeddedBroker
from shared.bus import (
    ConsumerRunner,
    DeadLetterLimitExceeded,
    InvalidEvent,
    Publisher,
    Subscription,
    ensure_topics,
)
from shared.db import make_engine
from shared.events import Envelope, MentionReceived, encode, make_envelope, mention_id_for
from shared.metrics import BusMetrics, make_common_metrics
from shared.topics import MENTIONS_RAW, Topics
from tests.conftest import (
    PG_HOST,
    PG_PORT,
    create_pg_database,
    drop_pg_database,
    pg_url,
    postgres_unavailable,
)
from tests.fakes.tcp_gate import TcpGate
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
    dlq_max_consecutive: int = 1000,
    metrics: BusMetrics | None = None,
    batch_linger_ms: int = 0,
) -> ConsumerRunner:
    handlers = {MentionReceived.event_type: handler} if handler else {}
    return ConsumerRunner(
        bootstrap_servers=broker.bootstrap_servers,
        group_id=topics.prefix + group,
        topics=topics,
        subscriptions=[Subscription(MENTIONS_RAW, handlers, batch_handler=batch_handler)],
        publisher=publisher,
        metrics=metrics or make_common_metrics("test").bus,
        service="test",
        max_attempts=max_attempts,
        retry_backoff_s=0.01,
        infra_backoff_max_s=0.5,
        dlq_max_consecutive=dlq_max_consecutive,
        session_timeout_ms=6000,
        batch_linger_ms=batch_linger_ms,
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


async def test_linger_fills_batches_from_a_trickle_within_its_bound(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    """A steady trickle (one record per ~40 ms) reaches the handler in a few filled batches,
    not about one call per record, and no record waits much longer than the linger."""
    topics, publisher = bus
    calls: list[int] = []
    waits: list[float] = []
    sent_at: dict[str, float] = {}

    async def batch(envelopes: Sequence[Envelope[Any]]) -> None:
        now = time.monotonic()
        calls.append(len(envelopes))
        waits.extend(now - sent_at[e.payload.mention.external_id] for e in envelopes)

    runner = make_runner(broker, topics, publisher, batch_handler=batch, batch_linger_ms=1000)
    await runner.start()
    try:
        await wait_until(lambda: bool(runner.assignment()))
        await publisher.publish(MENTIONS_RAW, received("warm"))
        sent_at["warm"] = time.monotonic()
        await wait_until(lambda: sum(calls) == 1)
        calls.clear()
        for i in range(30):
            sent_at[f"t{i}"] = time.monotonic()
            await publisher.publish(MENTIONS_RAW, received(f"t{i}"))
            await asyncio.sleep(0.04)
        await wait_until(lambda: sum(calls) == 30)
    finally:
        await runner.stop()
    # three partitions, one handler call each per filled fetch
    assert len(calls) <= 8, calls
    assert max(waits) < 5.0


async def test_a_batch_handler_takes_several_partitions_in_one_call_and_one_commit(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    """A poll that brings records of several partitions reaches the batch handler once
    (one model pass, one transaction), and the one commit covers every partition: a new
    consumer of the group handles none of them again."""
    topics, publisher = bus
    calls: list[list[str]] = []

    async def batch(envelopes: Sequence[Envelope[Any]]) -> None:
        calls.append([e.payload.mention.external_id for e in envelopes])

    ids = [f"p{i}" for i in range(30)]
    for external_id in ids:
        await publisher.publish(MENTIONS_RAW, received(external_id))
    partition_of = {
        json.loads(r.value)["payload"]["mention"]["external_id"]: r.partition
        for r in await read_topic(broker, topics.name(MENTIONS_RAW), len(ids))
    }
    assert len(set(partition_of.values())) == 3
    runner = make_runner(broker, topics, publisher, batch_handler=batch)
    await runner.start()
    try:
        await wait_until(lambda: sum(len(c) for c in calls) == len(ids))
    finally:
        await runner.stop()
    assert sorted(i for c in calls for i in c) == sorted(ids)
    assert max(len({partition_of[i] for i in c}) for c in calls) > 1, calls
    calls.clear()
    await publisher.publish(MENTIONS_RAW, received("after"))
    runner = make_runner(broker, topics, publisher, batch_handler=batch)
    await runner.start()
    try:
        await wait_until(lambda: ["after"] in calls)
        await asyncio.sleep(0.5)
    finally:
        await runner.stop()
    assert calls == [["after"]]


def poison_kinds() -> dict[str, bytes]:
    """Records no consumer can ever handle, each breaking decoding in its own way."""
    good = encode(make_envelope(received("template"), producer="test"))
    return {
        "deep_json": b"[" * 100_000 + b"]" * 100_000,
        "huge_int": b'{"type": "mention.received", "schema_version": ' + b"9" * 5000 + b"}",
        "invalid_utf8": b'{"type": "\xff\xfe mention"}',
        "unknown_type": good.replace(b'"mention.received"', b'"mention.exploded"'),
        "bad_schema_version": good.replace(b'"schema_version":1', b'"schema_version":999'),
    }


async def test_every_poison_kind_is_dead_lettered_and_the_partition_flows_on(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    """Audit C1: deep JSON (RecursionError) and a 5,000-digit int (ValueError) stopped the
    consumer for good; now each poison kind goes to the DLQ and the next record is handled."""
    topics, publisher = bus
    seen: list[str] = []

    async def handler(envelope: Envelope[Any]) -> None:
        seen.append(envelope.payload.mention.external_id)

    kinds = poison_kinds()
    assert b'"schema_version":1' in encode(make_envelope(received("t"), producer="test"))
    key = str(mention_id_for("wildberries", "after-poison")).encode()  # one partition for all
    for value in kinds.values():
        await publisher.send_raw(topics.name(MENTIONS_RAW), value, key=key)
    await publisher.publish(MENTIONS_RAW, received("after-poison"))
    runner = make_runner(broker, topics, publisher, handler, group="poison")
    await runner.start()
    try:
        await wait_until(lambda: seen == ["after-poison"])
        assert runner.alive()
    finally:
        await runner.stop()
    dead = await read_topic(broker, topics.dlq(MENTIONS_RAW), len(kinds))
    assert [r.value for r in dead] == list(kinds.values())
    headers = [dict(r.headers) for r in dead]
    assert {h["dlq.reason"] for h in headers} == {b"undecodable"}
    assert {h["dlq.group"] for h in headers} == {(topics.prefix + "poison").encode()}
    error_types = [h["dlq.error_type"] for h in headers]
    assert error_types[:3] == [b"RecursionError", b"ValueError", b"UnicodeDecodeError"]
    assert b"mention.exploded" in headers[3]["dlq.error"]
    assert b"schema_version 999" in headers[4]["dlq.error"]


async def test_a_bug_of_ours_is_dead_lettered_after_its_attempts_naming_group_and_type(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    topics, publisher = bus
    calls: list[str] = []

    async def buggy(envelope: Envelope[Any]) -> None:
        calls.append(envelope.payload.mention.external_id)
        if envelope.payload.mention.external_id == "bug":
            raise KeyError("missing_field")

    await publisher.publish(MENTIONS_RAW, received("bug"))
    await publisher.publish(MENTIONS_RAW, received("ok"))
    runner = make_runner(broker, topics, publisher, buggy, max_attempts=3, group="queue")
    await runner.start()
    try:
        await wait_until(lambda: "ok" in calls)
    finally:
        await runner.stop()
    assert calls.count("bug") == 3
    dead = await read_topic(broker, topics.dlq(MENTIONS_RAW), 1)
    headers = dict(dead[0].headers)
    assert headers["dlq.reason"] == b"exhausted"
    assert headers["dlq.error_type"] == b"KeyError"
    assert headers["dlq.group"] == (topics.prefix + "queue").encode()
    assert headers["dlq.service"] == b"test"


async def test_consecutive_dead_letter_breaker_stops_the_consumer(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    """A bad deploy must not drain a topic into its DLQ: after N in a row the runner stops."""
    topics, publisher = bus
    key = b"same-partition"
    for i in range(6):
        await publisher.send_raw(topics.name(MENTIONS_RAW), b"garbage %d" % i, key=key)
    runner = make_runner(broker, topics, publisher, dlq_max_consecutive=3, group="breaker")
    await runner.start()
    try:
        await wait_until(lambda: runner.task is not None and runner.task.done())
        assert runner.task is not None
        assert isinstance(runner.task.exception(), DeadLetterLimitExceeded)
        assert not runner.alive()
    finally:
        await runner.stop()
    assert len(await read_topic(broker, topics.dlq(MENTIONS_RAW), 4)) == 4


async def test_a_database_outage_pauses_the_partition_then_everything_is_handled(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    """Audit H1: a PostgreSQL outage dead-lettered good messages after ~3 s. Now the
    partition waits (readiness degraded, metric counted) and handles them when it is back."""
    reason = await postgres_unavailable()
    if reason:
        pytest.skip(reason)
    topics, publisher = bus
    name = await create_pg_database()
    gate = TcpGate(PG_HOST, PG_PORT)
    await gate.open()
    engine = make_engine(pg_url(name).replace(f":{PG_PORT}/", f":{gate.port}/"))
    metrics = make_common_metrics("test").bus
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE handled (id text PRIMARY KEY)"))

        async def store(envelope: Envelope[Any]) -> None:
            async with engine.begin() as conn:
                await conn.execute(
                    text("INSERT INTO handled VALUES (:id) ON CONFLICT DO NOTHING"),
                    {"id": envelope.payload.mention.external_id},
                )

        async def count() -> int:
            async with engine.connect() as conn:
                return int((await conn.execute(text("SELECT count(*) FROM handled"))).scalar_one())

        runner = make_runner(broker, topics, publisher, store, group="outage", metrics=metrics)
        await runner.start()
        try:
            await publisher.publish(MENTIONS_RAW, received("before"))
            deadline = time.monotonic() + 30
            while await count() < 1:
                assert time.monotonic() < deadline, "first message not handled"
                await asyncio.sleep(0.1)
            await gate.close()  # the database goes away
            for i in range(10):
                await publisher.publish(MENTIONS_RAW, received(f"during-{i}"))
            await wait_until(lambda: runner.degraded() is not None)
            assert "outage" in (runner.degraded() or "")
            await asyncio.sleep(4)  # longer than the old retry budget (~3 s)
            assert runner.degraded() is not None
            assert runner.alive()  # it keeps polling: paused, not stalled
            await gate.open()  # back
            await wait_until(lambda: runner.degraded() is None, timeout=30)
            deadline = time.monotonic() + 30
            while await count() < 11:
                assert time.monotonic() < deadline, "messages of the outage not handled"
                await asyncio.sleep(0.1)
        finally:
            await runner.stop()
        errors = sum(
            sample.value
            for family in metrics.infrastructure_errors.collect()
            for sample in family.samples
            if sample.name.endswith("_total")
        )
        assert errors >= 1
        assert await read_topic(broker, topics.dlq(MENTIONS_RAW), 0) == []
    finally:
        await gate.close()
        await engine.dispose()
        await drop_pg_database(name)


async def test_an_outage_of_our_handler_dependency_never_reaches_the_dlq(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    """Connection refused for longer than all attempts take: waits, then handled once."""
    topics, publisher = bus
    handled: list[str] = []
    gate = TcpGate("127.0.0.1", 9)  # nothing listens until the gate opens

    async def call_dependency(envelope: Envelope[Any]) -> None:
        _, writer = await asyncio.open_connection("127.0.0.1", gate.port)
        writer.close()
        handled.append(envelope.payload.mention.external_id)

    await publisher.publish(MENTIONS_RAW, received("waits"))
    runner = make_runner(broker, topics, publisher, call_dependency, max_attempts=2, group="dep")
    await runner.start()
    try:
        await wait_until(lambda: runner.degraded() is not None)
        await asyncio.sleep(2)
        assert handled == []
        await gate.open()
        await wait_until(lambda: handled == ["waits"], timeout=20)
        await wait_until(lambda: runner.degraded() is None)
    finally:
        await runner.stop()
        await gate.close()
    assert await read_topic(broker, topics.dlq(MENTIONS_RAW), 0) == []
