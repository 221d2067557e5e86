"""The Kafka bus: a publisher (acks=all) and one consumer runner that owns polling,
decoding, retries, the dead-letter topic, commits and metrics.

Handlers know nothing of aiokafka: they receive decoded envelopes. The runner commits a
partition's offsets only after every message of the fetched batch was handled (its
effects durable) or dead-lettered. Failure kinds (after arroyo):
- undecodable, of any exception type, or invalid (`EventDecodeError`, `InvalidEvent`, an
  event type nobody handles) → DLQ at once, per record, commit past it;
- infrastructure (database, broker or platform unreachable, timeouts; see
  `shared.failures`) → the partition pauses and the work in hand is retried with capped
  backoff for as long as the outage lasts: no DLQ, no commit past it; `degraded()` says so
  (readiness) and `otklik_consumer_infrastructure_errors_total` counts it;
- anything else (a bug of ours) → retried with backoff; still failing after
  `max_attempts` → DLQ;
- too many dead letters in a row → `DeadLetterLimitExceeded` stops the consumer, so a
  bad deploy cannot drain a topic into its DLQ.

A commit is sent only by the group membership (generation, member id) that fetched the
records, once per attempt: aiokafka's own commit resends the same offsets until some
broker answers, and a broker that came back empty took them for its new, empty partitions
(their first records were never read). When the membership changed, the commit is dropped:
the records were handled, and whoever owns the partition now re-reads from its committed
offset (handlers are idempotent).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

import aiokafka.client
from aiokafka import (
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    ConsumerRecord,
    TopicPartition,
)
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    IllegalStateError,
    KafkaError,
    KafkaTimeoutError,
    RebalanceInProgressError,
    TopicAlreadyExistsError,
    UnknownMemberIdError,
)
from aiokafka.protocol.metadata import MetadataRequest
from aiokafka.structs import OffsetAndMetadata

from shared.events import Envelope, EventDecodeError, Payload, decode, encode, make_envelope
from shared.failures import describe, is_infrastructure_error
from shared.logging import get_logger, log_context
from shared.metrics import BusMetrics
from shared.retry import Backoff
from shared.topics import Topics

log = get_logger(__name__)

Handler = Callable[[Envelope[Any]], Awaitable[None]]
#: A consumer's group membership: (generation, member id).
Epoch = tuple[int, str]
#: A commit refused because the group rebalanced: the partition may be someone else's.
_MEMBERSHIP_LOST = (
    CommitFailedError,
    IllegalGenerationError,
    IllegalStateError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)
BatchHandler = Callable[[Sequence[Envelope[Any]]], Awaitable[None]]

E = TypeVar("E", bound=Payload)
Deps = ParamSpec("Deps")


def on(
    event: type[E],
    handler: Callable[Concatenate[Envelope[E], Deps], Awaitable[None]],
    *args: Deps.args,
    **deps: Deps.kwargs,
) -> tuple[str, Handler]:
    """Register `handler` for `event` with its dependencies bound: the type checker checks
    that the handler takes that event's envelope and that `deps` are its parameters.

        Subscription(topic=SLA, handlers=by_event(on(SlaChanged, handle_sla_changed,
                                                      sessions=sessions)))
    """

    async def handle(envelope: Envelope[Any]) -> None:
        await handler(envelope, *args, **deps)

    return event.event_type, handle


def on_batch(
    event: type[E],
    handler: Callable[Concatenate[Sequence[Envelope[E]], Deps], Awaitable[None]],
    *args: Deps.args,
    **deps: Deps.kwargs,
) -> BatchHandler:
    """`on` for a batch handler of a topic that carries `event` only; another event in the
    batch is invalid (the runner then handles the batch one by one, to the DLQ with it)."""

    async def handle(envelopes: Sequence[Envelope[Any]]) -> None:
        for envelope in envelopes:
            if not isinstance(envelope.payload, event):
                raise InvalidEvent(f"{envelope.type} on a topic of {event.event_type} only")
        await handler(envelopes, *args, **deps)

    return handle


def by_event(*registrations: tuple[str, Handler]) -> dict[str, Handler]:
    """A subscription's handlers from `on(...)` registrations; one per event type."""
    handlers: dict[str, Handler] = {}
    for event_type, handler in registrations:
        if event_type in handlers:
            raise ValueError(f"two handlers for {event_type}")
        handlers[event_type] = handler
    return handlers


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


