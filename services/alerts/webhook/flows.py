"""Webhook flows: the delivery worker (send what is due, record, schedule the retry) and
the replay of a time range from Kafka for one subscription."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.config import AlertsSettings
from services.alerts.metrics import AlertsMetrics
from services.alerts.webhook import service
from services.alerts.webhook.delivery import WebhookEndpoint, WebhookEvent, deliver
from services.alerts.webhook.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from services.alerts.webhook.schemas import EVENT_TYPES_BY_TOPIC, ReplayResult
from shared.db import session_scope
from shared.events import EventDecodeError, decode, utcnow
from shared.logging import get_logger
from shared.topics import Topics

log = get_logger(__name__)

#: Past the HTTP timeout: a worker that died mid-send gives the delivery back after this.
LEASE_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True)
class DeliveryWorker:
    """What the delivery worker uses: made once in the lifespan."""

    sessions: async_sessionmaker[AsyncSession]
    settings: AlertsSettings
    client: httpx.AsyncClient
    metrics: AlertsMetrics
    #: Set by the fan-out and the API, so deliveries go out without waiting for a tick.
    wakeup: asyncio.Event


async def deliver_due(worker: DeliveryWorker) -> int:
    """One pass: claim the due deliveries, send them concurrently, record each attempt."""
    settings = worker.settings
    now = utcnow()
    lease_until = now + timedelta(seconds=settings.alerts_webhook_timeout_s) + LEASE_MARGIN
    claimed: list[tuple[int, WebhookEndpoint | None, WebhookEvent]] = []
    async with session_scope(worker.sessions) as session:
        due = await service.due_deliveries(session, now=now, limit=settings.alerts_webhook_batch)
        for row in due:
            if not await service.claim(session, delivery=row, lease_until=lease_until):
                continue
            sub = await session.get(WebhookSubscription, row.subscription_id)
            claimed.append(
                (row.id, service.to_domain(sub) if sub and sub.active else None, _event(row))
            )
    if not claimed:
        return 0
    limit = asyncio.Semaphore(settings.alerts_webhook_concurrency)

    async def one(delivery_id: int, sub: WebhookEndpoint | None, event: WebhookEvent) -> None:
        async with limit:
            await _attempt(worker, delivery_id, sub, event)

    await asyncio.gather(*(one(*c) for c in claimed))
    return len(claimed)


def _event(row: WebhookDelivery) -> WebhookEvent:
    return WebhookEvent(
        id=row.event_id, type=row.event_type, occurred_at=row.occurred_at, data=row.data
    )


async def _attempt(
    worker: DeliveryWorker, delivery_id: int, sub: WebhookEndpoint | None, event: WebhookEvent
) -> None:
    settings, metrics = worker.settings, worker.metrics
    if sub is None:  # deleted between enqueue and now
        async with session_scope(worker.sessions) as session:
            await service.cancel(session, delivery_id=delivery_id, now=utcnow())
        return
    attempt = await deliver(
        worker.client,
        sub,
        event,
        allow_private=settings.alerts_allow_private_destinations,
        allowlist=settings.alerts_destination_allowlist,
        timeout_s=settings.alerts_webhook_timeout_s,
    )
    async with session_scope(worker.sessions) as session:
        status = await service.record_attempt(
            session,
            delivery_id=delivery_id,
            attempt=attempt,
            schedule=settings.webhook_retry_schedule(),
        )
    if attempt.status_code is not None or attempt.ok:
        metrics.webhook_delivery_seconds.observe(attempt.latency_s)
    result = {DeliveryStatus.delivered: "delivered", DeliveryStatus.pending: "retry"}.get(
        status, "failed"
    )
    if not attempt.ok and attempt.status_code is None and "SSRF" in (attempt.error or ""):
        result = "refused"
    metrics.webhook_deliveries.labels(result=result).inc()
    if not attempt.ok:
        log.warning(
            "webhook delivery failed",
            delivery_id=delivery_id,
            subscription_id=sub.id,
            error=attempt.error,
            status=status,
        )


async def refresh_gauges(worker: DeliveryWorker) -> None:
    async with session_scope(worker.sessions) as session:
        worker.metrics.webhook_retries_pending.set(await service.count_retries_pending(session))


async def run_delivery_worker(worker: DeliveryWorker) -> None:
    """Sends due deliveries: at once when the fan-out wakes it, else every tick (retries).

    A failing pass (database away) is logged and tried again on the next tick, like the
    escalation ticker: deliveries wait in the table, nothing is lost.
    """
    while True:
        worker.wakeup.clear()
        sent = 0
        try:
            sent = await deliver_due(worker)
            await refresh_gauges(worker)
        except Exception:
            log.exception("webhook delivery pass failed")
        if sent >= worker.settings.alerts_webhook_batch:
            continue  # a backlog: keep going without waiting
        try:
            await asyncio.wait_for(
                worker.wakeup.wait(), timeout=worker.settings.alerts_tick_interval_s
            )
        except TimeoutError:
            pass


# --- replay ---------------------------------------------------------------------------


def replay_topics(sub: WebhookEndpoint) -> list[str]:
    """Logical topics holding an event type the subscription wants."""
    return [topic for topic, etype in EVENT_TYPES_BY_TOPIC.items() if sub.wants(etype)]


async def replay(
    *,
    sessions: async_sessionmaker[AsyncSession],
    settings: AlertsSettings,
    topics: Topics,
    webhook_wakeup: asyncio.Event,
    subscription_id: str,
    start: datetime,
    end: datetime,
) -> ReplayResult:
    """Re-read [start, end] from Kafka and enqueue the subscription's missing deliveries.

    A consumer without a group (nothing committed, the service's own group untouched)
    seeks every partition to `start` with `offsets_for_times`, reads until a record
    after `end` or the end offset seen at the start, bounded in count and time. Events
    the subscription already has a delivery for are skipped (keyed by event id).
    """
    async with session_scope(sessions) as session:
        row = await service.get_subscription(session, subscription_id=subscription_id)
        sub = service.to_domain(row)
    wanted = replay_topics(sub)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id=f"{settings.service_name}-replay",
    )
    await consumer.start()
    scanned = matched = enqueued = 0
    truncated = False
    deadline = time.monotonic() + settings.alerts_webhook_replay_timeout_s
    try:
        partitions = await _seek_to(consumer, [topics.name(t) for t in wanted], start)
        end_ms = int(end.timestamp() * 1000)
        remaining = dict(partitions)  # tp → end offset still to reach
        while remaining:
            if time.monotonic() > deadline or scanned >= settings.alerts_webhook_replay_max_events:
                truncated = True
                break
            batches = await consumer.getmany(*remaining, timeout_ms=500, max_records=500)
            events: list[WebhookEvent] = []
            for tp, records in batches.items():
                for record in records:
                    if tp not in remaining:
                        break
                    if record.timestamp > end_ms:
                        remaining.pop(tp)
                        break
                    scanned += 1
                    event = _replayed_event(record.value, sub)
                    if event is not None:
                        events.append(event)
                    if record.offset + 1 >= remaining[tp]:
                        remaining.pop(tp)
                    if scanned >= settings.alerts_webhook_replay_max_events:
                        break
            for tp in list(remaining):
                if await consumer.position(tp) >= remaining[tp]:
                    remaining.pop(tp)
            if events:
                matched += len(events)
                async with session_scope(sessions) as session:
                    enqueued += await service.enqueue(
                        session, events=events, now=utcnow(), subscriptions=[row]
                    )
    finally:
        await consumer.stop()
    if enqueued:
        webhook_wakeup.set()
    log.info(
        "webhook replay done",
        subscription_id=subscription_id,
        scanned=scanned,
        matched=matched,
        enqueued=enqueued,
        truncated=truncated,
    )
    return ReplayResult(
        subscription_id=subscription_id,
        topics=wanted,
        scanned=scanned,
        matched=matched,
        enqueued=enqueued,
        truncated=truncated,
    )


async def _seek_to(
    consumer: AIOKafkaConsumer, topics: Sequence[str], start: datetime
) -> dict[TopicPartition, int]:
    """Assign every partition of `topics`, seek to the first offset at/after `start`.

    Returns the partitions that hold something in range, with the end offset to stop at.
    """
    tps: list[TopicPartition] = []
    for topic in topics:
        for partition in sorted(await _partitions(consumer, topic)):
            tps.append(TopicPartition(topic, partition))
    if not tps:
        return {}
    consumer.assign(tps)
    start_ms = int(start.timestamp() * 1000)
    offsets = await consumer.offsets_for_times({tp: start_ms for tp in tps})
    ends = await consumer.end_offsets(tps)
    out: dict[TopicPartition, int] = {}
    for tp in tps:
        found = offsets.get(tp)
        if found is None or found.offset >= ends[tp]:
            continue  # nothing at or after `start` in this partition
        consumer.seek(tp, found.offset)
        out[tp] = ends[tp]
    return out


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    found: set[int] | None = consumer.partitions_for_topic(topic)
    if found is None:
        await consumer.topics()  # fetches the cluster's metadata for a topic not yet seen
        found = consumer.partitions_for_topic(topic)
    return set(found or ())


def _replayed_event(raw: bytes | None, sub: WebhookEndpoint) -> WebhookEvent | None:
    try:
        envelope = decode(raw)
    except EventDecodeError:
        return None  # the live consumer dead-lettered it: nothing to deliver
    if not sub.wants(envelope.type):
        return None
    return service.webhook_event(envelope)
