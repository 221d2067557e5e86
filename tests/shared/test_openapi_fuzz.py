"""No malformed request gets a 500: a bounded, seeded fuzz over each service's OpenAPI.

schemathesis generates valid and invalid requests for every operation (paths, queries,
bodies) and sends them, with the admin token, to the service running in uvicorn over
loopback with its real broker and database. Audit M6: deep JSON, huge integers and huge
offsets and ids gave 500s in ingest and alerts.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from services.alerts.config import AlertsSettings
from services.alerts.main import create_app as create_alerts
from services.ingest.config import IngestSettings
from services.ingest.main import create_app as create_ingest
from shared.broker import EmbeddedBroker, free_port

TOKEN = "fuzz-admin-token-0123456789abcdef"
#: Examples per operation and generation mode: the whole run stays around a minute.
EXAMPLES = 25


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app in uvicorn on a loopback port, in a thread with its own event loop."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        if not thread.is_alive():
            raise RuntimeError("the service did not start")
        threading.Event().wait(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _apps() -> dict[str, Callable[[EmbeddedBroker, str, Path], FastAPI]]:
    def ingest(broker: EmbeddedBroker, prefix: str, tmp: Path) -> FastAPI:
        return create_ingest(
            IngestSettings(
                kafka_bootstrap_servers=broker.bootstrap_servers,
                kafka_topic_prefix=prefix,
                database_url=f"sqlite+aiosqlite:///{tmp / 'ingest.db'}",
                kafka_session_timeout_ms=6000,
                api_token=TOKEN,
                log_json=False,
            )
        )

    def alerts(broker: EmbeddedBroker, prefix: str, tmp: Path) -> FastAPI:
        return create_alerts(
            AlertsSettings(
                kafka_bootstrap_servers=broker.bootstrap_servers,
                kafka_topic_prefix=prefix,
                database_url=f"sqlite+aiosqlite:///{tmp / 'alerts.db'}",
                kafka_session_timeout_ms=6000,
                api_token=TOKEN,
                log_json=False,
            )
        )

    return {"ingest": ingest, "alerts": alerts}


def fuzz(operation: Any, mode: GenerationMode, base_url: str, session: Any) -> list[str]:
    """Send EXAMPLES seeded requests for one operation; the 5xx answers, described."""
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(
            base_url=base_url,
            session=session,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=15,
        )
        if response.status_code >= 500:
            failures.append(
                f"{operation.label} [{mode.value}] -> {response.status_code}: "
                f"path={case.path_parameters} query={case.query} "
                f"body={str(case.body)[:200]!r} answer={response.text[:200]!r}"
            )

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (no parameters, no body): the positive run covers it.
        assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request"
    return failures


@pytest.mark.timeout(240)
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
@pytest.mark.parametrize("service", sorted(_apps()))
def test_fuzzed_requests_never_get_a_500(
    service: str, broker: EmbeddedBroker, topic_prefix: str, tmp_path: Path
) -> None:
    app = _apps()[service](broker, topic_prefix, tmp_path)
    schema = schemathesis.openapi.from_dict(app.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    with served(app) as base_url, requests.Session() as session:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += fuzz(operation, mode, base_url, session)
    assert len(operations) >= 4
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize(
    "path",
    [
        "/api/escalations?offset=99999999999999999999",
        "/api/webhooks/any/deliveries?offset=99999999999999999999",
        "/api/webhooks/deliveries/99999999999999999999999",
        "/api/escalations/%00",
    ],
)
def test_alerts_refuses_out_of_range_offsets_and_ids_with_4xx(
    path: str, broker: EmbeddedBroker, topic_prefix: str, tmp_path: Path
) -> None:
    app = _apps()["alerts"](broker, topic_prefix, tmp_path)
    with served(app) as base_url:
        response = requests.get(
            base_url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=15
        )
    assert response.status_code in (400, 422), response.text
