"""Ingest: polls platforms, accepts pushed mentions, posts approved replies back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import httpx
from fastapi import FastAPI

import services.ingest.connectors
import services.ingest.demo.source  # noqa: F401  (registers the demo connector)
from services.ingest.config import IngestSettings
from services.ingest.consumers import subscriptions
from services.ingest.deps import IngestContext
from services.ingest.mention.deletions import run_deleted_check
from services.ingest.mention.router import router as mention_router
from services.ingest.metrics import make_ingest_metrics
from services.ingest.reply.reconfirm import run_reconfirmer
from services.ingest.source.backfill_jobs import BackfillJobs
from services.ingest.source.config import load_sources
from services.ingest.source.poller import SourcePoller
from services.ingest.source.router import router as source_router
from shared.connector import SourceConfig, factory_for
from shared.http import install_common
from shared.logging import get_logger
from shared.metrics import make_common_metrics
from shared.runtime import Runtime
from shared.settings import load_settings

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger(__name__)


def source_configs(settings: IngestSettings) -> list[SourceConfig]:
    configs = load_sources(settings.ingest_sources_file) if settings.ingest_sources_file else []
    if settings.ingest_demo_enabled and not any(c.source_id == "demo" for c in configs):
        configs.append(
            SourceConfig(
                source_id="demo",
                platform="demo",
                poll_interval_s=2.0,
                options={
                    "rate_per_minute": settings.ingest_demo_rate_per_minute,
                    "loop": settings.ingest_demo_loop,
                },
            )
        )
    return configs


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or load_settings(IngestSettings)
    configs = source_configs(settings)  # a broken sources file stops the service here
    metrics = make_common_metrics(settings.service_name)
    ingest_metrics = make_ingest_metrics(metrics.registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.start(settings, migrations_dir=MIGRATIONS, metrics=metrics)
        ctx = IngestContext(settings=settings, runtime=runtime, metrics=ingest_metrics)
        ctx.backfills = BackfillJobs(
            connectors=ctx.connectors, sessions=runtime.sessions, publisher=runtime.publisher
        )
        app.state.ctx = ctx
        http = httpx.AsyncClient(
            timeout=settings.ingest_http_timeout_s, headers={"User-Agent": "otklik-ingest"}
        )
        for config in configs:
            connector = factory_for(config.platform)(config, http)
            ctx.connectors[config.source_id] = connector
            if not config.enabled:
                continue
            poller = SourcePoller(
                config=config,
                connector=connector,
                sessions=runtime.sessions,
                publisher=runtime.publisher,
                metrics=ingest_metrics,
                unhealthy_after=settings.ingest_unhealthy_after,
                max_backoff_s=settings.ingest_max_backoff_s,
            )
            ctx.pollers[config.source_id] = poller
            runtime.spawn(poller.run, name=f"poll-{config.source_id}")
        log.info("sources configured", sources=[c.source_id for c in configs])
        runtime.spawn(
            partial(
                run_reconfirmer,
                sessions=runtime.sessions,
                publisher=runtime.publisher,
                connectors=ctx.connectors,
                metrics=ingest_metrics,
                interval_s=settings.ingest_reconfirm_interval_s,
                max_age_s=settings.ingest_reconfirm_max_age_s,
            ),
            name="reply-reconfirmer",
        )
        runtime.spawn(
            partial(
                run_deleted_check,
                sessions=runtime.sessions,
                publisher=runtime.publisher,
                connectors=ctx.connectors,
                interval_s=settings.ingest_deleted_check_interval_s,
                horizon_s=settings.ingest_deleted_check_horizon_s,
            ),
            name="deleted-review-check",
        )
        await runtime.start_consumer(subscriptions(ctx))
        try:
            yield
        finally:
            await ctx.backfills.stop()
            await runtime.stop()
            for connector in ctx.connectors.values():
                await connector.aclose()
            await http.aclose()

    app = FastAPI(title="Otklik ingest", lifespan=lifespan)
    app.include_router(mention_router)
    app.include_router(source_router)
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
