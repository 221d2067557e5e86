"""The escalation ticker: takes the steps that came due (ladder timers, quiet hours ending).

Started by the runtime in the lifespan, like the responder's SLA sweeper; every replica
runs one, and they share the due escalations through leases in the database. Each tick also
refreshes the gauges and judges the crisis windows if this replica gets the crisis lease
(one replica a tick; the windows are in the database, counted by every replica).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.crisis import flows as crisis_flows
from services.alerts.crisis.detector import CrisisConfig
from services.alerts.escalation import flows
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification import service as notification_service
from services.alerts.notification.notifier import Notifier
from services.alerts.owner import service as owner_service
from services.alerts.owner.current import CurrentDirectory
from shared.bus import Publisher
from shared.db import session_scope
from shared.events import utcnow
from shared.logging import get_logger

log = get_logger(__name__)

#: How long a replica holds the escalations it claimed: far past one pass (short
#: transactions, nothing sent inside), and the most a step waits when that replica dies.
DEFAULT_LEASE = timedelta(seconds=30)


async def tick(
    *,
    sessions: async_sessionmaker[AsyncSession],
    directory: CurrentDirectory,
    notifier: Notifier,
    crisis: CrisisConfig,
    publisher: Publisher,
    metrics: AlertsMetrics,
    lease: timedelta = DEFAULT_LEASE,
) -> None:
    """Take escalation steps that came due, judge the crisis windows, refresh gauges.

    The due escalations are leased to this replica first (`flows.claim_due`), so replicas
    ticking at the same moment share the work instead of racing for it.
    """
    now = utcnow()
    async with session_scope(sessions) as session:
        # A directory replaced through another replica's API is in force here too.
        if (stored := await owner_service.newer(session, directory.version)) is not None:
            directory.replace(*stored)
        claim, due = await flows.claim_due(session, now, lease=lease)
    await flows.advance_all(
        sessions=sessions,
        escalation_ids=due,
        directory=directory.document.index(),
        notifier=notifier,
        claim=claim,
    )
    await crisis_flows.evaluate(
        sessions=sessions,
        crisis=crisis,
        directory=directory.document,
        notifier=notifier,
        publisher=publisher,
        metrics=metrics,
        lease=lease,
    )
    async with session_scope(sessions) as session:
        metrics.open_escalations.set(await flows.count_open(session))
        metrics.active_crises.set(await crisis_flows.count_active(session))
        metrics.notifications_pending.set(await notification_service.count_pending(session))


async def run_ticker(
    *,
    sessions: async_sessionmaker[AsyncSession],
    directory: CurrentDirectory,
    notifier: Notifier,
    crisis: CrisisConfig,
    publisher: Publisher,
    metrics: AlertsMetrics,
    interval_s: float,
    lease: timedelta = DEFAULT_LEASE,
) -> None:
    """Tick every `interval_s`; a failing tick (database away) is logged and tried again."""
    while True:
        try:
            await tick(
                sessions=sessions,
                directory=directory,
                notifier=notifier,
                crisis=crisis,
                publisher=publisher,
                metrics=metrics,
                lease=lease,
            )
        except Exception:
            log.exception("alerts tick failed")
        await asyncio.sleep(interval_s)
