"""Signing out ends the session on the server (audit L4): a copied cookie stops working,
and the sign-out itself needs the page's CSRF token. The real responder app."""

from __future__ import annotations

import re

import httpx

from services.responder.auth import COOKIE
from shared.broker import EmbeddedBroker
from tests.responder.queue.queue_stack import running


def browser(app: object, cookie: str | None = None) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    if cookie:
        client.cookies.set(COOKIE, cookie)
    return client


async def test_logout_ends_every_copy_of_the_cookie_and_needs_the_csrf_token(
    broker: EmbeddedBroker, topic_prefix: str, database_url: str
) -> None:
    async with running(broker, topic_prefix, database_url) as stack:
        async with stack.signed_in("ann") as ann:
            copied = ann.cookies[COOKIE]
            async with browser(stack.app, copied) as thief:
                assert (await thief.get("/api/queue")).status_code == 200

                # A cross-site form has no token: refused, the session stays.
                async with browser(stack.app, copied) as other_site:
                    forged = await other_site.post("/logout", data={})
                    assert forged.status_code == 403
                assert (await thief.get("/api/queue")).status_code == 200

                page = await ann.get("/")
                assert page.status_code == 200
                found = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert found, "the sign-out form carries no CSRF token"
                del ann.headers["X-CSRF-Token"]  # the form alone, as a browser sends it
                out = await ann.post("/logout", data={"csrf": found.group(1)})
                assert out.status_code == 303 and out.headers["location"] == "/login"

                assert (await thief.get("/api/queue")).status_code == 401
                ui = await thief.get("/")
                assert ui.status_code == 303 and ui.headers["location"].startswith("/login")

        # A cookie signed with the right secret but naming no stored session is no key.
        signer = stack.app.state.ctx.signer
        async with browser(stack.app, signer.issue("ann", "no-such-session")) as forger:
            assert (await forger.get("/api/queue")).status_code == 401
        # Signing in again works, with a new session.
        async with stack.signed_in("ann") as again:
            assert (await again.get("/api/queue")).status_code == 200
