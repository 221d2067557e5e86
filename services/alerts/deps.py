"""What the alerts routes are given, made once in the lifespan; the handlers and jobs get
the same pieces as keyword arguments (`consumers.py`, `main.py`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts.config import AlertsSettings
from services.alerts.metrics import AlertsMetrics
from services.alerts.notification.notifier import Notifier
from services.alerts.owner.current import CurrentDirectory
from shared.http import require_token
from shared.runtime import Runtime


@dataclass
class AlertsContext:
    settings: AlertsSettings
    runtime: Runtime
    metrics: AlertsMetrics
    notifier: Notifier
    directory: CurrentDirectory
    #: Set when deliveries were enqueued, so the webhook worker sends them without waiting.
    webhook_wakeup: asyncio.Event = field(default_factory=asyncio.Event)


def get_context(request: Request) -> AlertsContext:
    ctx: AlertsContext = request.app.state.ctx
    return ctx


async def require_admin(request: Request) -> None:
    """The admin token (API_TOKEN) of this alerts instance."""
    await require_token(get_context(request).settings.api_token.get_secret_value())(request)


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    return get_context(request).runtime.sessions


def get_settings(request: Request) -> AlertsSettings:
    return get_context(request).settings


def get_metrics(request: Request) -> AlertsMetrics:
    return get_context(request).metrics


def get_notifier(request: Request) -> Notifier:
    return get_context(request).notifier


def get_directory(request: Request) -> CurrentDirectory:
    return get_context(request).directory


def get_webhook_wakeup(request: Request) -> asyncio.Event:
    return get_context(request).webhook_wakeup


Context = Annotated[AlertsContext, Depends(get_context)]
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
Settings = Annotated[AlertsSettings, Depends(get_settings)]
Metrics = Annotated[AlertsMetrics, Depends(get_metrics)]
NotifierDep = Annotated[Notifier, Depends(get_notifier)]
CurrentDirectoryDep = Annotated[CurrentDirectory, Depends(get_directory)]
WebhookWakeup = Annotated[asyncio.Event, Depends(get_webhook_wakeup)]
