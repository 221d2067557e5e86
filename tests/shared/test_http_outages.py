"""Truthful readiness and clean refusals while the broker or the database is away.

Audit H2 (readiness said ready during a broker outage), M4 (the push endpoint hung 30 s,
then answered 500) and L7 (the API answered 500 while its database was away).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.alerts.config import AlertsSettings
from services.alerts.main import create_app as create_alerts
from services.ingest.config import IngestSettings
from services.ingest.main import create_app as create_ingest
from shared.broker import EmbeddedBroker
from tests.conftest import (
    PG_HOST,
    PG_PORT,
    create_pg_database,
    drop_pg_database,
    pg_url,
    postgres_unavailable,
)
from tests.fakes.tcp_gate import TcpGate

TOKEN = "outage-test-token-0123456789abcdef"


def mention(external_id: str) -> dict[str, object]:
    return {
        "platform": "wildberries",
        "external_id": external_id,
        "text": "Хороший чайник",
        "rating": 5,
        "published_at": datetime(2026, 11, 20, 12, tzinfo=UTC).isoformat(),
    }


@pytest.fixture
def own_broker(tmp_path: Path) -> AsyncIterator[EmbeddedBroker]:
    """A broker of this test alone, so it can be stopped."""
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log").start()
    try:
        yield broker
    finally:
        broker.stop()


async def test_broker_outage_readiness_fails_and_push_answers_503_quickly(
    own_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = IngestSettings(
        kafka_bootstrap_servers=own_broker.bootstrap_servers,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}",
        kafka_session_timeout_ms=6000,
        ingest_push_token=TOKEN,
        kafka_publish_timeout_s=3,
        log_json=False,
    )
    app = create_ingest(settings)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            assert (await client.get("/ready")).status_code == 200
            assert (
                await client.post("/api/mentions", json=mention("before"), headers=auth)
            ).status_code == 202

            own_broker.stop()
            started = time.monotonic()
            ready = await client.get("/ready")
            assert ready.status_code == 503, ready.text
            assert ready.json()["checks"]["broker"].startswith("error")
            assert time.monotonic() - started < 5

            started = time.monotonic()
            refused = await client.post("/api/mentions", json=mention("during"), headers=auth)
            elapsed = time.monotonic() - started
            assert refused.status_code == 503, refused.text
            assert refused.headers["Retry-After"].isdigit()
            assert refused.json()["error"]["code"] == "unavailable"
            assert "broker" in refused.json()["error"]["message"]
            assert elapsed < 8, f"push took {elapsed:.1f}s to refuse"

            own_broker.start()  # back on the same port: the stack can stop cleanly
            deadline = time.monotonic() + 30
            while (await client.get("/ready")).status_code != 200:
                assert time.monotonic() < deadline, "not ready again after the broker came back"


async def test_api_answers_503_not_500_while_its_database_is_away(
    broker: EmbeddedBroker, topic_prefix: str
) -> None:
    reason = await postgres_unavailable()
    if reason:
        pytest.skip(reason)
    name = await create_pg_database()
    gate = TcpGate(PG_HOST, PG_PORT)
    await gate.open()
    settings = AlertsSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_session_timeout_ms=6000,
        database_url=pg_url(name).replace(f":{PG_PORT}/", f":{gate.port}/"),
        api_token=TOKEN,
        log_json=False,
    )
    app = create_alerts(settings)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://alerts") as client:
                assert (await client.get("/api/escalations", headers=auth)).status_code == 200
                await gate.close()
                away = await client.get("/api/escalations", headers=auth)
                assert away.status_code == 503, away.text
                assert away.headers["Retry-After"].isdigit()
                assert "database" in away.json()["error"]["message"]
                ready = await client.get("/ready")
                assert ready.status_code == 503
                assert ready.json()["checks"]["database"].startswith("error")
                await gate.open()
                deadline = time.monotonic() + 20
                while (await client.get("/api/escalations", headers=auth)).status_code != 200:
                    assert time.monotonic() < deadline, "no recovery after the database came back"
    finally:
        await gate.close()
        await drop_pg_database(name)
