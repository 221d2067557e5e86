"""Run an ASGI app in uvicorn on a free 127.0.0.1 port, plus what every fake platform
shares: a request log, injectable faults, a per-account token bucket and a virtual clock."""

from __future__ import annotations

import asyncio
import json
import math
import socket
import ssl
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

#: TLS settings for the test clients that call the fakes, built once: loading the CA
#: bundle for every `httpx.AsyncClient()` costs ~0.4 s a test.
CLIENT_TLS = ssl.create_default_context()


class FakeClock:
    """Virtual monotonic time: `sleep` advances it instantly. Shared by a connector and a
    fake server, rate limits can be tested exactly without waiting."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class RealClock:
    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@asynccontextmanager
async def serve_app(app: Any) -> AsyncIterator[str]:
    """Serve `app` with uvicorn in the current event loop; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before starting")
            await asyncio.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, timeout=5)
        except TimeoutError:
            server.force_exit = True
            await task
        sock.close()


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Fault:
    #: "500" | "503" | ... (that status) | "invalid_json" | "slow" | "throttle" |
    #: "lost" (the request is carried out, then the answer is a 504: the caller cannot
    #: know it worked)
    kind: str
    remaining: int
    delay: float = 0.0
    #: Only requests to this path meet the fault (None: any request).
    path: str | None = None


def advertised_wait(wait: float) -> int:
    """Whole seconds a throttled answer tells the client to wait (never less than needed)."""
    return max(1, math.ceil(wait))


@dataclass
class Bucket:
    rate: float
    burst: int
    clock: Any
    tokens: float = -1.0
    updated: float = 0.0

    def take(self) -> float | None:
        """None if allowed, else seconds until a token is available."""
        now = self.clock.monotonic()
        if self.tokens < 0:
            self.tokens, self.updated = float(self.burst), now
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0 - 1e-6:
            self.tokens -= 1.0
            return None
        return (1.0 - self.tokens) / self.rate


@dataclass
class WindowQuota:
    """At most `limit` requests in any `window_s` seconds (a platform's hourly or daily
    quota, checked as a sliding window: stricter than a window that resets on the hour,
    so a client that passes it passes either)."""

    limit: int
    window_s: float
    clock: Any
    stamps: deque[float] = field(default_factory=deque)

    def take(self) -> float | None:
        """None if allowed, else seconds until the oldest request leaves the window."""
        now = self.clock.monotonic()
        while self.stamps and self.stamps[0] <= now - self.window_s + 1e-9:
            self.stamps.popleft()
        if len(self.stamps) >= self.limit:
            return self.stamps[0] + self.window_s - now
        self.stamps.append(now)
        return None


@dataclass
class FakePlatform:
    """Base of the fakes: subclasses add routes and implement `auth_error`/`throttle`."""

    clock: Any = field(default_factory=RealClock)
    rate: float | None = None
    burst: int = 1
    requests: list[Recorded] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    throttled: int = 0
    #: Requests that came back before the wait a throttled answer asked for.
    early: int = 0
    app: FastAPI = field(default_factory=FastAPI)
    buckets: dict[str, Bucket] = field(default_factory=dict)
    retry_at: dict[str, float] = field(default_factory=dict)
    #: Whether this platform's throttled answer says how long to wait (a header).
    advertises_wait: bool = True
    #: Called with each request as it arrives (a test's hook: "while serving page 2...").
    on_request: Callable[[Recorded], None] | None = None
    #: A platform's per-method quotas: method name → (requests, window seconds), counted
    #: per account; `quota_of` names a request's method. Empty: none modelled.
    quotas: dict[str, tuple[int, float]] = field(default_factory=dict)
    windows: dict[str, WindowQuota] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.app.middleware("http")(self._middleware)
        self.routes()

    # hooks --------------------------------------------------------------------------
    def routes(self) -> None:
        raise NotImplementedError

    def auth_error(self, request: Request) -> Response | None:
        return None

    def account(self, request: Request) -> str:
        return "default"

    def throttle(self, wait: float) -> Response:
        return JSONResponse({"error": "too many requests"}, status_code=429)

    def quota_of(self, request: Request) -> str | None:
        """Which of `quotas` this request draws from (None: none)."""
        return None

    def decorate(self, response: Response) -> Response:
        """Headers a platform puts on every answer (Yandex: its quota headers)."""
        return response

    # faults -------------------------------------------------------------------------
    def fail_next(
        self, count: int, kind: str = "500", delay: float = 0.0, path: str | None = None
    ) -> None:
        self.faults.append(Fault(kind, count, delay, path))

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    async def _middleware(self, request: Request, call_next: Callable[..., Any]) -> Response:
        return self.decorate(await self._handle(request, call_next))

    def _throttled(self, key: str, wait: float) -> Response:
        self.throttled += 1
        if self.advertises_wait:
            self.retry_at[key] = self.clock.monotonic() + advertised_wait(wait)
        return self.throttle(wait)

    async def _handle(self, request: Request, call_next: Callable[..., Any]) -> Response:
        recorded = Recorded(
            request.method,
            request.url.path,
            dict(request.query_params),
            {k.lower(): v for k, v in request.headers.items()},
        )
        self.requests.append(recorded)
        if self.on_request is not None:
            self.on_request(recorded)
        denied = self.auth_error(request)
        if denied is not None:
            return denied
        key = self.account(request)
        if self.clock.monotonic() < self.retry_at.get(key, float("-inf")) - 1e-6:
            self.early += 1
        if self.rate is not None:
            bucket = self.buckets.setdefault(key, Bucket(self.rate, self.burst, self.clock))
            wait = bucket.take()
            if wait is not None:
                return self._throttled(key, wait)
        method = self.quota_of(request)
        if method is not None and method in self.quotas:
            limit, window_s = self.quotas[method]
            window = self.windows.setdefault(
                f"{key}:{method}", WindowQuota(limit, window_s, self.clock)
            )
            wait = window.take()
            if wait is not None:
                return self._throttled(key, wait)
        fault = next((f for f in self.faults if f.path is None or f.path == request.url.path), None)
        if fault is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.faults.remove(fault)
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "invalid_json":
                return Response('{"data": {"feedb', media_type="application/json")
            elif fault.kind == "throttle":
                return self._throttled(key, fault.delay or 1.0)
            elif fault.kind == "lost":
                done: Any = await call_next(request)
                async for _ in done.body_iterator:  # carried out to the end
                    pass
                return JSONResponse({"error": "gateway timeout"}, status_code=504)
            else:
                return JSONResponse({"error": "internal"}, status_code=int(fault.kind))
        response: Response = await call_next(request)
        return response


async def json_body(request: Request) -> Any:
    """The request's JSON body, or None when it is not JSON."""
    try:
        return json.loads(await request.body())
    except ValueError:
        return None
