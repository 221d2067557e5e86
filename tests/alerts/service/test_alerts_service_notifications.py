"""Notifications through the outbox, in the running service: a failing channel is retried
with backoff and every attempt is visible; a channel that never recovers is given up on
visibly; a redelivered mention adds no notification."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.events import MentionClassified, Sentiment
from shared.topics import ASSIGNMENTS, MENTIONS_CLASSIFIED
from tests.alerts.factories import classification, mention
from tests.alerts.service.conftest import Hooks, Running, StartAlerts, eventually, read_topic


def negative(external_id: str, brand: str = "Acme") -> MentionClassified:
    return MentionClassified(
        mention=mention(external_id, brand=brand, text=f"broken {external_id}"),
        classification=classification(Sentiment.negative),
    )


async def log_of(svc: Running, escalation_id: str, **params: Any) -> list[dict[str, Any]]:
    response = await svc.api.get(
        "/api/notifications", params={"escalation_id": escalation_id, **params}
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def escalation_of(svc: Running) -> str:
    async def one() -> str | None:
        rows = (await svc.api.get("/api/escalations")).json()
        return rows[0]["id"] if rows else None

    return await eventually(one, what="the escalation")


async def test_failing_channel_retried_and_visible(alerts: StartAlerts, hooks: Hooks) -> None:
    svc = await alerts(alerts_notify_max_attempts=3, alerts_notify_base_delay_s=0.05)
    directory = {
        "default_owner": "olga",
        "people": [
            {"id": "olga", "name": "Olga", "contacts": {"webhook": f"{hooks.base_url}/dead"}}
        ],
    }
    assert (await svc.api.put("/api/directory", json=directory)).status_code == 200
    # The ops webhook fails twice, then takes it; Olga's own webhook never recovers.
    hooks.statuses["/notify"] = [500, 503]
    hooks.statuses["/dead"] = [500] * 10
    envelope = svc.publisher.envelope(negative("f1"))
    await svc.publisher.publish_envelopes(MENTIONS_CLASSIFIED, [envelope])
    escalation_id = await escalation_of(svc)

    async def settled() -> list[dict[str, Any]] | None:
        found = await log_of(svc, escalation_id)
        return found if len(found) == 6 else None

    log = await eventually(settled, what="three attempts on each channel")
    # Both are webhooks: the log tells them apart by attempt and answer.
    assert sorted((n["attempts"], n["ok"], n["status_code"]) for n in log) == [
        (1, False, 500),
        (1, False, 500),
        (2, False, 500),
        (2, False, 503),
        (3, False, 500),
        (3, True, 200),
    ]
    assert {n["notification_id"] for n in log} == {f"{escalation_id}:owner"}
    assert {h.json()["id"] for h in hooks.at("/notify")} == {f"{escalation_id}:owner"}
    assert len(hooks.at("/notify")) == 3 and len(hooks.at("/dead")) == 3
    failures = await log_of(svc, escalation_id, failed="true")
    assert len(failures) == 5 and all(n["error"] for n in failures)

    # The step was taken once and stays taken; a redelivery of the mention adds nothing.
    await svc.publisher.publish_envelopes(MENTIONS_CLASSIFIED, [envelope])
    mention_id = str(envelope.payload.mention.mention_id)
    await read_topic(
        svc.settings.kafka_bootstrap_servers,
        svc.topics.name(ASSIGNMENTS),
        until=lambda seen: sum(str(e.payload.mention_id) == mention_id for e in seen) >= 2,
    )  # the redelivery was handled (its assignment re-published after the commit)
    await asyncio.sleep(0.5)
    row = (await svc.api.get(f"/api/escalations/{escalation_id}")).json()
    assert row["steps_done"] == [f"{escalation_id}:owner"]
    assert len(hooks.at("/notify")) == 3 and len(hooks.at("/dead")) == 3
    metrics = (await svc.api.get("/metrics")).text
    assert 'otklik_alerts_notifications_total{channel="hook",result="failed"} 1.0' in metrics
    assert 'otklik_alerts_notifications_total{channel="hook",result="ok"} 1.0' in metrics
