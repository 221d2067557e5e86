"""The alerts service run in-process over the real broker, real databases and real HTTP.

`alerts` starts the app with its lifespan (migrations, consumers, ticker, webhook
worker) and fails the test if a background task died by the end. `hooks` is a local
HTTP receiver with answers scripted per path (notifications and webhook consumers).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI, Request, Response

from services.alerts.config import AlertsSettings
from services.alerts.main import create_app
from shared.broker import EmbeddedBroker
from shared.bus import Publisher
from shared.events import Envelope, decode
from shared.topics import Topics
from tests.fakes.server import serve_app

TOKEN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
T = TypeVar("T")


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Hooks:
    """Records every POST; answers from `statuses[path]` in order, then 200."""

    base_url: str = ""
    hits: list[Hit] = field(default_factory=list)
    statuses: dict[str, list[int]] = field(default_factory=dict)

    def at(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def anything(path: str, request: Request) -> Response:
            hit = Hit(request.url.path, dict(request.headers), await request.body())
            self.hits.append(hit)
            queue = self.statuses.get(hit.path) or []
            status = queue.pop(0) if queue else 200
            return Response(b"ok" if status < 300 else b"nope", status_code=status)

        return app


@pytest.fixture
async def hooks() -> AsyncIterator[Hooks]:
    rx = Hooks()
    async with serve_app(rx.app()) as base_url:
        rx.base_url = base_url
        yield rx


@dataclass
class Running:
    app: FastAPI
    api: httpx.AsyncClient
    settings: AlertsSettings
    publisher: Publisher

    @property
    def topics(self) -> Topics:
        return Topics(self.settings.kafka_topic_prefix)


StartAlerts = Callable[..., Awaitable[Running]]


@pytest.fixture
async def alerts(
    broker: EmbeddedBroker, topic_prefix: str, database_url: str, hooks: Hooks
) -> AsyncIterator[StartAlerts]:
    """Call `await alerts(**settings)` to start the service; stopped after the test."""
    stack = AsyncExitStack()
    apps: list[FastAPI] = []

    async def start(**overrides: Any) -> Running:
        values: dict[str, Any] = {
            "kafka_bootstrap_servers": broker.bootstrap_servers,
            "kafka_topic_prefix": topic_prefix,
            "kafka_partitions": 2,
            "database_url": database_url,
            "kafka_session_timeout_ms": 6000,
            "alerts_allow_private_destinations": True,
            "alerts_hook_url": f"{hooks.base_url}/notify",
            "alerts_tick_interval_s": 0.2,
            "alerts_notify_base_delay_s": 0.05,
            "alerts_webhook_retry_schedule_s": [0.3, 0.3, 0.3],
            "api_token": TOKEN,
            "log_json": False,
        }
        values.update(overrides)
        settings = AlertsSettings(**values)
        app = create_app(settings)
        await stack.enter_async_context(app.router.lifespan_context(app))
        apps.append(app)
        api = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://alerts", headers=AUTH
            )
        )
        publisher = Publisher(
            bootstrap_servers=broker.bootstrap_servers,
            topics=Topics(topic_prefix),
            producer_name="test",
        )
        await publisher.start()
        stack.push_async_callback(publisher.stop)
        return Running(app=app, api=api, settings=settings, publisher=publisher)

    try:
        yield start
        for app in apps:
            assert app.state.ctx.runtime.alive(), "a background task of the alerts service died"
    finally:
        await stack.aclose()


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 15.0, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy; fail naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def read_topic(
    bootstrap_servers: str,
    topic: str,
    *,
    until: Callable[[list[Envelope[Any]]], bool],
    timeout: float = 20.0,
) -> list[Envelope[Any]]:
    """Every envelope on `topic` from the start, read until `until(envelopes)` holds."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    out: list[Envelope[Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while not until(out):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out reading {topic}: {len(out)} events")
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                out += [decode(r.value) for r in records]
    finally:
        await consumer.stop()
    return out