#: False while one of our clients builds a metadata request (see `forbid_topic_auto_creation`).
_AUTO_CREATE_TOPICS: ContextVar[bool] = ContextVar("kafka_auto_create_topics", default=True)


class _MetadataRequest(MetadataRequest):
    """aiokafka's metadata request; asks for auto-creation only where a client allows it."""

    def __init__(
        self, topics: list[str] | None = None, allow_auto_topic_creation: bool | None = None
    ) -> None:
        if allow_auto_topic_creation is None:
            allow_auto_topic_creation = _AUTO_CREATE_TOPICS.get()
        super().__init__(topics, allow_auto_topic_creation)


def forbid_topic_auto_creation(client: Any) -> None:
    """Make `client` (an `AIOKafkaClient`) never ask the broker to auto-create a topic.

    aiokafka asks for it in every metadata request, with no option to turn it off. A
    broker that restarted empty (the embedded one keeps topics in memory) then creates
    our topics with its own default partition count (Tansu: 4, not `KAFKA_PARTITIONS`)
    the moment any client looks them up, and keyed records land on a partition the
    configured layout does not have. Without auto-creation a missing topic is an outage
    (publish times out: 503, paused partition) until `TopicKeeper` re-creates it right.
    Other clients in the process keep aiokafka's behaviour.
    """
    if getattr(client, "_otklik_no_auto_create", False):
        return
    aiokafka.client.MetadataRequest = _MetadataRequest
    update = client._metadata_update

    async def update_without_auto_create(cluster: Any, topics: Any) -> Any:
        token = _AUTO_CREATE_TOPICS.set(False)
        try:
            return await update(cluster, topics)
        finally:
            _AUTO_CREATE_TOPICS.reset(token)

    client._metadata_update = update_without_auto_create
    client._otklik_no_auto_create = True


