"""A backfill runs inside ingest, on the live source's connector (audit #9): the live
poller and the backfill draw from one per-account bucket, so together they never pass
the platform's rate. Real broker, both databases, the Wildberries fake over HTTP."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.ingest import backfill as cli
from services.ingest.config import IngestSettings
from services.ingest.main import create_app
from services.ingest.source.backfill import DateRange
from shared.broker import EmbeddedBroker
from tests.fakes.server import serve_app
from tests.fakes.wildberries import TOKEN, FakeWildberries

DAY0 = datetime(2025, 3, 1, tzinfo=UTC)
#: The fake's limit, scaled up from WB's 3/s burst 6 to keep the test short.
RATE, BURST = 12.0, 3
ADMIN = "backfill-admin-token"


def write_sources(path: Path, url: str, rate: float = RATE, burst: int = BURST) -> Path:
    path.write_text(
        "sources:\n"
        "  - id: wb-main\n"
        "    platform: wildberries\n"
        "    poll_interval_s: 0.2\n"
        "    credentials: {token: '${WB_BACKFILL_TOKEN}'}\n"
        f"    options: {{base_url: '{url}', take: 4, kinds: [feedbacks], "
        f"rate_per_s: {rate}, burst: {burst}}}\n",
        encoding="utf-8",
    )
    return path


def most_in_window(stamps: list[float], window_s: float) -> int:
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_poller_and_backfill_together_keep_to_the_accounts_rate(
    broker: EmbeddedBroker,
    topic_prefix: str,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WB_BACKFILL_TOKEN", TOKEN)
    fake = FakeWildberries(rate=RATE, burst=BURST)
    for d in range(40):  # 200 reviews over 40 days: a backlog of 50 pages for each
        for i in range(5):
            fake.add_feedback(f"fb-{d}-{i}", DAY0 + timedelta(days=d, hours=2 + 3 * i))
    stamps: list[float] = []
    fake.on_request = lambda _r: stamps.append(time.monotonic())

    async with serve_app(fake.app) as url:
        settings = IngestSettings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            database_url=database_url,
            ingest_sources_file=write_sources(tmp_path / "sources.yml", url),
            api_token=ADMIN,
            log_json=False,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            # The live poller is catching up on its backlog while the backfill starts.
            for _ in range(1000):
                if len(stamps) >= 3:
                    break
                await asyncio.sleep(0.02)
            progress = await asyncio.wait_for(
                cli.run_in_service(
                    "http://ingest",
                    ADMIN,
                    source_id="wb-main",
                    span=DateRange(date(2025, 3, 1), date(2025, 4, 9)),
                    progress_stream=io.StringIO(),
                    poll_s=0.1,
                    transport=httpx.ASGITransport(app),
                ),
                timeout=60,
            )
            polled = app.state.ctx.pollers["wb-main"].connector.http.stats.requests
            assert app.state.ctx.runtime.alive()

    assert progress.pages >= 50 and progress.in_range == 200
    assert polled >= 50  # both really ran: together over 100 requests...
    assert fake.throttled == 0  # ...and not one answered 429
    # The bucket's bound: its burst plus the rate, in any second (loopback jitter aside).
    assert most_in_window(stamps, 1.0) <= BURST + RATE + 1


async def test_backfill_api_refuses_unknown_sources_and_a_second_run(
    broker: EmbeddedBroker,
    topic_prefix: str,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WB_BACKFILL_TOKEN", TOKEN)
    fake = FakeWildberries(rate=4.0, burst=2)
    for d in range(10):
        fake.add_feedback(f"fb-{d}", DAY0 + timedelta(days=d))
    async with serve_app(fake.app) as url:
        settings = IngestSettings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            database_url=database_url,
            ingest_sources_file=write_sources(tmp_path / "sources.yml", url, 4.0, 2),
            api_token=ADMIN,
            log_json=False,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as c:
                body = {"from": "2025-03-01", "to": "2025-03-10", "max_pages": 100}
                path = "/api/sources/wb-main/backfill"
                assert (await c.post(path, json=body)).status_code == 401
                auth = {"Authorization": f"Bearer {ADMIN}"}
                unknown = await c.post("/api/sources/nope/backfill", json=body, headers=auth)
                assert (
                    unknown.status_code == 404 and "wb-main" in unknown.json()["error"]["message"]
                )
                assert (await c.get(path, headers=auth)).status_code == 404
                first = await c.post(path, json=body, headers=auth)
                assert first.status_code == 202 and first.json()["state"] == "running"
                again = await c.post(path, json=body, headers=auth)
                assert again.status_code == 409
                for _ in range(200):
                    job = (await c.get(path, headers=auth)).json()
                    if job["state"] != "running":
                        break
                    await asyncio.sleep(0.05)
                assert job["state"] == "done" and job["in_range"] == 10
                reversed_days = {**body, "from": "2025-03-10", "to": "2025-03-01"}
                assert (await c.post(path, json=reversed_days, headers=auth)).status_code == 422
