"""Fixtures for connector tests: a virtual clock shared by connector and fake server,
and one httpx client per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # `tests.fakes` and `services` import from the repo root
    sys.path.insert(0, str(ROOT))

from tests.fakes.server import CLIENT_TLS, FakeClock  # noqa: E402


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(verify=CLIENT_TLS) as http:
        yield http
