"""The escalation ticker: takes the steps that came due (ladder timers, quiet hours ending).

Started by the runtime in the lifespan, like the responder's SLA sweeper. Each tick also
refreshes the gauges and saves the crisis detector, so a restart resumes its windows.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.crisis import flows as crisis_flows
from services.alerts.crisis.flows import CrisisWatch
from services.alerts.escalation import flows
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification import service as notification_service
from services.alerts.notification.notifier import Notifier
from services.alerts.owner.current import CurrentDirectory
from shared.db import session_scope
from shared.events import utcnow
from shared.logging import get_logger

log = get_logger(__name__)


async def tick(
    *,
    sessions: async_sessionmaker[AsyncSession],
    directory: CurrentDirectory,
    notifier: Notifier,
    crisis_watch: CrisisWatch,
    metrics: AlertsMetrics,
) -> None:
    """Take escalation steps that came due, refresh gauges, save the detector."""
    now = utcnow()
    async with session_scope(sessions) as session:
        due = await flows.due_escalations(session, now)
    await flows.advance_all(
        sessions=sessions,
        escalation_ids=due,
        directory=directory.document.index(),
        notifier=notifier,
    )
    async with session_scope(sessions) as session:
        metrics.open_escalations.set(await flows.count_open(session))
        metrics.active_crises.set(await crisis_flows.count_active(session))
        metrics.notifications_pending.set(await notification_service.count_pending(session))
        await crisis_flows.upkeep(session, watch=crisis_watch, now=now)


async def run_ticker(
    *,
    sessions: async_sessionmaker[AsyncSession],
    directory: CurrentDirectory,
    notifier: Notifier,
    crisis_watch: CrisisWatch,
    metrics: AlertsMetrics,
    interval_s: float,
) -> None:
    """Tick every `interval_s`; a failing tick (database away) is logged and tried again."""
    while True:
        try:
            await tick(
                sessions=sessions,
                directory=directory,
                notifier=notifier,
                crisis_watch=crisis_watch,
                metrics=metrics,
            )
        except Exception:
            log.exception("alerts tick failed")
        await asyncio.sleep(interval_s)
