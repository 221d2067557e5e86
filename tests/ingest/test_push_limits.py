"""The push endpoint at its edge: credentials before the body, a size cap, hostile JSON.

Audit H4 (pre-auth memory exhaustion), M2 (NUL accepted, then lost on PostgreSQL), M6
(deep JSON and huge integers gave 500s), and reviews with only pros/cons.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from services.ingest.config import IngestSettings
from services.ingest.main import create_app
from shared.broker import EmbeddedBroker
from shared.topics import MENTIONS_RAW, Topics
from tests.ingest.test_push import SECRET, TOKEN, bearer, body, raw_events

LIMIT = 64 * 1024
CHUNK = 16 * 1024


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
        http_max_body_bytes=LIMIT,
        log_json=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            yield app, client


class Stream:
    """A request body sent in chunks, counting how many the server pulled."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b" " * CHUNK


async def test_unauthenticated_body_is_never_read(
    ingest: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = ingest
    stream = Stream(chunks=3)  # under the cap: only the missing credentials refuse it
    response = await client.post("/api/mentions", content=stream)
    assert response.status_code == 401
    assert stream.pulled == 0
    wrong = Stream(chunks=3)
    response = await client.post(
        "/api/mentions", content=wrong, headers={"Authorization": "Bearer wrong"}
    )
    assert response.status_code == 401
    assert wrong.pulled == 0


async def test_oversized_body_is_refused_with_413_declared_or_streamed(
    ingest: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = ingest
    declared = await client.post("/api/mentions", content=b" " * (LIMIT + 1), headers=bearer())
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "payload_too_large"
    assert str(LIMIT) in declared.json()["error"]["message"]
    stream = Stream(chunks=LIMIT // CHUNK + 4)
    streamed = await client.post("/api/mentions", content=stream, headers=bearer())
    assert streamed.status_code == 413
    assert stream.pulled <= LIMIT // CHUNK + 1  # cut at the cap, not read to the end
    # The cap is everywhere, not only on the push endpoint.
    other = await client.post("/api/sources", content=b"x" * (LIMIT + 1), headers=bearer())
    assert other.status_code == 413


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"[" * 20_000 + b"]" * 20_000, "nested too deeply"),
        (b"[" * 50 + b"]" * 50, "nested deeper than"),
        (b'{"rating": ' + b"9" * 5000 + b"}", "not acceptable JSON"),
        (b'{"text": "\xff\xfe"}', "not valid JSON"),
    ],
    ids=["deep-20k", "deep-50", "huge-int", "invalid-utf8"],
)
async def test_hostile_json_is_a_clear_422(
    ingest: tuple[FastAPI, httpx.AsyncClient], raw: bytes, expected: str
) -> None:
    _, client = ingest
    response = await client.post(
        "/api/mentions",
        content=raw,
        headers={**bearer(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert expected in response.text


async def test_control_characters_are_cleaned_before_publishing(
    ingest: tuple[FastAPI, httpx.AsyncClient], broker: EmbeddedBroker, topic_prefix: str
) -> None:
    _, client = ingest
    dirty = body("nul-1", text="bad \u0000 review\u0007 ok\nsecond line")
    dirty["author"] = "Ив\u0000ан"
    dirty["product"] = {"name": "Чай\u0000ник", "sku": "A\u00001"}
    response = await client.post("/api/mentions", json=dirty, headers=bearer())
    assert response.status_code == 202, response.text
    (event,) = await raw_events(broker, Topics(topic_prefix).name(MENTIONS_RAW), 1)
    mention = event.payload.mention
    assert mention.text == "bad  review ok\nsecond line"
    assert mention.author == "Иван"
    assert (mention.product.name, mention.product.sku) == ("Чайник", "A1")
    assert "\\u0000" not in json.dumps(event.model_dump(mode="json"))


async def test_review_with_only_pros_or_cons_and_empty_text_is_accepted(
    ingest: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = ingest
    pros_only = {**body("pros-only", text=""), "pros": "Быстрая доставка"}
    cons_only = {**body("cons-only"), "cons": "Скрипит крышка"}
    del cons_only["text"]
    accepted = await client.post(
        "/api/mentions", json={"mentions": [pros_only, cons_only]}, headers=bearer()
    )
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["new"] == 2
    empty = await client.post(
        "/api/mentions", json={**body("empty", text="  "), "pros": ""}, headers=bearer()
    )
    assert empty.status_code == 422
    assert "needs text, pros or cons" in empty.text


async def test_nul_in_the_url_is_a_400(ingest: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = ingest
    response = await client.get("/api/sources?x=%00", headers=bearer())
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]["message"]
