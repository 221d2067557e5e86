"""POST /api/mentions over a real broker and database: auth, validation, de-duplication."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI

from services.ingest.config import IngestSettings
from services.ingest.main import create_app
from services.ingest.mention.auth import sign
from shared.broker import EmbeddedBroker
from shared.events import decode
from shared.topics import MENTIONS_RAW, Topics

TOKEN = "push-test-token"
SECRET = "push-hmac-secret"


def body(external_id: str = "r1", text: str = "Отличный чайник", rating: int = 5) -> dict:
    return {
        "platform": "wildberries",
        "external_id": external_id,
        "text": text,
        "rating": rating,
        "published_at": datetime(2026, 11, 20, 12, tzinfo=UTC).isoformat(),
    }


@pytest.fixture
async def ingest(
    broker: EmbeddedBroker, topic_prefix: str, database_url: str
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = IngestSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        database_url=database_url,
        kafka_session_timeout_ms=6000,
        ingest_push_token=TOKEN,
        ingest_push_hmac_secret=SECRET,
        log_json=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            yield app, client
        assert app.state.ctx.runtime.alive(), "a background task died"


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


async def raw_events(broker: EmbeddedBroker, topic: str, expected: int) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=broker.bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    out: list = []
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(out) < expected:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                out.extend(decode(r.value) for r in records)
        if len(out) >= expected:  # anything more would be a duplicate: look a little longer
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out.extend(decode(r.value) for r in records)
    finally:
        await consumer.stop()
    return out


async def test_single_and_batch_are_published_once(
    ingest: tuple[FastAPI, httpx.AsyncClient], broker: EmbeddedBroker, topic_prefix: str
) -> None:
    _, client = ingest
    first = await client.post("/api/mentions", json=body("r1"), headers=bearer())
    assert first.status_code == 202, first.text
    assert first.json()["new"] == 1
    batch = {"mentions": [body("r1"), body("r2"), body("r3")]}
    second = await client.post("/api/mentions", json=batch, headers=bearer())
    assert second.json() | {"mention_ids": None} == {
        "accepted": 3,
        "new": 2,
        "updated": 0,
        "duplicate": 1,
        "mention_ids": None,
    }
    edited = await client.post(
        "/api/mentions", json=body("r1", text="Сломался через неделю", rating=2), headers=bearer()
    )
    assert edited.json()["updated"] == 1
    events = await raw_events(broker, Topics(topic_prefix).name(MENTIONS_RAW), 4)
    external = sorted(e.payload.mention.external_id for e in events)
    assert external == ["r1", "r1", "r2", "r3"]  # r1 twice: the original and its edit
    r1 = [e.payload.mention for e in events if e.payload.mention.external_id == "r1"]
    assert r1[0].mention_id == r1[1].mention_id and r1[0].revision != r1[1].revision


MALFORMED = [
    ({k: v for k, v in body().items() if k != "text"}, "text"),
    (body() | {"rating": 9}, "rating"),
    (body() | {"published_at": "yesterday"}, "published_at"),
    (body() | {"platform": "Wild Berries!"}, "platform"),
    (body() | {"unexpected": 1}, "unexpected"),
    ({"mentions": [body(), body() | {"external_id": ""}]}, "mentions.1.external_id"),
    ({"mentions": []}, "mentions"),
]


async def test_malformed_body_gets_422_naming_the_field(
    ingest: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = ingest
    for payload, field in MALFORMED:
        response = await client.post("/api/mentions", json=payload, headers=bearer())
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert field in [d["field"] for d in error["details"]], error


async def test_not_json_is_422(ingest: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = ingest
    response = await client.post("/api/mentions", content=b"{oops", headers=bearer())
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["error"]["message"] + str(
        response.json()["error"]["details"]
    )


async def test_auth_token_and_hmac(ingest: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = ingest
    raw = json.dumps(body("signed")).encode()
    assert (await client.post("/api/mentions", content=raw)).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await client.post("/api/mentions", content=raw, headers=wrong)).status_code == 401
    now = int(time.time())
    signed = {
        "X-Otklik-Timestamp": str(now),
        "X-Otklik-Signature": sign(SECRET, now, raw),
        "Content-Type": "application/json",
    }
    assert (await client.post("/api/mentions", content=raw, headers=signed)).status_code == 202
    tampered = raw.replace(b"signed", b"forged")
    response = await client.post("/api/mentions", content=tampered, headers=signed)
    assert response.status_code == 401
    assert "signature" in response.json()["error"]["message"]
    old = {
        **signed,
        "X-Otklik-Timestamp": str(now - 3600),
        "X-Otklik-Signature": sign(SECRET, now - 3600, raw),
    }
    assert (await client.post("/api/mentions", content=raw, headers=old)).status_code == 401
