"""The Kafka bus: a publisher (acks=all) and one consumer runner that owns polling,
decoding, retries, the dead-letter topic, commits and metrics.

Handlers know nothing of aiokafka: they receive decoded envelopes. The runner commits a
partition's offsets only after every message of the fetched batch was handled (its
effects durable) or dead-lettered. Failure kinds (after arroyo):
- undecodable / invalid (`EventDecodeError`, `InvalidEvent`) → DLQ at once, commit past it;
- anything else → retried with backoff; still failing after `max_attempts` → DLQ;
- too many dead letters in a row → `DeadLetterLimitExceeded` stops the consumer, so a
  bad deploy cannot drain a topic into its DLQ.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.events import Envelope, EventDecodeError, Payload, decode, encode, make_envelope
from shared.logging import get_logger, log_context
from shared.metrics import BusMetrics
from shared.topics import Topics

log = get_logger(__name__)

Handler = Callable[[Envelope[Any]], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope[Any]]], Awaitable[None]]


class InvalidEvent(Exception):
    """Raised by a handler for a well-formed event it can never process (goes to the DLQ)."""


class DeadLetterLimitExceeded(RuntimeError):
    pass


async def ensure_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    *,
    partitions: int,
    replication_factor: int = 1,
    timeout_s: float = 30.0,
) -> None:
    """Create missing topics; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10000)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            await admin.start()
            break
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in dict.fromkeys(names) if n not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(n, partitions, replication_factor) for n in missing]
                )
            except TopicAlreadyExistsError:
                pass
            log.info("topics created", topics=missing, partitions=partitions)
    finally:
        await admin.close()


