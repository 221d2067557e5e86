"""What every service's app gets from shared/http.py: security headers and readiness.

Audit L5: no CSP, X-Frame-Options, nosniff or Referrer-Policy on the UI.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from shared.failures import Degraded
from shared.http import install_common
from shared.metrics import make_common_metrics

WAITING: list[str] = []


async def _ok() -> None:
    return None


async def _consumers() -> None:
    if WAITING:
        raise Degraded(WAITING[0])


def make_app() -> FastAPI:
    app = FastAPI()

    @app.get("/page", response_class=HTMLResponse)
    async def page() -> str:
        return "<!doctype html><p>hello</p>"

    install_common(
        app,
        service="test",
        metrics=make_common_metrics("test"),
        readiness={"broker": _ok, "consumers": _consumers},
        max_body_bytes=2048,
    )
    return app


async def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(make_app()), base_url="http://t")


async def test_pages_and_api_answers_carry_the_security_headers() -> None:
    async with await client() as c:
        for path in ("/page", "/health", "/missing"):
            response = await c.get(path)
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["Referrer-Policy"] == "no-referrer"
            csp = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
            assert "unsafe-eval" not in csp
        too_big = await c.post("/page", content=b"x" * 4096)
        assert too_big.status_code == 413
        assert too_big.headers["X-Frame-Options"] == "DENY"
        docs = await c.get("/docs")  # its UI comes from a CDN: no CSP there
        assert "Content-Security-Policy" not in docs.headers
        assert docs.headers["X-Content-Type-Options"] == "nosniff"


async def test_readiness_says_degraded_while_a_consumer_waits() -> None:
    async with await client() as c:
        assert (await c.get("/ready")).json()["status"] == "ready"
        WAITING.append("g: 1 partition(s) paused, mentions.raw[0] for 3s: OperationalError")
        try:
            response = await c.get("/ready")
        finally:
            WAITING.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["consumers"].startswith("degraded: g: 1 partition(s) paused")
    assert body["checks"]["broker"] == "ok"
