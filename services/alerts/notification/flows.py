"""The dispatcher: drains the notification outbox with bounded concurrency.

The Kafka handler and the ticker only write outbox rows (in the transaction that takes
the step) and wake the dispatcher; they never wait for a channel. The dispatcher claims
due rows under a lease, sends each over the shared HTTP client (at most
`alerts_notify_concurrency` at once), and a recorder writes the results in batches: one
transaction for many attempts, so the database sees a few writes per second, not one per
notification. A failed attempt is retried after the backoff by the same loop; a crash
before the result is recorded sends again once the lease ends (same notification id, so
a receiver can recognise the repeat).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.channel.contract import DeliveryResult
from services.alerts.config import AlertsSettings
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification import service
from services.alerts.notification.models import OutboxStatus
from services.alerts.notification.notifier import Notifier
from services.alerts.notification.retry import RetryPolicy
from services.alerts.notification.service import Claimed
from shared.db import session_scope
from shared.events import utcnow
from shared.logging import get_logger

log = get_logger(__name__)

#: Past the channel timeouts: a sender that died mid-send gives the row back after this.
LEASE_MARGIN = timedelta(seconds=30)
#: Attempts written in one transaction at most.
RECORD_BATCH = 500
#: Under a backlog, how long freed slots are gathered before one claim fills them.
CLAIM_GATHER_S = 0.05
#: How long the recorder gathers results into one transaction (delivery is not delayed).
RECORD_GATHER_S = 0.1
#: On shutdown, how long sends in flight may take to finish and be recorded.
DRAIN_TIMEOUT_S = 5.0


class Dispatcher:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        notifier: Notifier,
        settings: AlertsSettings,
        metrics: AlertsMetrics,
    ) -> None:
        self.sessions = sessions
        self.notifier = notifier
        self.settings = settings
        self.metrics = metrics
        self.policy = RetryPolicy(
            max_attempts=settings.alerts_notify_max_attempts,
            base_delay=settings.alerts_notify_base_delay_s,
        )
        self.concurrency = settings.alerts_notify_concurrency
        self.lease = timedelta(seconds=settings.alerts_http_timeout_s) + LEASE_MARGIN
        self.results: asyncio.Queue[tuple[Claimed, DeliveryResult]] = asyncio.Queue()
        self.in_flight: set[asyncio.Task[None]] = set()
        #: The last claim filled every free slot: more may be due, claim again on a free slot.
        self.backlog = False

    async def run(self) -> None:
        recorder = asyncio.create_task(self._record_loop(), name="alerts-notify-recorder")
        wakeup = self.notifier.wakeup
        try:
            while True:
                wakeup.clear()
                free = self.concurrency - len(self.in_flight)
                if self.backlog and free < self.concurrency // 2:
                    # Under a backlog, claim freed slots in groups, not one transaction
                    # per finished send.
                    await self._gather_slots()
                    free = self.concurrency - len(self.in_flight)
                if free > 0:
                    claimed = await self._claim(free)
                    self.backlog = len(claimed) == free
                    for item in claimed:
                        task = asyncio.create_task(self._send(item))
                        self.in_flight.add(task)
                        task.add_done_callback(self._done)
                    if self.backlog:
                        continue
                try:
                    await asyncio.wait_for(
                        wakeup.wait(), timeout=self.settings.alerts_tick_interval_s
                    )
                except TimeoutError:
                    pass
        finally:
            await self._drain(recorder)

    async def _gather_slots(self) -> None:
        """Wait until half the slots are free, for at most CLAIM_GATHER_S."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLAIM_GATHER_S
        wakeup = self.notifier.wakeup
        while self.concurrency - len(self.in_flight) < self.concurrency // 2:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            wakeup.clear()
            try:
                await asyncio.wait_for(wakeup.wait(), timeout=remaining)
            except TimeoutError:
                return

    async def _claim(self, limit: int) -> list[Claimed]:
        try:
            async with session_scope(self.sessions) as session:
                return await service.claim_due(session, now=utcnow(), limit=limit, lease=self.lease)
        except Exception:
            # The database is away: the rows wait in the outbox; try again on the tick.
            log.exception("claiming notifications failed")
            return []

    def _done(self, task: asyncio.Task[None]) -> None:
        self.in_flight.discard(task)
        if self.backlog:
            self.notifier.wakeup.set()

    async def _send(self, item: Claimed) -> None:
        try:
            result = await self.notifier.deliver(item.notification, item.destination)
        except Exception as exc:  # channels report failures as data; this is a bug, retried
            log.exception("sending a notification raised", channel=item.destination.channel)
            result = DeliveryResult(
                ok=False,
                channel=item.destination.channel,
                error=f"{type(exc).__name__}: {exc}"[:300],
                retryable=True,
            )
        self.results.put_nowait((item, result))

    async def _record_loop(self) -> None:
        while True:
            batch = [await self.results.get()]
            await asyncio.sleep(RECORD_GATHER_S)  # results finishing together share a commit
            while len(batch) < RECORD_BATCH and not self.results.empty():
                batch.append(self.results.get_nowait())
            await self._record(batch)

    async def _record(self, batch: list[tuple[Claimed, DeliveryResult]]) -> None:
        """Write the batch; keeps trying while the database is away, up to one lease.

        Past the lease the rows are claimable again and will be sent again (same
        notification id), so the results are dropped rather than held forever.
        """
        metrics = self.metrics
        give_up_at = utcnow() + self.lease
        failures = 0
        while True:
            now = utcnow()
            try:
                async with session_scope(self.sessions) as session:
                    recorded = await service.record(session, batch, policy=self.policy, now=now)
                break
            except Exception as exc:
                failures += 1
                # The traceback once; the retries every tick only say it still fails.
                if failures == 1:
                    log.exception("recording notification attempts failed", attempts=len(batch))
                else:
                    log.warning(
                        "recording notification attempts still fails",
                        attempts=len(batch),
                        tries=failures,
                        error=f"{type(exc).__name__}: {exc}",
                    )
                if now >= give_up_at:
                    log.error("notification results dropped: rows resend after their lease")
                    return
                await asyncio.sleep(self.settings.alerts_tick_interval_s)
        retry_at: datetime | None = None
        for r in recorded:
            channel = r.claimed.destination.channel
            result = {OutboxStatus.delivered: "ok", OutboxStatus.pending: "retry"}.get(
                r.status, "failed"
            )
            metrics.notifications.labels(channel=channel, result=result).inc()
            if r.status == OutboxStatus.delivered:
                waited = (now - r.claimed.created_at).total_seconds()
                metrics.notification_seconds.labels(channel=channel).observe(max(0.0, waited))
            else:
                log.warning(
                    "notification attempt failed",
                    channel=channel,
                    notification_id=r.claimed.notification.id,
                    attempt=r.claimed.attempts + 1,
                    status=r.status,
                    error=r.result.error,
                )
            if r.next_attempt_at is not None:
                retry_at = min(retry_at or r.next_attempt_at, r.next_attempt_at)
        if retry_at is not None:
            delay = max(0.0, (retry_at - utcnow()).total_seconds())
            asyncio.get_running_loop().call_later(delay, self.notifier.wakeup.set)

    async def _drain(self, recorder: asyncio.Task[None]) -> None:
        """On shutdown: let sends in flight finish and record them, within a bound."""
        if self.in_flight:
            await asyncio.wait(set(self.in_flight), timeout=DRAIN_TIMEOUT_S)
        recorder.cancel()
        await asyncio.gather(recorder, return_exceptions=True)
        leftover: list[tuple[Claimed, DeliveryResult]] = []
        while not self.results.empty():
            leftover.append(self.results.get_nowait())
        if leftover:
            try:
                async with session_scope(self.sessions) as session:
                    await service.record(session, leftover, policy=self.policy, now=utcnow())
            except Exception:
                log.exception("recording notification attempts at shutdown failed")


async def run_notification_worker(
    *,
    sessions: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    settings: AlertsSettings,
    metrics: AlertsMetrics,
) -> None:
    """Sends the outbox: at once when woken (a step was taken), else every tick."""
    await Dispatcher(sessions=sessions, notifier=notifier, settings=settings, metrics=metrics).run()
