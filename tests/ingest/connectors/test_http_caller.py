"""The shared platform caller: token bucket, retries, backoff, headers, error classes."""

from __future__ import annotations

import logging
import random

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from services.ingest.connectors.http import (
    PlatformHTTP,
    PlatformHTTPError,
    RetryPolicy,
    TokenBucket,
    parse_retry_after,
)
from shared.connector import ConnectorError
from tests.fakes.server import FakeClock, serve_app


async def test_token_bucket_burst_then_rate(clock: FakeClock) -> None:
    bucket = TokenBucket(rate=3, burst=6, clock=clock)
    waits = [bucket.reserve() for _ in range(9)]
    assert waits[:6] == [0, 0, 0, 0, 0, 0]
    assert waits[6:] == pytest.approx([1 / 3, 2 / 3, 1.0])
    clock.now += 10  # idle refills up to the burst only
    assert [bucket.reserve() for _ in range(7)][-1] == pytest.approx(1 / 3)


async def test_token_bucket_acquire_sleeps_on_clock(clock: FakeClock) -> None:
    bucket = TokenBucket(rate=2, burst=1, clock=clock)
    start = clock.now
    for _ in range(5):
        await bucket.acquire()
    assert clock.now - start == pytest.approx(2.0)


def test_parse_retry_after_variants() -> None:
    assert parse_retry_after({"x-ratelimit-retry": "3"}) == 3
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after(
        {"retry-after": "Thu, 01 Jan 2037 00:00:10 GMT"}, now=2114380800.0
    ) == pytest.approx(10)
    assert parse_retry_after(
        {"x-ratelimit-resource-until": "Thu, 01 Jan 2037 00:01:00 GMT"}, now=2114380800.0
    ) == pytest.approx(60)
    assert parse_retry_after({}) is None


def flaky_app(plan: list[Response]) -> tuple[FastAPI, list[Request]]:
    app = FastAPI()
    seen: list[Request] = []

    @app.get("/x")
    async def x(request: Request) -> Response:
        seen.append(request)
        return plan.pop(0) if plan else JSONResponse({"ok": True})

    return app, seen


async def caller(client: httpx.AsyncClient, url: str, clock: FakeClock, **kw) -> PlatformHTTP:
    return PlatformHTTP(
        client,
        platform="test",
        base_url=url,
        headers={"Authorization": "secret-token-xyz"},
        clock=clock,
        rng=random.Random(1),
        policy=kw.pop("policy", RetryPolicy(max_attempts=5, base_delay=0.5, max_total=60)),
        **kw,
    )


async def test_retries_honour_retry_after_then_succeed(client, clock, caplog) -> None:
    plan: list[Response] = [
        JSONResponse({"title": "too many requests"}, 429, headers={"X-Ratelimit-Retry": "7"}),
        JSONResponse({"status": "ERROR"}, 420, headers={"Retry-After": "3"}),
        JSONResponse({"e": 1}, 503),
        Response('{"truncated', media_type="application/json"),
    ]
    app, seen = flaky_app(plan)
    caplog.set_level(logging.DEBUG)
    async with serve_app(app) as url:
        http = await caller(client, url, clock)
        assert await http.get_json("/x") == {"ok": True}
    assert len(seen) == 5
    assert clock.slept[0] >= 7 and clock.slept[1] >= 3
    assert http.stats.throttled == 2 and http.stats.retries == 4
    assert "secret-token-xyz" not in caplog.text
    assert seen[0].headers["authorization"] == "secret-token-xyz"


async def test_backoff_is_exponential_full_jitter(client, clock) -> None:
    app, _ = flaky_app([JSONResponse({}, 500) for _ in range(10)])
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=100, max_total=1000)
    async with serve_app(app) as url:
        http = await caller(client, url, clock, policy=policy)
        with pytest.raises(ConnectorError) as err:
            await http.get_json("/x")
    assert err.value.retryable is True
    assert "after retries" in str(err.value) and "HTTP 500" in str(err.value)
    assert len(clock.slept) == 3  # 4 attempts, 3 waits
    for attempt, wait in enumerate(clock.slept):
        assert 0 <= wait <= 2**attempt


async def test_total_time_budget_bounds_retries(client, clock) -> None:
    plan = [JSONResponse({}, 429, headers={"Retry-After": "3600"})]
    app, seen = flaky_app(plan)
    async with serve_app(app) as url:
        http = await caller(client, url, clock, policy=RetryPolicy(max_total=60))
        with pytest.raises(ConnectorError) as err:
            await http.get_json("/x")
    assert err.value.retryable and err.value.retry_after == 3600
    assert len(seen) == 1 and clock.slept == []


async def test_client_error_is_not_retried(client, clock) -> None:
    app, seen = flaky_app([JSONResponse({"errorText": "Плохой формат take"}, 400)])
    async with serve_app(app) as url:
        http = await caller(client, url, clock)
        with pytest.raises(PlatformHTTPError) as err:
            await http.get_json("/x")
    assert not err.value.retryable and err.value.status == 400
    assert "Плохой формат take" in str(err.value)
    assert "secret-token" not in str(err.value)
    assert len(seen) == 1


async def test_timeouts_and_transport_errors_are_retried(client, clock) -> None:
    import asyncio

    app = FastAPI()
    calls = {"n": 0}

    @app.get("/slow")
    async def slow() -> dict[str, bool]:
        calls["n"] += 1
        if calls["n"] == 1:
            await asyncio.sleep(1.0)
        return {"ok": True}

    async with serve_app(app) as url:
        http = await caller(client, url, clock, policy=RetryPolicy(timeout=0.2, max_total=60))
        assert await http.get_json("/slow") == {"ok": True}
    http = await caller(client, "http://127.0.0.1:9", clock, policy=RetryPolicy(max_attempts=2))
    with pytest.raises(ConnectorError) as err:
        await http.get_json("/x")
    assert err.value.retryable and "transport error" in str(err.value)
