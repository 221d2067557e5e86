"""Every API route (`/api/...`) of every service is authenticated, except the ones
documented in docs/architecture.md ("Authentication") as checking their own credentials.
The responder's HTML pages check the staff session themselves and send a stranger to
/login; the probes and /metrics are public."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from services.alerts.main import create_app as create_alerts
from services.ingest.main import create_app as create_ingest
from services.responder.main import create_app as create_responder
from services.sentiment.main import create_app as create_sentiment

ROOT = Path(__file__).resolve().parents[1]

#: The dependencies that authenticate: the services' API token, or a signed-in member of
#: staff (the responder's session or its API token).
AUTH_DEPENDENCIES = {"require_admin", "get_user", "get_principal"}
#: API routes that check their own credentials: ingest's push (a push token or an HMAC
#: signature, checked before the body is read) and alerts' acknowledgement link (a
#: signed, expiring token in the URL, for a person without an account).
OWN_CREDENTIALS = {"/api/mentions", "/api/ack/{token}"}
#: Public: the probes and the metrics of every service (install_common).
PUBLIC = {"/health", "/ready", "/metrics"}


def dependency_names(dependant: Any, out: set[str]) -> set[str]:
    call = getattr(dependant, "call", None)
    if call is not None:
        out.add(getattr(call, "__name__", ""))
    for sub in dependant.dependencies:
        dependency_names(sub, out)
    return out


def api_routes(
    routes: list[Any], included: tuple[Any, ...] = ()
) -> list[tuple[APIRoute, set[str]]]:
    """Every API route with the names of its dependencies, through included routers."""
    found: list[tuple[APIRoute, set[str]]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            names = dependency_names(route.dependant, set())
            names |= {getattr(d.dependency, "__name__", "") for d in included}
            found.append((route, names))
        elif hasattr(route, "original_router"):  # an included router, kept apart
            deps = tuple(route.include_context.dependencies)
            found += api_routes(route.original_router.routes, included + deps)
    return found


def unauthenticated(app: FastAPI) -> list[str]:
    return sorted(
        f"{sorted(route.methods)[0]} {route.path}"
        for route, names in api_routes(app.routes)
        if route.path.startswith("/api/")
        and route.path not in OWN_CREDENTIALS
        and not names & AUTH_DEPENDENCIES
    )


def test_every_api_route_is_authenticated_or_documented_public() -> None:
    apps = {
        "ingest": create_ingest(),
        "responder": create_responder(),
        "alerts": create_alerts(),
        "sentiment": create_sentiment(),
    }
    for name, app in apps.items():
        assert len(api_routes(app.routes)) > 3, name  # the service's own routes are seen
        assert unauthenticated(app) == [], name
    documented = (ROOT / "docs" / "architecture.md").read_text()
    for path in PUBLIC | OWN_CREDENTIALS:
        assert f"`{path}`" in documented, path
