"""The whole system as real processes (`python -m services.<name>`) for end-to-end tests.

Each service gets a free loopback port, its own database from the test's
`DatabaseFactory`, the test's topic prefix, and a log file under the test's tmp dir
(printed when a service fails to become ready).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from shared.broker import EmbeddedBroker, free_port

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("ingest", "sentiment", "responder", "alerts")
USES_DATABASE = {"ingest": True, "sentiment": False, "responder": True, "alerts": True}
API_TOKEN = "test-api-token"


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    #: The service it runs (`name` may name a second replica of it, e.g. "alerts-2").
    service: str = ""
    #: The checkout it runs from (a benchmark runs an older one beside this one).
    root: Path = ROOT

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.service or self.name}"],
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class Stack:
    broker: EmbeddedBroker
    prefix: str
    database_urls: Mapping[str, str]
    tmp_path: Path
    services: Sequence[str] = SERVICES
    env_extra: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    ready_timeout_s: float = 90.0
    procs: dict[str, ServiceProcess] = field(default_factory=dict)
    #: The checkout the services run from.
    root: Path = ROOT

    @property
    def urls(self) -> dict[str, str]:
        return {name: proc.url for name, proc in self.procs.items()}

    def _env(self, name: str, port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "DATABASE_"))}
        env.update(
            {
                "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
                "KAFKA_TOPIC_PREFIX": self.prefix,
                "KAFKA_SESSION_TIMEOUT_MS": "6000",
                "KAFKA_PARTITIONS": "3",
                "HTTP_HOST": "127.0.0.1",
                "HTTP_PORT": str(port),
                "API_TOKEN": API_TOKEN,
                "LOG_LEVEL": "INFO",
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if USES_DATABASE[name]:
            env["DATABASE_URL"] = self.database_urls[name]
        env.update(self.env_extra.get(name, {}))
        return env

    async def __aenter__(self) -> Stack:
        for name in self.services:
            port = free_port()
            self.procs[name] = ServiceProcess(
                name=name,
                port=port,
                env=self._env(name, port),
                log_path=self.tmp_path / f"{name}.log",
                root=self.root,
            )
        for proc in self.procs.values():
            proc.start()
        await asyncio.gather(*(self.wait_ready(name) for name in self.procs))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for name in list(self.procs):
            self.stop(name)

    async def add_replica(self, service: str, name: str) -> ServiceProcess:
        """Start another process of `service` on the same database and topics, as `name`."""
        port = free_port()
        proc = ServiceProcess(
            name=name,
            port=port,
            env=self._env(service, port),
            log_path=self.tmp_path / f"{name}.log",
            service=service,
            root=self.root,
        )
        self.procs[name] = proc
        proc.start()
        await self.wait_ready(name)
        return proc

    async def wait_ready(self, name: str) -> None:
        proc = self.procs[name]
        deadline = time.monotonic() + self.ready_timeout_s
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if proc.process is not None and proc.process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {proc.process.returncode}:\n{proc.log_tail()}"
                    )
                try:
                    response = await client.get(f"{proc.url}/ready")
                    if response.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{name} not ready after {self.ready_timeout_s}s:\n{proc.log_tail()}")

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown, no final commit — the crash the system must survive."""
        proc = self.procs[name]
        if proc.process is not None:
            proc.process.send_signal(signal.SIGKILL)
            proc.process.wait(timeout=10)
            proc.process = None

    def stop(self, name: str) -> None:
        proc = self.procs[name]
        if proc.process is None:
            return
        proc.process.terminate()
        try:
            proc.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.process.kill()
            proc.process.wait(timeout=10)
        proc.process = None

    async def restart(self, name: str) -> None:
        self.procs[name].start()
        await self.wait_ready(name)


def auth_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_TOKEN}"}