class Publisher:
    """Produces envelopes and waits for the broker's acknowledgement (acks=all)."""

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        topics: Topics,
        producer_name: str,
        metrics: BusMetrics | None = None,
        request_timeout_ms: int = 30000,
    ) -> None:
        self._topics = topics
        self._name = producer_name
        self._metrics = metrics
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=f"{producer_name}-producer",
            acks="all",
            linger_ms=2,
            request_timeout_ms=request_timeout_ms,
        )

    @property
    def producer(self) -> AIOKafkaProducer:
        return self._producer

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    def envelope(
        self, payload: Payload, *, trace_id: str | None = None, event_id: Any = None
    ) -> Envelope[Any]:
        return make_envelope(payload, producer=self._name, trace_id=trace_id, event_id=event_id)

    async def publish(
        self,
        logical_topic: str,
        payload: Payload,
        *,
        trace_id: str | None = None,
        event_id: Any = None,
    ) -> Envelope[Any]:
        """Send one event and wait until the broker has it."""
        envelope = self.envelope(payload, trace_id=trace_id, event_id=event_id)
        await self.publish_envelopes(logical_topic, [envelope])
        return envelope

    async def publish_envelopes(
        self, logical_topic: str, envelopes: Sequence[Envelope[Any]]
    ) -> None:
        """Send several events at once; returns when all are acknowledged."""
        topic = self._topics.name(logical_topic)
        futures = [
            await self._producer.send(topic, encode(env), key=env.payload.key())
            for env in envelopes
        ]
        if futures:
            await asyncio.gather(*futures)
            if self._metrics:
                self._metrics.produced.labels(service=self._name, topic=logical_topic).inc(
                    len(futures)
                )

    async def send_raw(
        self,
        topic: str,
        value: bytes | None,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> None:
        await (await self._producer.send(topic, value, key=key, headers=list(headers or [])))


@dataclass
class Subscription:
    """What a runner consumes: one logical topic, a handler per event type.

    `batch_handler`, when given, receives every decodable event of a fetched batch at
    once (the sentiment model classifies a batch in one pass); if the batch keeps failing
    the runner falls back to one event at a time so one poison message cannot block it.
    """

    topic: str
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    batch_handler: BatchHandler | None = None
    #: Event types deliberately ignored (committed past without a handler).
    ignore: frozenset[str] = frozenset()


class ConsumerRunner:
    def __init__(
        self,
        *,
        bootstrap_servers: str,
        group_id: str,
        topics: Topics,
        subscriptions: Sequence[Subscription],
        publisher: Publisher,
        metrics: BusMetrics,
        service: str,
        max_records: int = 200,
        batch_timeout_ms: int = 200,
        max_attempts: int = 5,
        retry_backoff_s: float = 0.2,
        dlq_max_consecutive: int = 1000,
        session_timeout_ms: int = 10000,
    ) -> None:
        self._topics = topics
        self._subs = {topics.name(s.topic): s for s in subscriptions}
        self._publisher = publisher
        self._metrics = metrics
        self._service = service
        self._max_records = max_records
        self._batch_timeout_ms = batch_timeout_ms
        self._max_attempts = max_attempts
        self._backoff = retry_backoff_s
        self._dlq_max_consecutive = dlq_max_consecutive
        self._consecutive_dlq = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.last_poll_monotonic = time.monotonic()
        self._positions: dict[TopicPartition, int] = {}
        self._consumer = AIOKafkaConsumer(
            *self._subs,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=f"{service}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_records,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=max(100, session_timeout_ms // 10),
        )

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"{self._service}-consumer")

    async def stop(self) -> None:
        """Finish the batch in hand, commit it, leave the group."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=30)
            except TimeoutError:
                self._task.cancel()
            except Exception:  # the task's error was already logged by _run
                pass
        await self._consumer.stop()

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    def alive(self, max_silence_s: float = 60.0) -> bool:
        """Liveness follows poll progress: the loop fetched recently and did not die."""
        if self._task is not None and self._task.done():
            return False
        return time.monotonic() - self.last_poll_monotonic < max_silence_s

    # --- the loop ------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(
                    timeout_ms=self._batch_timeout_ms, max_records=self._max_records
                )
                self.last_poll_monotonic = time.monotonic()
                self._metrics.last_poll.labels(service=self._service).set(time.time())
                for tp, records in batches.items():
                    if records:
                        await self._process_partition(tp, records)
                self._record_lag()
        except Exception:
            log.exception("consumer loop stopped by an unexpected error")
            raise

    def _record_lag(self) -> None:
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)
            position = self._positions.get(tp)
            if high is None or position is None:
                continue
            self._metrics.lag.labels(
                service=self._service, topic=self._logical(tp.topic), partition=str(tp.partition)
            ).set(max(0, high - position))

    def _logical(self, topic: str) -> str:
        return topic.removeprefix(self._topics.prefix)

    async def _process_partition(self, tp: TopicPartition, records: list[ConsumerRecord]) -> None:
        sub = self._subs[tp.topic]
        logical = self._logical(tp.topic)
        started = time.perf_counter()
        self._metrics.batch_size.labels(service=self._service, topic=logical).observe(len(records))
        decoded: list[tuple[ConsumerRecord, Envelope[Any]]] = []
        for record in records:
            try:
                envelope = decode(record.value)
            except EventDecodeError as exc:
                await self._dead_letter(record, logical, str(exc), reason="undecodable")
                continue
            if envelope.type in sub.ignore:
                continue
            if sub.batch_handler is None and envelope.type not in sub.handlers:
                await self._dead_letter(
                    record,
                    logical,
                    f"no handler for event type {envelope.type!r}",
                    reason="unhandled",
                )
                continue
            decoded.append((record, envelope))

        if decoded:
            if sub.batch_handler is not None:
                await self._handle_batch(sub.batch_handler, decoded, logical)
            else:
                for record, envelope in decoded:
                    await self._handle_one(sub.handlers[envelope.type], record, envelope, logical)

        last = records[-1].offset + 1
        await self._commit({tp: last})
        self._positions[tp] = last
        self._metrics.handler_seconds.labels(service=self._service, topic=logical).observe(
            time.perf_counter() - started
        )

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        for attempt in range(1, self._max_attempts + 1):
            try:
                await self._consumer.commit(offsets)
                return
            except KafkaError as exc:
                if attempt == self._max_attempts:
                    raise
                log.warning("commit failed, retrying", error=str(exc), attempt=attempt)
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))

    async def _handle_batch(
        self,
        handler: BatchHandler,
        decoded: list[tuple[ConsumerRecord, Envelope[Any]]],
        logical: str,
    ) -> None:
        envelopes = [env for _, env in decoded]
        for attempt in range(1, self._max_attempts + 1):
            try:
                await handler(envelopes)
            except InvalidEvent:
                break  # one of them is poison: isolate it below
            except Exception as exc:
                self._metrics.failed.labels(
                    service=self._service, topic=logical, reason=type(exc).__name__
                ).inc()
                log.warning(
                    "batch handler failed", error=str(exc), attempt=attempt, size=len(envelopes)
                )
                if attempt < self._max_attempts:
                    await self._sleep_backoff(attempt)
                continue
            self._count_handled(logical, envelopes)
            return
        for record, envelope in decoded:
            await self._handle_one(lambda env: handler([env]), record, envelope, logical)

    async def _handle_one(
        self, handler: Handler, record: ConsumerRecord, envelope: Envelope[Any], logical: str
    ) -> None:
        mention_id = _mention_id(envelope)
        with log_context(
            event_id=envelope.event_id, trace_id=envelope.trace_id, mention_id=mention_id
        ):
            last_error = ""
            for attempt in range(1, self._max_attempts + 1):
                try:
                    await handler(envelope)
                except InvalidEvent as exc:
                    await self._dead_letter(
                        record, logical, f"invalid event: {exc}", reason="invalid"
                    )
                    return
                except Exception as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                    self._metrics.failed.labels(
                        service=self._service, topic=logical, reason=type(exc).__name__
                    ).inc()
                    log.warning("handler failed", error=last_error, attempt=attempt)
                    if attempt < self._max_attempts:
                        await self._sleep_backoff(attempt)
                    continue
                self._count_handled(logical, [envelope])
                return
            await self._dead_letter(
                record,
                logical,
                f"failed {self._max_attempts} times; last error: {last_error}",
                reason="exhausted",
            )

    async def _sleep_backoff(self, attempt: int) -> None:
        delay = min(self._backoff * 2 ** (attempt - 1), 10.0)
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=delay)
        except TimeoutError:
            pass

    def _count_handled(self, logical: str, envelopes: Sequence[Envelope[Any]]) -> None:
        self._consecutive_dlq = 0
        for env in envelopes:
            self._metrics.handled.labels(
                service=self._service, topic=logical, event_type=env.type
            ).inc()

    async def _dead_letter(
        self, record: ConsumerRecord, logical: str, error: str, *, reason: str
    ) -> None:
        """Keep the original bytes; say what was wrong and where it came from in headers."""
        headers = [
            ("dlq.error", error[:2000].encode()),
            ("dlq.reason", reason.encode()),
            ("dlq.topic", record.topic.encode()),
            ("dlq.partition", str(record.partition).encode()),
            ("dlq.offset", str(record.offset).encode()),
            ("dlq.service", self._service.encode()),
            ("dlq.failed_at", str(time.time()).encode()),
        ]
        await self._publisher.send_raw(
            self._topics.dlq(logical), record.value, key=record.key, headers=headers
        )
        self._metrics.dead_lettered.labels(
            service=self._service, topic=logical, reason=reason
        ).inc()
        log.error(
            "message dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
            error=error[:500],
        )
        self._consecutive_dlq += 1
        if self._consecutive_dlq > self._dlq_max_consecutive:
            raise DeadLetterLimitExceeded(
                f"{self._consecutive_dlq} consecutive dead letters on {logical}: stopping"
            )


def _mention_id(envelope: Envelope[Any]) -> str | None:
    payload = envelope.payload
    mention = getattr(payload, "mention", None)
    if mention is not None:
        return str(mention.mention_id)
    value = getattr(payload, "mention_id", None)
    return str(value) if value is not None else None
