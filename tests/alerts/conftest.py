"""Real local receivers for the alerts tests: uvicorn HTTP on 127.0.0.1 and an SMTP server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    base_url: str
    requests: list[Received] = field(default_factory=list)
    #: Status codes to answer with, consumed in order; then 200.
    statuses: list[int] = field(default_factory=list)
    telegram_reply: dict[str, Any] | None = None


def _app(rx: Receiver) -> FastAPI:
    app = FastAPI()

    @app.post("/bot{token}/sendMessage")
    async def telegram(token: str, request: Request) -> Response:
        rx.requests.append(Received(request.url.path, dict(request.headers), await request.body()))
        if rx.statuses:
            status = rx.statuses.pop(0)
            body = rx.telegram_reply or {"ok": False, "error_code": status, "description": "err"}
            return Response(content=_json(body), status_code=status, media_type="application/json")
        return Response(
            content=_json({"ok": True, "result": {"message_id": 1}}), media_type="application/json"
        )

    @app.post("/{path:path}")
    async def anything(path: str, request: Request) -> Response:
        rx.requests.append(Received(request.url.path, dict(request.headers), await request.body()))
        status = rx.statuses.pop(0) if rx.statuses else 200
        return Response(content=b"ok" if status < 300 else b"nope", status_code=status)

    return app


def _json(data: Any) -> bytes:
    import json

    return json.dumps(data).encode()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    rx = Receiver(base_url=f"http://127.0.0.1:{port}")
    config = uvicorn.Config(_app(rx), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "receiver did not start"
    try:
        yield rx
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 5)
        sock.close()


class _MailSink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@dataclass
class SmtpServer:
    host: str
    port: int
    sink: _MailSink


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = _MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, sink)
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
