"""An in-process responder for the queue tests: real broker, real database, three staff
members (agent and owner with argon2 hashes, admin in the dev plain-text form), and
queue items written straight into the database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.responder.auth import COOKIE
from services.responder.config import ResponderSettings
from services.responder.main import create_app
from services.responder.queue_item.models import QueueItem
from services.responder.users import hash_password
from shared.db import session_scope

TOKEN = "queue-api-token"
PASSWORDS = {"ann": "agent-pass-1", "oleg": "owner-pass-1", "root": "admin-pass-1"}
_HASHES = {name: hash_password(pw) for name, pw in PASSWORDS.items() if name != "root"}
USERS: dict[str, Any] = {
    "ann": {"password_hash": _HASHES["ann"], "role": "agent"},
    "oleg": {"password_hash": _HASHES["oleg"], "role": "manager"},
    "root": PASSWORDS["root"],  # the old plain form: an admin, hashed in memory
}
HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> Брак!'


def settings_for(broker: Any, topic_prefix: str, url: str) -> ResponderSettings:
    return ResponderSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_session_timeout_ms=6000,
        database_url=url,
        api_token=TOKEN,
        responder_users=USERS,
        responder_digest_enabled=False,
        log_json=False,
    )


def make_item(n: int, **fields: Any) -> QueueItem:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "mention_id": str(uuid.UUID(int=n)),
        "platform": "wildberries",
        "source_id": "wb-main",
        "external_id": f"WB-{n}",
        "kind": "review",
        "revision": "1",
        "text": f"Review number {n}: the kettle is fine.",
        "rating": 5,
        "author": "Анна",
        "product_sku": "SKU-1",
        "product_name": "Acme kettle",
        "brand": "Acme",
        "published_at": now - timedelta(hours=2),
        "sentiment": "positive",
        "sentiment_score": 0.9,
        "language": "en",
        "aspects": [],
        "rating_contradiction": False,
        "state": "open",
        "due_at": now + timedelta(hours=22),
        "draft_text": "Thank you for the review!",
        "draft_seed": 0,
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return QueueItem(**values)


@dataclass
class Stack:
    app: FastAPI
    api: httpx.AsyncClient  # bearer token: admin

    async def add(self, *items: QueueItem) -> None:
        async with session_scope(self.app.state.ctx.runtime.sessions) as session:
            session.add_all(items)

    @asynccontextmanager
    async def signed_in(self, name: str) -> AsyncIterator[httpx.AsyncClient]:
        """A browser-like client: signed in with the form, sending the CSRF header."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://test"
        ) as client:
            response = await client.post(
                "/login", data={"username": name, "password": PASSWORDS[name], "next": "/"}
            )
            assert response.status_code == 303, response.text
            cookie = client.cookies[COOKIE].strip('"')  # quoted when it holds "="
            client.headers["X-CSRF-Token"] = self.app.state.ctx.signer.csrf(cookie)
            yield client


@asynccontextmanager
async def running(broker: Any, topic_prefix: str, url: str) -> AsyncIterator[Stack]:
    app = create_app(settings_for(broker, topic_prefix, url))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test",
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as api:
            yield Stack(app, api)
