"""What the alerts routes and handlers are given: made once in the lifespan."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from services.alerts.config import AlertsSettings
from services.alerts.crisis.detector import CrisisDetector
from services.alerts.escalation.flows import Notifier
from services.alerts.metrics import AlertsMetrics
from services.alerts.owner.config import AlertsConfig
from shared.runtime import Runtime


@dataclass
class AlertsContext:
    settings: AlertsSettings
    runtime: Runtime
    metrics: AlertsMetrics
    notifier: Notifier
    detector: CrisisDetector
    config: AlertsConfig
    config_version: int
    #: The detector is shared state: one mention at a time changes it.
    detector_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Set when deliveries were enqueued, so the webhook worker sends them without waiting.
    webhook_wakeup: asyncio.Event = field(default_factory=asyncio.Event)


def get_context(request: Request) -> AlertsContext:
    ctx: AlertsContext = request.app.state.ctx
    return ctx


Context = Annotated[AlertsContext, Depends(get_context)]
