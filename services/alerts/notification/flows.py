"""The dispatcher: drains the notification outbox in rounds, with bounded concurrency.

The Kafka handler and the ticker only write outbox rows (in the transaction that takes
the step) and wake the dispatcher; they never wait for a channel. The dispatcher claims
a round of due rows under one lease in one statement, and sends it in waves of
`alerts_notify_concurrency` concurrent POSTs over the shared, keep-alive HTTP client;
each wave's destinations are SSRF-checked once, just before it, and its results are
written in one transaction (two statements) before the next wave starts. So a
notification costs a small fraction of a statement, and a replica killed mid-round has
at most one wave sent but not recorded: those few resend once the lease ends (same
notification id, so a receiver can recognise the repeat); the rest of the round was
never sent. A failed attempt is retried after the backoff by the same loop.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.channel.contract import Channel, DeliveryResult
from services.alerts.config import AlertsSettings
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification import service
from services.alerts.notification.compose import Destination
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
#: Waves in one claimed round: one claim statement for this many waves of sends.
ROUND_WAVES = 4
#: A wave starts only while its round's lease has this much left past the timeout (a
#: round slowed by timeouts or a database away drops its rest: resent after the lease).
WAVE_MARGIN = timedelta(seconds=10)
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
        self.timeout = timedelta(seconds=settings.alerts_http_timeout_s)
        self.round_size = self.concurrency * ROUND_WAVES
        #: Covers every wave of a round timing out, plus the margin.
        self.lease = self.timeout * ROUND_WAVES + LEASE_MARGIN
        #: The wave being sent (task → its row), and results not yet recorded: what a
        #: shutdown still finishes and writes.
        self.in_flight: dict[asyncio.Task[DeliveryResult], Claimed] = {}
        self.unrecorded: list[tuple[Claimed, DeliveryResult]] = []

    async def run(self) -> None:
        wakeup = self.notifier.wakeup
        try:
            while True:
                wakeup.clear()
                lease_end = utcnow() + self.lease  # the claim's lease ends at or after this
                claimed = await self._claim(self.round_size)
                if claimed:
                    await self._send_round(claimed, lease_end)
                if len(claimed) == self.round_size or wakeup.is_set():
                    continue  # more may be due
                try:
                    await asyncio.wait_for(
                        wakeup.wait(), timeout=self.settings.alerts_tick_interval_s
                    )
                except TimeoutError:
                    pass
        finally:
            await self._drain()

    async def _claim(self, limit: int) -> list[Claimed]:
        try:
            async with session_scope(self.sessions) as session:
                return await service.claim_due(session, now=utcnow(), limit=limit, lease=self.lease)
        except Exception:
            # The database is away: the rows wait in the outbox; try again on the tick.
            log.exception("claiming notifications failed")
            return []

    async def _send_round(self, claimed: list[Claimed], lease_end: datetime) -> None:
        """Send the round wave by wave, recording each wave before the next is sent."""
        for start in range(0, len(claimed), self.concurrency):
            if lease_end - utcnow() < self.timeout + WAVE_MARGIN:
                log.warning(
                    "notification round outlived its lease: the rest resend after it",
                    left=len(claimed) - start,
                )
                return
            wave = claimed[start : start + self.concurrency]
            channels = await self._open({item.destination for item in wave})
            self.in_flight = {
                asyncio.create_task(self._send(item, channels[item.destination])): item
                for item in wave
            }
            await asyncio.wait(self.in_flight)
            self.unrecorded = [(item, task.result()) for task, item in self.in_flight.items()]
            self.in_flight = {}
            await self._record(self.unrecorded)
            self.unrecorded = []

    async def _open(self, destinations: set[Destination]) -> dict[Destination, Channel | str]:
        """One channel per destination of a wave: its SSRF check (and, for a host name,
        its resolution) happens once, just before the wave, and every send of the wave
        goes to the address that check approved."""
        opened: dict[Destination, Channel | str] = {}
        for destination in destinations:
            try:
                opened[destination] = await self.notifier.open(destination)
            except Exception as exc:  # a bug, not a refusal: retried like a failed send
                log.exception("opening a channel raised", channel=destination.channel)
                opened[destination] = f"{type(exc).__name__}: {exc}"[:300]
        return opened

    async def _send(self, item: Claimed, channel: Channel | str) -> DeliveryResult:
        kind = item.destination.channel
        if isinstance(channel, str):  # refused or not configured: no attempt can help
            return DeliveryResult(ok=False, channel=kind, error=channel)
        try:
            return await channel.send(item.notification)
        except Exception as exc:  # channels report failures as data; this is a bug, retried
            log.exception("sending a notification raised", channel=kind)
            return DeliveryResult(
                ok=False, channel=kind, error=f"{type(exc).__name__}: {exc}"[:300], retryable=True
            )

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
        counts: Counter[tuple[str, str]] = Counter()
        for r in recorded:
            channel = r.claimed.destination.channel
            result = {OutboxStatus.delivered: "ok", OutboxStatus.pending: "retry"}.get(
                r.status, "failed"
            )
            counts[channel, result] += 1
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
        for (channel, result), count in counts.items():
            metrics.notifications.labels(channel=channel, result=result).inc(count)
        if retry_at is not None:
            delay = max(0.0, (retry_at - utcnow()).total_seconds())
            asyncio.get_running_loop().call_later(delay, self.notifier.wakeup.set)

    async def _drain(self) -> None:
        """On shutdown: let the wave in flight finish and record it, within a bound."""
        leftover = list(self.unrecorded)
        if self.in_flight:
            await asyncio.wait(set(self.in_flight), timeout=DRAIN_TIMEOUT_S)
            for task, item in self.in_flight.items():
                if task.done() and not task.cancelled() and task.exception() is None:
                    leftover.append((item, task.result()))
                else:
                    task.cancel()
        self.in_flight, self.unrecorded = {}, []
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
