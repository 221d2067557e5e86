"""Push credentials: push-only, never replayable; source health for staff only.

Audit L1 (a signed push could be replayed for ~10 minutes, ts up to +300 s accepted),
L2 (the admin token was also a push credential), L3 (`/api/sources` was open).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from services.ingest.config import IngestSettings
from services.ingest.main import create_app
from services.ingest.mention.auth import sign
from services.ingest.mention.replay import SignatureMemory
from shared.broker import EmbeddedBroker
from tests.ingest.test_push import SECRET, TOKEN, body

ADMIN = "admin-token-0123456789abcdefghij"


def make(broker: EmbeddedBroker, prefix: str, url: str, **overrides: object) -> FastAPI:
    values: dict[str, object] = {
        "kafka_bootstrap_servers": broker.bootstrap_servers,
        "kafka_topic_prefix": prefix,
        "database_url": url,
        "kafka_session_timeout_ms": 6000,
        "api_token": ADMIN,
        "log_json": False,
    }
    values.update(overrides)
    return create_app(IngestSettings(**values))  # type: ignore[arg-type]


@pytest.fixture
async def client(
    broker: EmbeddedBroker, topic_prefix: str, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    app = make(
        broker,
        topic_prefix,
        database_url,
        ingest_push_token=TOKEN,
        ingest_push_hmac_secret=SECRET,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as c:
            yield c


def signed(raw: bytes, timestamp: int) -> dict[str, str]:
    return {
        "X-Otklik-Timestamp": str(timestamp),
        "X-Otklik-Signature": sign(SECRET, timestamp, raw),
        "Content-Type": "application/json",
    }


async def test_a_signed_push_cannot_be_replayed(client: httpx.AsyncClient) -> None:
    raw = json.dumps(body("replayed")).encode()
    now = int(time.time())
    assert (
        await client.post("/api/mentions", content=raw, headers=signed(raw, now))
    ).status_code == 202
    replay = await client.post("/api/mentions", content=raw, headers=signed(raw, now))
    assert replay.status_code == 401
    assert "replay" in replay.json()["error"]["message"]
    # A new signature (the platform's next request) goes through.
    later = signed(raw, now + 1)
    assert (await client.post("/api/mentions", content=raw, headers=later)).status_code == 202


async def test_future_timestamps_beyond_a_small_skew_are_refused(
    client: httpx.AsyncClient,
) -> None:
    raw = json.dumps(body("future")).encode()
    now = int(time.time())
    ahead = await client.post("/api/mentions", content=raw, headers=signed(raw, now + 290))
    assert ahead.status_code == 401
    assert "future" in ahead.json()["error"]["message"]
    drift = await client.post("/api/mentions", content=raw, headers=signed(raw, now + 10))
    assert drift.status_code == 202


async def test_a_refused_push_may_be_sent_again_with_the_same_signature(
    client: httpx.AsyncClient,
) -> None:
    raw = json.dumps({**body("bad"), "rating": 9}).encode()  # invalid: 422, not accepted
    headers = signed(raw, int(time.time()))
    assert (await client.post("/api/mentions", content=raw, headers=headers)).status_code == 422
    again = await client.post("/api/mentions", content=raw, headers=headers)
    assert again.status_code == 422  # judged again, not refused as a replay


async def test_the_admin_token_is_not_a_push_credential(client: httpx.AsyncClient) -> None:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    refused = await client.post("/api/mentions", json=body("admin"), headers=admin)
    assert refused.status_code == 401
    push = {"Authorization": f"Bearer {TOKEN}"}
    assert (await client.post("/api/mentions", json=body("push"), headers=push)).status_code == 202
    # ... and the push token is no admin credential.
    assert (await client.get("/api/sources", headers=push)).status_code == 401


async def test_source_health_needs_the_admin_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/sources")).status_code == 401
    response = await client.get("/api/sources", headers={"Authorization": f"Bearer {ADMIN}"})
    assert response.status_code == 200


def test_signature_memory_forgets_after_the_window_and_releases() -> None:
    memory = SignatureMemory(max_entries=3)
    assert memory.claim("a", expires_at=100, now=0)
    assert not memory.claim("a", expires_at=100, now=50)
    memory.release("a")
    assert memory.claim("a", expires_at=100, now=60)
    assert memory.claim("b", expires_at=200, now=101)  # "a" expired and is forgotten
    assert len(memory) == 1
    for name in "cde":
        memory.claim(name, expires_at=300, now=150)
    assert len(memory) == 3  # bounded
