"""Every HTML page takes its staff member from one dependency (`PageStaff`): a stranger is
sent to /login and back to the same page, query included. The real responder app."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from services.responder.deps import get_page_principal
from services.responder.fact.pages import router as fact_pages
from services.responder.insight.pages import router as insight_pages
from services.responder.ui.router import router as ui_pages
from shared.broker import EmbeddedBroker
from tests.responder.queue.queue_stack import running

#: One concrete URL per page route (the route table is checked against it below).
PAGES = {
    "/": "/?state=failed&page=2",
    "/items/{mention_id}": "/items/no-such-item",
    "/facts": "/facts?topic=",
    "/facts/new": "/facts/new",
    "/facts/audit": "/facts/audit",
    "/facts/{fact_id}": "/facts/no-such-fact",
    "/insights": "/insights?days=7",
    "/insights/products/{sku:path}": "/insights/products/KET/17-W",
    "/insights/platforms/{platform_name}": "/insights/platforms/ozon",
    "/insights/team": "/insights/team",
    "/insights/drafts": "/insights/drafts",
    "/insights/phrasings": "/insights/phrasings",
}


async def test_every_page_sends_a_stranger_to_login_and_back(
    broker: EmbeddedBroker, topic_prefix: str, database_url: str
) -> None:
    async with running(broker, topic_prefix, database_url) as stack:
        pages = {
            route.path: route
            for router in (ui_pages, fact_pages, insight_pages)
            for route in router.routes
            if isinstance(route, APIRoute)
            and route.response_class is HTMLResponse
            and route.path != "/login"
        }
        assert set(pages) == set(PAGES), "a page was added or removed: list it in PAGES"
        for path, route in pages.items():
            calls = [d.call for d in route.dependant.dependencies]
            assert get_page_principal in calls, f"{path} does not take PageStaff"
        transport = httpx.ASGITransport(app=stack.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as stranger:
            for url in PAGES.values():
                page = await stranger.get(url)
                assert page.status_code == 303, url
                location = urlsplit(page.headers["location"])
                assert location.path == "/login", url
                assert parse_qs(location.query)["next"] == [url], url
        async with stack.signed_in("ann") as ann:
            assert (await ann.get("/?state=failed")).status_code == 200
