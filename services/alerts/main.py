"""Alerts: owners and routing, escalation ladders, crises, notifications."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.alerts.assignment.router import router as assignment_router
from services.alerts.config import AlertsSettings
from services.alerts.consumers import subscriptions
from services.alerts.crisis import store as crisis_store
from services.alerts.crisis.router import router as crisis_router
from services.alerts.deps import AlertsContext
from services.alerts.escalation.router import router as escalation_router
from services.alerts.escalation.ticker import run_ticker
from services.alerts.metrics import make_alerts_metrics
from services.alerts.notification.flows import run_notification_worker
from services.alerts.notification.notifier import Notifier
from services.alerts.notification.router import router as notification_router
from services.alerts.owner import service as owner_service
from services.alerts.owner.current import CurrentDirectory
from services.alerts.owner.directory import Directory, load_directory
from services.alerts.owner.router import router as owner_router
from services.alerts.webhook.flows import DeliveryWorker, run_delivery_worker
from services.alerts.webhook.router import router as webhook_router
from shared.db import session_scope
from shared.events import utcnow
from shared.http import install_common
from shared.metrics import make_common_metrics
from shared.runtime import Runtime
from shared.settings import load_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: AlertsSettings | None = None) -> FastAPI:
    settings = settings or load_settings(AlertsSettings)
    # A broken directory file stops the service here, naming file, line and field.
    file_directory: Directory | None = (
        load_directory(settings.alerts_directory_file) if settings.alerts_directory_file else None
    )
    metrics = make_common_metrics(settings.service_name)
    alerts_metrics = make_alerts_metrics(metrics.registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.start(settings, migrations_dir=MIGRATIONS, metrics=metrics)
        # One client for every channel and webhook: its pool keeps a connection per
        # concurrent sender alive (the default keeps 20, reconnecting the rest each time).
        senders = settings.alerts_notify_concurrency + settings.alerts_webhook_concurrency
        client = httpx.AsyncClient(
            timeout=settings.alerts_http_timeout_s,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=senders, max_keepalive_connections=senders),
        )
        async with session_scope(runtime.sessions) as session:
            await owner_service.bootstrap(session, file_directory)
        async with session_scope(runtime.sessions) as session:
            directory, version = await owner_service.load(session)
            await crisis_store.ensure_lease(session, utcnow())
        ctx = AlertsContext(
            settings=settings,
            runtime=runtime,
            metrics=alerts_metrics,
            notifier=Notifier(settings=settings, client=client, metrics=alerts_metrics),
            directory=CurrentDirectory(directory, version),
        )
        app.state.ctx = ctx
        await runtime.start_consumer(subscriptions(ctx))
        runtime.spawn(
            lambda: run_ticker(
                sessions=runtime.sessions,
                directory=ctx.directory,
                notifier=ctx.notifier,
                crisis=settings.alerts_crisis,
                publisher=runtime.publisher,
                metrics=alerts_metrics,
                interval_s=settings.alerts_tick_interval_s,
                lease=timedelta(seconds=settings.alerts_escalation_lease_s),
            ),
            name="alerts-ticker",
        )
        runtime.spawn(
            lambda: run_notification_worker(
                sessions=runtime.sessions,
                notifier=ctx.notifier,
                settings=settings,
                metrics=alerts_metrics,
            ),
            name="alerts-notifications",
        )
        worker = DeliveryWorker(
            sessions=runtime.sessions,
            settings=settings,
            client=client,
            metrics=alerts_metrics,
            wakeup=ctx.webhook_wakeup,
        )
        runtime.spawn(lambda: run_delivery_worker(worker), name="alerts-webhooks")
        try:
            yield
        finally:
            await runtime.stop()
            await client.aclose()

    app = FastAPI(title="Otklik alerts", lifespan=lifespan)
    for router in (
        escalation_router,
        notification_router,
        assignment_router,
        crisis_router,
        owner_router,
        webhook_router,
    ):
        app.include_router(router)
    install_common(
        app,
        service=settings.service_name,
        metrics=metrics,
        max_body_bytes=settings.http_max_body_bytes,
        readiness={
            "broker": lambda: app.state.ctx.runtime.broker_ready(),
            "database": lambda: app.state.ctx.runtime.database_ready(),
            "consumers": lambda: app.state.ctx.runtime.consumers_ready(),
        },
        liveness=lambda: app.state.ctx.runtime.alive() if hasattr(app.state, "ctx") else True,
    )
    return app
