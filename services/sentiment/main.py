"""Sentiment: stateless classification of raw mentions in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.sentiment.classifier.base import TextClassifier, load_classifier
from services.sentiment.classifier.router import router as model_router
from services.sentiment.config import SentimentSettings
from services.sentiment.consumers import subscriptions
from services.sentiment.embedding.router import SentenceEncoder, build_encoder
from services.sentiment.embedding.router import router as embed_router
from services.sentiment.metrics import make_sentiment_metrics
from shared.http import install_common
from shared.logging import get_logger
from shared.metrics import make_common_metrics
from shared.runtime import Runtime
from shared.settings import load_settings

log = get_logger(__name__)


def build_classifier(
    settings: SentimentSettings, on_head_reload: Callable[[str, str], None] | None = None
) -> TextClassifier:
    if settings.sentiment_threads:
        import torch

        torch.set_num_threads(settings.sentiment_threads)
    return load_classifier(
        settings.sentiment_model,
        backend=settings.sentiment_backend,
        max_length=settings.sentiment_max_length,
        batch_size=settings.sentiment_batch_size,
        label_map=settings.sentiment_label_map,
        encoder_dir=settings.sentiment_encoder_dir,
        head_dir=settings.sentiment_head_dir,
        on_head_reload=on_head_reload,
        threads=settings.sentiment_threads or None,
    )


def create_app(
    settings: SentimentSettings | None = None,
    classifier: TextClassifier | None = None,
    encoder: SentenceEncoder | None = None,
) -> FastAPI:
    settings = settings or load_settings(SentimentSettings)
    metrics = make_common_metrics(settings.service_name)
    sentiment_metrics = make_sentiment_metrics(metrics.registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.start(
            settings, migrations_dir=None, uses_database=False, metrics=metrics
        )

        def on_head_reload(outcome: str, name: str) -> None:
            sentiment_metrics.head_reloads.labels(outcome=outcome).inc()
            if outcome == "loaded":
                sentiment_metrics.model.info({"name": name, "backend": model.backend})

        model = classifier or build_classifier(settings, on_head_reload)
        sentiment_metrics.model.info({"name": model.name, "backend": model.backend})
        log.info(
            "sentiment model loaded",
            model=model.name,
            backend=model.backend,
            configured_backend=settings.sentiment_backend,
        )
        app.state.runtime = runtime
        app.state.classifier = model
        app.state.encoder = encoder or build_encoder(
            settings.sentiment_embedder, getattr(model, "encoder", None)
        )
        await runtime.start_consumer(
            subscriptions(classifier=model, publisher=runtime.publisher, metrics=sentiment_metrics)
        )
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title="Otklik sentiment", lifespan=lifespan)
    app.state.settings = settings
    app.include_router(model_router)
    app.include_router(embed_router)
    install_common(
        app,
        service=settings.service_name,
        metrics=metrics,
        max_body_bytes=settings.http_max_body_bytes,
        readiness={
            "broker": lambda: app.state.runtime.broker_ready(),
            "consumers": lambda: app.state.runtime.consumers_ready(),
        },
        liveness=lambda: app.state.runtime.alive() if hasattr(app.state, "runtime") else True,
    )
    return app
