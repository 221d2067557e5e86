"""Responder: the reply queue (API + UI), drafts, and the 24-hour SLA tracker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from services.responder.auth import (
    LoginRequired,
    SessionSigner,
    login_redirect,
    resolve_staff_session,
)
from services.responder.config import ResponderSettings
from services.responder.consumers import insight_subscriptions, subscriptions
from services.responder.deps import ResponderContext, require_dlq_admin
from services.responder.fact.embedder import HttpEmbedder
from services.responder.fact.flows import FactAnswerer, FactCatalog
from services.responder.fact.loader import load_facts_file
from services.responder.fact.matching import MatchSettings
from services.responder.fact.pages import router as fact_pages
from services.responder.fact.router import router as fact_router
from services.responder.fact.service import sync_from_file
from services.responder.insight.digest import run_digest_scheduler
from services.responder.insight.pages import router as insight_pages
from services.responder.insight.router import router as insight_router
from services.responder.metrics import make_insight_metrics, make_responder_metrics
from services.responder.queue_item.drafting import build_drafters
from services.responder.queue_item.phrasing_router import router as phrasing_router
from services.responder.queue_item.router import router as queue_router
from services.responder.sla.policy import SlaPolicy
from services.responder.sla.tracker import run_sweeper
from services.responder.ui.router import router as ui_router
from shared.db import session_scope
from shared.dlq_api import dlq_router
from shared.http import install_common
from shared.logging import get_logger
from shared.metrics import make_common_metrics
from shared.runtime import Runtime
from shared.settings import load_settings

log = get_logger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
STATIC = Path(__file__).parent / "ui" / "static"


def sla_policy(settings: ResponderSettings) -> SlaPolicy:
    return SlaPolicy(
        default_hours=settings.responder_sla_hours,
        platform_hours=settings.responder_sla_hours_by_platform,
        calendar=settings.responder_business_calendar,
        due_soon_leads=tuple(timedelta(hours=h) for h in settings.responder_sla_leads_hours),
    )


def create_app(settings: ResponderSettings | None = None) -> FastAPI:
    settings = settings or load_settings(ResponderSettings)
    metrics = make_common_metrics(settings.service_name)
    responder_metrics = make_responder_metrics(metrics.registry)
    insight_metrics = make_insight_metrics(metrics.registry)
    # Scripts and the facts file are validated before anything connects.
    fact_file = (
        load_facts_file(settings.responder_facts_file) if settings.responder_facts_file else None
    )
    facts = FactAnswerer(
        catalog=FactCatalog(ttl_s=settings.responder_facts_refresh_s),
        settings=MatchSettings(threshold=settings.responder_facts_threshold),
    )
    drafters = build_drafters(settings, facts=facts)
    policy = sla_policy(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.start(settings, migrations_dir=MIGRATIONS, metrics=metrics)
        facts.catalog.bind(runtime.sessions)
        if fact_file is not None:
            async with session_scope(runtime.sessions) as session:
                synced = await sync_from_file(session, fact_file.facts)
            log.info(
                "seller facts file applied",
                created=synced.created,
                updated=synced.updated,
                removed=synced.removed,
                kept_ui_version=synced.kept,
            )
        embed_client = httpx.AsyncClient() if settings.responder_embed_url else None
        if embed_client is not None and settings.responder_embed_url:
            token = settings.responder_embed_token or settings.api_token
            facts.embedder = HttpEmbedder(
                embed_client,
                settings.responder_embed_url,
                token.get_secret_value(),
                settings.responder_embed_timeout_s,
            )
        ctx = ResponderContext(
            settings=settings,
            runtime=runtime,
            metrics=responder_metrics,
            drafter=drafters.reply,
            follow_up_drafter=drafters.follow_up,
            policy=policy,
            signer=SessionSigner(
                settings.responder_session_secret.get_secret_value(),
                settings.responder_session_hours * 3600,
            ),
            facts=facts,
        )
        app.state.ctx = ctx
        await runtime.start_consumer(subscriptions(ctx))
        runtime.spawn(
            lambda: run_sweeper(
                sessions=runtime.sessions,
                publisher=runtime.publisher,
                policy=policy,
                metrics=responder_metrics,
                interval_s=settings.responder_sla_sweep_interval_s,
            ),
            name="sla-sweeper",
        )
        # Insights read the same topics in their own consumer group, at their own pace.
        await runtime.start_consumer(
            insight_subscriptions(ctx, insight_metrics), group_suffix="-insights"
        )
        if settings.responder_digest_enabled:
            runtime.spawn(
                lambda: run_digest_scheduler(
                    sessions=runtime.sessions,
                    publisher=runtime.publisher,
                    weekday=settings.responder_digest_weekday,
                    hour=settings.responder_digest_hour,
                    tz=settings.responder_digest_tz,
                    interval_s=settings.responder_digest_check_interval_s,
                    top=settings.responder_digest_top_weak_points,
                    metrics=insight_metrics,
                ),
                name="insights-digest",
            )
        try:
            yield
        finally:
            await runtime.stop()
            if embed_client is not None:
                await embed_client.aclose()

    # Every route sees whether the session cookie's stored session is still open.
    app = FastAPI(
        title="Otklik responder",
        lifespan=lifespan,
        dependencies=[Depends(resolve_staff_session)],
    )
    app.include_router(queue_router)
    app.include_router(phrasing_router)
    app.include_router(ui_router)
    app.include_router(insight_router)
    app.include_router(insight_pages)
    app.include_router(fact_router)
    app.include_router(fact_pages)
    app.include_router(
        dlq_router(lambda r: r.app.state.ctx.settings, admin=[Depends(require_dlq_admin)])
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, login_redirect)
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
