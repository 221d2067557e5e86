"""Sign-in throttling (audit M5: 30 wrong passwords in 5.7 s, no lockout or throttle)."""

from __future__ import annotations

from typing import Any

import httpx

from shared.throttle import FailureThrottle
from tests.conftest import DatabaseFactory
from tests.responder.queue.queue_stack import PASSWORDS, running


def test_failures_block_for_a_while_then_forget() -> None:
    now = [0.0]
    throttle = FailureThrottle(max_failures=3, window_s=60, block_s=120, clock=lambda: now[0])
    for _ in range(2):
        throttle.failed(["ann"])
    assert throttle.retry_after(["ann"]) == 0
    throttle.failed(["ann"])
    assert throttle.retry_after(["ann"]) == 120
    assert throttle.retry_after(["oleg"]) == 0
    now[0] = 121
    assert throttle.retry_after(["ann"]) == 0
    throttle.failed(["ann"])
    now[0] = 200  # outside the window: counting starts again
    throttle.failed(["ann"])
    throttle.failed(["ann"])
    assert throttle.retry_after(["ann"]) == 0
    throttle.succeeded(["ann"])
    throttle.failed(["ann"])
    throttle.failed(["ann"])
    assert throttle.retry_after(["ann"]) == 0


async def test_sign_in_is_refused_with_429_after_repeated_failures(
    broker: Any, topic_prefix: str, tmp_path: Any
) -> None:
    databases = DatabaseFactory("sqlite", tmp_path)
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        transport = httpx.ASGITransport(app=stack.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for _ in range(5):
                wrong = await client.post("/login", data={"username": "ann", "password": "x"})
                assert wrong.status_code == 401
            right = {"username": "ann", "password": PASSWORDS["ann"]}
            blocked = await client.post("/login", data=right)
            assert blocked.status_code == 429
            assert int(blocked.headers["Retry-After"]) > 0
            assert "Too many failed sign-ins" in blocked.text
            # Another account is not locked by ann's failures.
            other = {"username": "oleg", "password": PASSWORDS["oleg"]}
            assert (await client.post("/login", data=other)).status_code == 303
    await databases.close()


async def test_session_cookie_is_secure_behind_https(
    broker: Any, topic_prefix: str, tmp_path: Any
) -> None:
    """Audit L4 (part): the cookie had no Secure flag."""
    databases = DatabaseFactory("sqlite", tmp_path)
    right = {"username": "ann", "password": PASSWORDS["ann"]}
    async with running(broker, topic_prefix, await databases.new("responder")) as stack:
        transport = httpx.ASGITransport(app=stack.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://test") as tls:
            cookie = (await tls.post("/login", data=right)).headers["set-cookie"]
            assert "secure" in cookie.lower() and "httponly" in cookie.lower()
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as local:
            cookie = (await local.post("/login", data=right)).headers["set-cookie"]
            assert "secure" not in cookie.lower()  # plain HTTP on loopback (make run)
    await databases.close()
