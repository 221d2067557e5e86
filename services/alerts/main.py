"""Alerts: owners and routing, escalation ladders, crises, notifications."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.alerts.config import AlertsSettings
from services.alerts.consumers import subscriptions
from services.alerts.crisis import flows as crisis_flows
from services.alerts.deps import AlertsContext
from services.alerts.escalation import flows
from services.alerts.escalation.flows import Notifier
from services.alerts.handlers import advance_all
from services.alerts.metrics import make_alerts_metrics
from services.alerts.notification import service as notification_service
from services.alerts.notification.flows import run_notification_worker
from services.alerts.owner import service as owner_service
from services.alerts.owner.config import AlertsConfig, load_config
from services.alerts.router import build_router
from services.alerts.webhook.flows import run_delivery_worker
from services.alerts.webhook.router import build_webhook_router
from shared.db import session_scope
from shared.events import utcnow
from shared.http import install_common
from shared.logging import get_logger
from shared.metrics import make_common_metrics
from shared.runtime import Runtime
from shared.settings import load_settings

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger(__name__)


async def tick(ctx: AlertsContext) -> None:
    """Take escalation steps that came due (ladder timers, quiet hours ending), refresh gauges."""
    now = utcnow()
    async with session_scope(ctx.runtime.sessions) as session:
        due = await flows.due_escalations(session, now)
    await advance_all(ctx, due)
    async with session_scope(ctx.runtime.sessions) as session:
        ctx.metrics.open_escalations.set(await flows.count_open(session))
        ctx.metrics.active_crises.set(await crisis_flows.count_active(session))
        ctx.metrics.notifications_pending.set(await notification_service.count_pending(session))
        async with ctx.detector_lock:
            ctx.detector.prune()
            await crisis_flows.save_detector(session, ctx.detector, now)


async def run_ticker(ctx: AlertsContext) -> None:
    while True:
        try:
            await tick(ctx)
        except Exception:
            log.exception("alerts tick failed")
        await asyncio.sleep(ctx.settings.alerts_tick_interval_s)


def create_app(settings: AlertsSettings | None = None) -> FastAPI:
    settings = settings or load_settings(AlertsSettings)
    # A broken configuration file stops the service here, naming file, line and field.
    file_config: AlertsConfig | None = (
        load_config(settings.alerts_config_file) if settings.alerts_config_file else None
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
            await owner_service.bootstrap(session, file_config)
        async with session_scope(runtime.sessions) as session:
            config, version = await owner_service.load(session)
            detector = await crisis_flows.load_detector(session, settings.alerts_crisis)
        ctx = AlertsContext(
            settings=settings,
            runtime=runtime,
            metrics=alerts_metrics,
            notifier=Notifier(settings=settings, client=client, metrics=alerts_metrics),
            detector=detector,
            config=config,
            config_version=version,
        )
        app.state.ctx = ctx
        await runtime.start_consumer(subscriptions(ctx))
        runtime.spawn(lambda: run_ticker(ctx), name="alerts-ticker")
        runtime.spawn(lambda: run_notification_worker(ctx), name="alerts-notifications")
        runtime.spawn(lambda: run_delivery_worker(ctx), name="alerts-webhooks")
        try:
            yield
        finally:
            await runtime.stop()
            await client.aclose()

    app = FastAPI(title="Otklik alerts", lifespan=lifespan)
    app.include_router(build_router(settings.api_token.get_secret_value()))
    app.include_router(build_webhook_router(settings.api_token.get_secret_value()))
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
