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
from starlette.datastructures import MutableHeaders
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
#: A push batch (500 mentions of up to ~20 KB) fits; anything larger is refused with 413.
DEFAULT_MAX_BODY_BYTES = 12 * 1024 * 1024
#: Largest offset a list endpoint accepts (beyond it SQLite's integers overflow).
MAX_OFFSET = 1_000_000_000
#: Largest integer id a path accepts (a signed 64-bit column).
MAX_DB_INT = 2**63 - 1


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


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the cap (an HTTPException, so
    FastAPI's body parsing lets it through instead of turning it into a 400)."""

    code = "payload_too_large"

    def __init__(self, max_bytes: int, declared: int | None = None) -> None:
        size = f"{declared} bytes" if declared is not None else "the streamed body"
        super().__init__(
            status_code=413,
            detail=f"request body too large: {size} over the limit of {max_bytes} bytes "
            "(HTTP_MAX_BODY_BYTES); send smaller batches",
        )


class RequestLimitsMiddleware:
    """Refuses what no handler should see: bodies over `max_bytes` (413, before they
    fill memory) and NUL characters in the URL (400; PostgreSQL refuses them in text).

    A declared Content-Length over the cap is refused without reading a byte; a body
    streamed without one (chunked) is counted as it arrives and cut at the cap.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _nul_in_url(scope):
            response = JSONResponse(
                error_body("bad_request", "the URL contains a NUL character (%00)"),
                status_code=400,
            )
            await response(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send, declared)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, None)

    async def _refuse(self, send: Send, declared: int | None) -> None:
        exc = BodyTooLarge(self.max_bytes, declared)
        response = JSONResponse(
            error_body(exc.code, str(exc.detail)),
            status_code=413,
            headers={"Connection": "close"},
        )
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _nul_in_url(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    query = bytes(scope.get("query_string", b"")).lower()
    return "\x00" in path or b"%00" in query or b"\x00" in query


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else 2**62
    return None


#: No inline script, no plugins, no framing, forms only back to us; inline styles stay
#: allowed (the SVG charts carry their own). The API docs pages load their UI from a CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    """CSP, no framing, no MIME sniffing, no Referer (ack links carry tokens in the URL)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(_DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if not docs:
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            await send(message)

        await self.app(scope, receive, with_headers)


def install_common(
    app: FastAPI,
    *,
    service: str,
    metrics: CommonMetrics,
    readiness: Mapping[str, ReadinessCheck],
    liveness: Callable[[], bool] = lambda: True,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> None:
    """Adds /health, /ready, /metrics, the metrics and body-size middlewares, the error shape."""
    app.add_middleware(RequestLimitsMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
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
            error_body(getattr(exc, "code", f"http_{exc.status_code}"), str(exc.detail)),
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