class TopicKeeper:
    """Keeps this service's topics present, with the configured partition count.

    `ensure_topics` at start-up is not enough: a broker that comes back empty has lost
    them. Every `interval_s` one metadata round trip on an existing connection says
    whether any is missing; missing ones are created again before anything can be
    produced to them (our clients never auto-create, see `forbid_topic_auto_creation`),
    and `on_created` lets consumers refresh their metadata so the rebalance assigns the
    new partitions without waiting for `metadata_max_age_ms`.
    A topic with another partition count (created by someone else) is reported, not
    changed: Tansu refuses CreatePartitions, and shrinking is impossible.
    """

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        names: Iterable[str],
        partitions: int,
        replication_factor: int,
        client: Any,
        interval_s: float = 3.0,
        on_created: Callable[[list[str]], Awaitable[None]] | None = None,
    ) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._names = list(dict.fromkeys(names))
        self._partitions = partitions
        self._replication_factor = replication_factor
        self._client = client
        self._interval_s = interval_s
        self._on_created = on_created
        self._reported: dict[str, int] = {}
        self.recreated = 0

    async def check(self) -> list[str]:
        """Create what is missing; returns the topics created (none while the broker is away)."""
        try:
            cluster = await self._client.fetch_all_metadata()
        except KafkaError:
            return []  # the broker is away: readiness says so; check again later
        missing = [n for n in self._names if cluster.partitions_for_topic(n) is None]
        self._report_partition_counts(cluster)
        if not missing:
            return []
        await ensure_topics(
            self._bootstrap_servers,
            missing,
            partitions=self._partitions,
            replication_factor=self._replication_factor,
            timeout_s=10,
        )
        self.recreated += len(missing)
        log.warning(
            "topics missing on the broker were created again (did it restart empty?)",
            topics=missing,
            partitions=self._partitions,
        )
        if self._on_created is not None:
            await self._on_created(missing)
        return missing

    def _report_partition_counts(self, cluster: Any) -> None:
        counts = {n: len(cluster.partitions_for_topic(n) or ()) for n in self._names}
        wrong = {n: c for n, c in counts.items() if c and c != self._partitions}
        if wrong and wrong != self._reported:
            log.error(
                "topics have a partition count other than configured; recreate them "
                "(keyed records are spread differently than KAFKA_PARTITIONS says)",
                configured=self._partitions,
                topics=wrong,
            )
        self._reported = wrong

    async def run(self) -> None:
        """Check forever; an outage or a refused creation is logged and tried again."""
        while True:
            try:
                await self.check()
            except Exception as exc:
                if not (isinstance(exc, KafkaError) or is_infrastructure_error(exc)):
                    raise
                log.warning("topics could not be checked or created", error=describe(exc))
            await asyncio.sleep(self._interval_s)


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
        publish_timeout_s: float = 10.0,
    ) -> None:
        self._topics = topics
        self._name = producer_name
        self._metrics = metrics
        self._publish_timeout_s = publish_timeout_s
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=f"{producer_name}-producer",
            acks="all",
            linger_ms=2,
            request_timeout_ms=request_timeout_ms,
        )
        forbid_topic_auto_creation(self._producer.client)

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
        """Send several events at once; returns when all are acknowledged.

        Gives up after `publish_timeout_s` with KafkaTimeoutError (an infrastructure error:
        the API answers 503, a consumer pauses) instead of aiokafka's 30 s of silence.
        """
        topic = self._topics.name(logical_topic)
        if not envelopes:
            return
        await self._bounded(
            self._send_all(topic, [(encode(env), env.payload.key()) for env in envelopes]),
            what=f"{len(envelopes)} event(s) to {logical_topic}",
        )
        if self._metrics:
            self._metrics.produced.labels(service=self._name, topic=logical_topic).inc(
                len(envelopes)
            )

    async def _send_all(self, topic: str, messages: Sequence[tuple[bytes, bytes | None]]) -> None:
        futures = [await self._producer.send(topic, value, key=key) for value, key in messages]
        await asyncio.gather(*futures)

    async def _bounded(self, work: Awaitable[None], *, what: str) -> None:
        try:
            await asyncio.wait_for(work, timeout=self._publish_timeout_s)
        except TimeoutError as exc:
            raise KafkaTimeoutError(
                f"the broker did not acknowledge {what} within {self._publish_timeout_s:g}s"
            ) from exc

    async def send_raw(
        self,
        topic: str,
        value: bytes | None,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> None:
        async def send() -> None:
            await (await self._producer.send(topic, value, key=key, headers=list(headers or [])))

        await self._bounded(send(), what=f"a record to {topic}")


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


@dataclass
class _Work:
    """One record of a fetched batch: an envelope to handle, or a reason to dead-letter it."""

    record: ConsumerRecord
    envelope: Envelope[Any] | None
    reason: str = ""
    error: str = ""
    error_type: str = ""


class _Blocked(Exception):
    """A dependency is away: `remaining` must wait, in order, until it is back."""

    def __init__(self, remaining: list[_Work], cause: BaseException) -> None:
        super().__init__(describe(cause))
        self.remaining = remaining
        self.cause = cause


@dataclass
class _Paused:
    """A partition waiting for a dependency: what is left of its batch, when to try again."""

    remaining: list[_Work]
    end_offset: int
    attempt: int
    retry_at: float
    error: str
    since: float
    #: The membership that fetched the records: only it may commit them.
    epoch: Epoch


class _Rebalance(ConsumerRebalanceListener):
    """Forgets the waiting work of partitions that moved away (their new owner re-reads)."""

    def __init__(self, runner: ConsumerRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        for tp in revoked:
            self._runner._forget(tp)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        return None


class ConsumerRunner:
    """Polls, decodes, handles, dead-letters and commits; see the module docstring."""

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
        batch_linger_ms: int = 0,
        fetch_max_wait_ms: int = 50,
        max_attempts: int = 5,
        retry_backoff_s: float = 0.2,
        infra_backoff_max_s: float = 30.0,
        dlq_max_consecutive: int = 1000,
        session_timeout_ms: int = 10000,
        metadata_max_age_ms: int = 30000,
    ) -> None:
        self._topics = topics
        self._subs = {topics.name(s.topic): s for s in subscriptions}
        self._publisher = publisher
        self._metrics = metrics
        self._service = service
        self._group_id = group_id
        self._max_records = max_records
        self._batch_timeout_ms = batch_timeout_ms
        self._batch_linger_ms = batch_linger_ms
        self._max_attempts = max_attempts
        #: Our own failures: retried soon, a few times (at most 10 s apart).
        self._retry_backoff = Backoff(retry_backoff_s, cap=10.0)
        #: An outage: waited out for as long as it lasts, capped per wait.
        self._infra_backoff = Backoff(retry_backoff_s, cap=infra_backoff_max_s)
        self._commit_backoff = Backoff(retry_backoff_s)
        self._dlq_max_consecutive = dlq_max_consecutive
        self._consecutive_dlq = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.last_poll_monotonic = time.monotonic()
        self._positions: dict[TopicPartition, int] = {}
        self._paused: dict[TopicPartition, _Paused] = {}
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=f"{service}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_records,
            fetch_max_wait_ms=fetch_max_wait_ms,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=max(100, session_timeout_ms // 10),
            # A partition added to a subscribed topic is assigned at the next refresh
            # (aiokafka's default waits 5 minutes); `refresh_metadata()` does it at once.
            metadata_max_age_ms=metadata_max_age_ms,
        )
        forbid_topic_auto_creation(self._consumer._client)
        self._consumer.subscribe(topics=list(self._subs), listener=_Rebalance(self))

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

    @property
    def group_id(self) -> str:
        return self._group_id

    def assignment(self) -> set[TopicPartition]:
        return set(self._consumer.assignment())

    async def refresh_metadata(self) -> None:
        """Look at the topics again now: partitions that appeared are assigned by the
        rebalance their new metadata triggers.

        Twice: aiokafka hands a caller the metadata request already in flight, which may
        have left before the topics were created, and then nothing looks again for
        `metadata_max_age_ms`; the second request leaves after the first was answered.
        """
        client = self._consumer._client
        for _ in range(2):
            await client.force_metadata_update()

    def alive(self, max_silence_s: float = 60.0) -> bool:
        """Liveness follows poll progress: the loop fetched recently and did not die."""
        if self._task is not None and self._task.done():
            return False
        return time.monotonic() - self.last_poll_monotonic < max_silence_s

    def degraded(self) -> str | None:
        """Why some partitions wait for a dependency, or None when all flow."""
        if not self._paused:
            return None
        waiting = sorted(self._paused.items(), key=lambda kv: kv[1].since)
        tp, first = waiting[0]
        return (
            f"{self._group_id}: {len(waiting)} partition(s) paused, "
            f"{self._logical(tp.topic)}[{tp.partition}] for "
            f"{time.monotonic() - first.since:.0f}s: {first.error[:200]}"
        )

    # --- the loop ------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                await self._retry_paused()
                batches, epoch = await self._fetch()
                self.last_poll_monotonic = time.monotonic()
                self._metrics.last_poll.labels(service=self._service).set(time.time())
                ready = {
                    tp: records
                    for tp, records in batches.items()
                    if records and tp not in self._paused
                }
                for topic in dict.fromkeys(tp.topic for tp in ready):
                    parts = {tp: records for tp, records in ready.items() if tp.topic == topic}
                    if self._subs[topic].batch_handler is not None and len(parts) > 1:
                        await self._process_partitions(parts, epoch)
                        continue
                    for tp, records in parts.items():
                        await self._process_partition(tp, records, epoch)
                self._record_lag()
        except Exception:
            log.exception("consumer loop stopped by an unexpected error")
            raise

    async def _fetch(self) -> tuple[dict[TopicPartition, list[ConsumerRecord]], Epoch]:
        """One poll, then up to `batch_linger_ms` more while the batch is short of
        `max_records`: under a steady trickle each handler call (one transaction, one
        model pass) then takes many records instead of a few, for a bounded delay.
        Returns the records with the group membership they were fetched under."""
        batches = await self._consumer.getmany(
            timeout_ms=self._poll_timeout_ms(), max_records=self._max_records
        )
        epoch = self._epoch()
        if not batches or self._batch_linger_ms <= 0:
            return batches, epoch
        merged = {tp: list(records) for tp, records in batches.items()}
        total = sum(len(records) for records in merged.values())
        deadline = time.monotonic() + self._batch_linger_ms / 1000
        while total < self._max_records and not self._stopping.is_set():
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0:
                break
            more = await self._consumer.getmany(
                timeout_ms=left_ms, max_records=self._max_records - total
            )
            if self._epoch() != epoch:
                # A rebalance while lingering: positions went back to the committed
                # offsets, so what was fetched before is read again by the owners.
                merged, total, epoch = {}, 0, self._epoch()
            for tp, records in more.items():
                merged.setdefault(tp, []).extend(records)
                total += len(records)
        return merged, epoch

    def _epoch(self) -> Epoch:
        """The group membership now; (-1, "") while the consumer is not in its group."""
        coordinator = self._consumer._coordinator
        return coordinator.generation, coordinator.member_id

    def _poll_timeout_ms(self) -> int:
        if not self._paused:
            return self._batch_timeout_ms
        wait = min(p.retry_at for p in self._paused.values()) - time.monotonic()
        return max(1, min(self._batch_timeout_ms, int(wait * 1000)))

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

    async def _process_partition(
        self, tp: TopicPartition, records: list[ConsumerRecord], epoch: Epoch
    ) -> None:
        sub = self._subs[tp.topic]
        logical = self._logical(tp.topic)
        started = time.perf_counter()
        self._metrics.batch_size.labels(service=self._service, topic=logical).observe(len(records))
        work = [w for w in (self._prepare(sub, record) for record in records) if w is not None]
        await self._drain(tp, work, records[-1].offset + 1, attempt=0, epoch=epoch)
        self._metrics.handler_seconds.labels(service=self._service, topic=logical).observe(
            time.perf_counter() - started
        )

    async def _process_partitions(
        self, parts: dict[TopicPartition, list[ConsumerRecord]], epoch: Epoch
    ) -> None:
        """Records of several partitions of one topic in one batch handler call and one
        commit: a push spread over the partitions by key costs one model pass or one
        transaction, not one per partition, and its last partition does not wait for the
        others' passes. On an outage each partition pauses with what is left of its own."""
        topic = next(iter(parts)).topic
        sub = self._subs[topic]
        logical = self._logical(topic)
        started = time.perf_counter()
        self._metrics.batch_size.labels(service=self._service, topic=logical).observe(
            sum(len(records) for records in parts.values())
        )
        ends = {tp: records[-1].offset + 1 for tp, records in parts.items()}
        work = {
            tp: [w for w in (self._prepare(sub, record) for record in records) if w is not None]
            for tp, records in parts.items()
        }
        try:
            await self._work(sub, logical, [w for items in work.values() for w in items])
            done = ends
        except _Blocked as blocked:
            left = {id(w) for w in blocked.remaining}
            done = {}
            for tp, end in ends.items():
                remaining = [w for w in work[tp] if id(w) in left]
                if remaining:
                    self._pause(tp, _Blocked(remaining, blocked.cause), end, 0, epoch)
                else:
                    done[tp] = end
        await self._commit_handled(done, epoch)
        self._metrics.handler_seconds.labels(service=self._service, topic=logical).observe(
            time.perf_counter() - started
        )

    async def _commit_handled(self, offsets: dict[TopicPartition, int], epoch: Epoch) -> None:
        """Commit partitions whose records were all handled; on an outage they pause with
        nothing left to handle, only the commit to retry."""
        if not offsets:
            return
        try:
            committed = await self._commit(offsets, epoch)
        except _Blocked as blocked:
            for tp, end in offsets.items():
                self._pause(tp, _Blocked([], blocked.cause), end, 0, epoch)
            return
        if committed:
            self._positions.update(offsets)

    def _prepare(self, sub: Subscription, record: ConsumerRecord) -> _Work | None:
        """Decode one record; whatever cannot be decoded, of any kind, is marked for the DLQ."""
        try:
            envelope = decode(record.value)
        except Exception as exc:  # decode() wraps its own; anything else is undecodable too
            return _Work(
                record,
                None,
                reason="undecodable",
                error=str(exc) if isinstance(exc, EventDecodeError) else describe(exc),
                error_type=type(exc.__cause__ or exc).__name__,
            )
        if envelope.type in sub.ignore:
            return None
        if sub.batch_handler is None and envelope.type not in sub.handlers:
            return _Work(
                record,
                None,
                reason="unhandled",
                error=f"no handler for event type {envelope.type!r}",
                error_type="UnhandledEventType",
            )
        return _Work(record, envelope)

    async def _drain(
        self,
        tp: TopicPartition,
        work: list[_Work],
        end_offset: int,
        *,
        attempt: int,
        epoch: Epoch,
    ) -> None:
        """Handle `work`, then commit `end_offset`; on an outage, pause the partition instead."""
        sub = self._subs[tp.topic]
        logical = self._logical(tp.topic)
        try:
            await self._work(sub, logical, work)
            committed = await self._commit({tp: end_offset}, epoch)
        except _Blocked as blocked:
            self._pause(tp, blocked, end_offset, attempt, epoch)
            return
        if committed:
            self._positions[tp] = end_offset
        if self._paused.pop(tp, None) is not None:
            if committed:
                self._consumer.seek(tp, end_offset)
            if tp in self._consumer.assignment():
                self._consumer.resume(tp)
            self._metrics.paused.labels(service=self._service).set(len(self._paused))
            log.info("dependency back: partition resumed", topic=logical, partition=tp.partition)

    async def _work(self, sub: Subscription, logical: str, work: list[_Work]) -> None:
        rejected = [w for w in work if w.envelope is None]
        accepted = [w for w in work if w.envelope is not None]
        for i, item in enumerate(rejected):
            try:
                await self._dead_letter(item, logical)
            except DeadLetterLimitExceeded:
                raise
            except Exception as exc:
                if is_infrastructure_error(exc):
                    raise _Blocked(rejected[i:] + accepted, exc) from exc
                raise
        if not accepted:
            return
        if sub.batch_handler is not None:
            await self._handle_batch(sub.batch_handler, accepted, logical)
            return
        for i, item in enumerate(accepted):
            assert item.envelope is not None
            try:
                await self._handle_one(sub.handlers[item.envelope.type], item, logical)
            except _Blocked as blocked:
                raise _Blocked(accepted[i:], blocked.cause) from blocked.cause

    def _pause(
        self, tp: TopicPartition, blocked: _Blocked, end_offset: int, attempt: int, epoch: Epoch
    ) -> None:
        """Wait for the dependency with capped backoff: no DLQ, no commit past the wait."""
        logical = self._logical(tp.topic)
        attempt += 1
        delay = self._infra_backoff.delay(attempt - 1)
        now = time.monotonic()
        previous = self._paused.get(tp)
        self._paused[tp] = _Paused(
            remaining=blocked.remaining,
            end_offset=end_offset,
            attempt=attempt,
            retry_at=now + delay,
            error=describe(blocked.cause),
            since=previous.since if previous else now,
            epoch=epoch,
        )
        self._consumer.pause(tp)
        self._metrics.infrastructure_errors.labels(
            service=self._service, topic=logical, reason=type(blocked.cause).__name__
        ).inc()
        self._metrics.paused.labels(service=self._service).set(len(self._paused))
        log.warning(
            "dependency unavailable: partition paused",
            topic=logical,
            partition=tp.partition,
            waiting=len(blocked.remaining),
            attempt=attempt,
            retry_in_s=round(delay, 2),
            error_type=type(blocked.cause).__name__,
            error=str(blocked.cause)[:500],
        )

    async def _retry_paused(self) -> None:
        now = time.monotonic()
        for tp, paused in list(self._paused.items()):
            if self._stopping.is_set():
                return
            if paused.retry_at > now or tp not in self._consumer.assignment():
                continue
            await self._drain(
                tp,
                paused.remaining,
                paused.end_offset,
                attempt=paused.attempt,
                epoch=paused.epoch,
            )

    def _forget(self, tp: TopicPartition) -> None:
        if self._paused.pop(tp, None) is not None:
            self._metrics.paused.labels(service=self._service).set(len(self._paused))
            log.info("paused partition revoked; its new owner re-reads it", partition=tp.partition)

    async def _commit(self, offsets: dict[TopicPartition, int], epoch: Epoch) -> bool:
        """Commit `offsets` as the membership `epoch`; False when that membership is gone
        (the handled records are re-read by the partitions' owners; see the module doc)."""
        for attempt in range(1, self._max_attempts + 1):
            try:
                return await self._commit_once(offsets, epoch)
            except _MEMBERSHIP_LOST as exc:
                log.info(
                    "commit dropped: the group rebalanced; the partitions' owners re-read them",
                    partitions=sorted(
                        f"{self._logical(tp.topic)}[{tp.partition}]" for tp in offsets
                    ),
                    error=describe(exc),
                )
                return False
            except KafkaError as exc:
                if is_infrastructure_error(exc):
                    raise _Blocked([], exc) from exc
                if attempt == self._max_attempts:
                    raise
                log.warning("commit failed, retrying", error=describe(exc), attempt=attempt)
                await asyncio.sleep(self._commit_backoff.delay(attempt - 1))
        return False  # not reached: the last attempt returns or raises

    async def _commit_once(self, offsets: dict[TopicPartition, int], epoch: Epoch) -> bool:
        """One OffsetCommit request, sent only while `epoch` is still our membership.

        Not `AIOKafkaConsumer.commit`: it retries retriable errors by itself, across a
        broker restart and our rejoin, and then commits the old offsets as the new member.
        """
        coordinator = self._consumer._coordinator
        await coordinator.ensure_coordinator_known()
        async with coordinator._commit_lock:
            owned = self._consumer.assignment()
            if self._epoch() != epoch or not all(tp in owned for tp in offsets):
                log.info(
                    "commit dropped: the records were fetched by an earlier group membership",
                    partitions=sorted(
                        f"{self._logical(tp.topic)}[{tp.partition}]" for tp in offsets
                    ),
                )
                return False
            assignment = self._consumer._subscription.subscription.assignment
            await coordinator._do_commit_offsets(
                assignment, {tp: OffsetAndMetadata(offset, "") for tp, offset in offsets.items()}
            )
        return True

    async def _handle_batch(self, handler: BatchHandler, work: list[_Work], logical: str) -> None:
        envelopes = [w.envelope for w in work if w.envelope is not None]
        for attempt in range(1, self._max_attempts + 1):
            try:
                await handler(envelopes)
            except InvalidEvent:
                break  # one of them is poison: isolate it below
            except Exception as exc:
                if is_infrastructure_error(exc):
                    raise _Blocked(work, exc) from exc
                self._metrics.failed.labels(
                    service=self._service, topic=logical, reason=type(exc).__name__
                ).inc()
                log.warning(
                    "batch handler failed",
                    error=describe(exc),
                    attempt=attempt,
                    size=len(envelopes),
                    exc_info=True,
                )
                if attempt < self._max_attempts:
                    await self._sleep_backoff(attempt)
                continue
            self._count_handled(logical, envelopes)
            return
        for i, item in enumerate(work):
            try:
                await self._handle_one(lambda env: handler([env]), item, logical)
            except _Blocked as blocked:
                raise _Blocked(work[i:], blocked.cause) from blocked.cause

    async def _handle_one(self, handler: Handler, item: _Work, logical: str) -> None:
        """Retry our own failures, then dead-letter; an outage raises `_Blocked` at once."""
        envelope = item.envelope
        assert envelope is not None
        mention_id = _mention_id(envelope)
        with log_context(
            event_id=envelope.event_id, trace_id=envelope.trace_id, mention_id=mention_id
        ):
            last: BaseException | None = None
            for attempt in range(1, self._max_attempts + 1):
                try:
                    await handler(envelope)
                except InvalidEvent as exc:
                    item.reason, item.error = "invalid", f"invalid event: {exc}"
                    item.error_type = type(exc).__name__
                    await self._dead_letter_or_block(item, logical)
                    return
                except Exception as exc:
                    if is_infrastructure_error(exc):
                        raise _Blocked([item], exc) from exc
                    last = exc
                    self._metrics.failed.labels(
                        service=self._service, topic=logical, reason=type(exc).__name__
                    ).inc()
                    log.warning(
                        "handler failed", error=describe(exc), attempt=attempt, exc_info=True
                    )
                    if attempt < self._max_attempts:
                        await self._sleep_backoff(attempt)
                    continue
                self._count_handled(logical, [envelope])
                return
            assert last is not None
            item.reason = "exhausted"
            item.error = f"failed {self._max_attempts} times; last error: {describe(last)}"
            item.error_type = type(last).__name__
            await self._dead_letter_or_block(item, logical)

    async def _dead_letter_or_block(self, item: _Work, logical: str) -> None:
        try:
            await self._dead_letter(item, logical)
        except DeadLetterLimitExceeded:
            raise
        except Exception as exc:
            if is_infrastructure_error(exc):
                raise _Blocked([item], exc) from exc
            raise

    async def _sleep_backoff(self, attempt: int) -> None:
        delay = self._retry_backoff.delay(attempt - 1)
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

    async def _dead_letter(self, item: _Work, logical: str) -> None:
        """Keep the original bytes; say what was wrong, where and for whom in headers."""
        record = item.record
        headers = [
            ("dlq.error", item.error[:2000].encode()),
            ("dlq.error_type", item.error_type.encode()),
            ("dlq.reason", item.reason.encode()),
            ("dlq.topic", record.topic.encode()),
            ("dlq.partition", str(record.partition).encode()),
            ("dlq.offset", str(record.offset).encode()),
            ("dlq.service", self._service.encode()),
            ("dlq.group", self._group_id.encode()),
            ("dlq.failed_at", str(time.time()).encode()),
        ]
        await self._publisher.send_raw(
            self._topics.dlq(logical), record.value, key=record.key, headers=headers
        )
        self._metrics.dead_lettered.labels(
            service=self._service, topic=logical, reason=item.reason
        ).inc()
        log.error(
            "message dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            group=self._group_id,
            reason=item.reason,
            error_type=item.error_type,
            error=item.error[:500],
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
