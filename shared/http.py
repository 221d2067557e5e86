"""HTTP pieces every service's FastAPI app shares: health, readiness, metrics, errors, auth."""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.failures import (
    DEPENDENCY_ERROR_FAMILIES,
    Degraded,
    is_infrastructure_error,
    unavailable_dependency,
)
from shared.logging import get_logger
from shared.metrics import CommonMetrics

log = get_logger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]

#: What a 503 tells clients to wait before trying again.
RETRY_AFTER_S = 5


class DomainError(Exception):
    """An error with a stable code, rendered as the one JSON error shape."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return body


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


class MetricsMiddleware:
    """Counts and times requests by route template (bounded labels)."""

    def __init__(self, app: ASGIApp, *, metrics: CommonMetrics, service: str) -> None:
        self.app = app
        self.metrics = metrics
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.http.requests.labels(
                service=self.service, method=method, route=template, status=str(status)
            ).inc()
            self.metrics.http.seconds.labels(
                service=self.service, method=method, route=template
            ).observe(time.perf_counter() - started)


def install_common(
    app: FastAPI,
    *,
    service: str,
    metrics: CommonMetrics,
    readiness: Mapping[str, ReadinessCheck],
    liveness: Callable[[], bool] = lambda: True,
) -> None:
    """Adds /health, /ready, /metrics, the metrics middleware and the error shape."""
    app.add_middleware(MetricsMiddleware, metrics=metrics, service=service)

    @app.get("/health", tags=["ops"])
    async def health() -> Response:
        """Alive: the process answers and its consumer loop still makes progress."""
        if not liveness():
            return JSONResponse({"status": "stalled", "service": service}, status_code=503)
        return JSONResponse({"status": "ok", "service": service})

    @app.get("/ready", tags=["ops"])
    async def ready() -> Response:
        """Ready: the broker and the database answer."""
        checks: dict[str, str] = {}
        status = "ready"
        for name, check in readiness.items():
            try:
                await check()
                checks[name] = "ok"
            except Degraded as exc:
                status = "not_ready" if status == "not_ready" else "degraded"
                checks[name] = f"degraded: {exc}"
            except Exception as exc:
                status = "not_ready"
                checks[name] = f"error: {type(exc).__name__}"
        return JSONResponse(
            {"status": status, "checks": checks}, status_code=200 if status == "ready" else 503
        )

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": _field_path(e.get("loc", ())), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        fields = ", ".join(d["field"] for d in details[:10])
        return JSONResponse(
            error_body("validation_error", f"invalid request: {fields}", details), status_code=422
        )

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status_code)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(f"http_{exc.status_code}", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    async def dependency_error(_: Request, exc: Exception) -> JSONResponse:
        """503 + Retry-After while the database or the broker is away; 500 otherwise."""
        if is_infrastructure_error(exc):
            log.warning("dependency unavailable", exc_info=exc)
            return JSONResponse(
                error_body(
                    "unavailable",
                    f"temporarily unavailable ({unavailable_dependency(exc)} unreachable); "
                    f"retry in {RETRY_AFTER_S} s",
                ),
                status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        log.exception("unhandled error", error_type=type(exc).__name__)
        return JSONResponse(error_body("internal_error", "internal server error"), status_code=500)

    # Registered per family so they are answered inside the app (the catch-all below runs
    # in Starlette's outermost middleware, which re-raises after answering).
    for family in DEPENDENCY_ERROR_FAMILIES:
        app.add_exception_handler(family, dependency_error)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        return await dependency_error(request, exc)


def require_token(expected: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency checking `Authorization: Bearer <token>` in constant time."""

    async def check(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
            raise HTTPException(
                status_code=401,
                detail="missing or invalid bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check
