"""Outbound webhooks end to end: subscriptions by API, signed deliveries to a real
receiver, retries on the schedule, the delivery log, redelivery, replay from Kafka, and
the SSRF guard at creation and at delivery time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from standardwebhooks import Webhook

from services.alerts.webhook.models import WebhookDelivery, WebhookSubscription
from services.alerts.webhook.signing import generate_secret
from shared.db import session_scope
from shared.events import (
    AssignmentMade,
    MentionClassified,
    ReplyFailed,
    Sentiment,
    mention_id_for,
)
from shared.topics import MENTIONS_CLASSIFIED, REPLIES_FAILED
from tests.alerts.factories import classification, mention
from tests.alerts.service.conftest import Hit, Hooks, Running, StartAlerts, eventually


def negative(external_id: str) -> MentionClassified:
    return MentionClassified(
        mention=mention(external_id, text=f"broken {external_id}"),
        classification=classification(Sentiment.negative),
    )


async def subscribe(svc: Running, url: str, **body: Any) -> dict[str, Any]:
    response = await svc.api.post("/api/webhooks", json={"url": url, **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def deliveries(svc: Running, subscription_id: str) -> list[dict[str, Any]]:
    response = await svc.api.get(f"/api/webhooks/{subscription_id}/deliveries")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def verified(secret: str, hit: Hit) -> dict[str, Any]:
    """The Standard Webhooks verifier accepts the request as sent (raises otherwise)."""
    payload: dict[str, Any] = Webhook(secret).verify(hit.body, hit.headers)
    return payload


async def test_webhook_subscriptions_deliveries_retries_replay(
    alerts: StartAlerts, hooks: Hooks
) -> None:
    svc = await alerts()
    started = datetime.now(UTC) - timedelta(seconds=1)

    # Bad input names the problem.
    unauthenticated = await svc.api.post(
        "/api/webhooks", json={"url": "http://x.example"}, headers={"Authorization": "Bearer no"}
    )
    assert unauthenticated.status_code == 401
    for body, field in (
        ({"url": "ftp://x.example/h"}, "url"),
        ({"url": f"{hooks.base_url}/a", "event_types": ["mention.nope"]}, "event_types"),
        ({"url": f"{hooks.base_url}/a", "secret": "plain"}, "secret"),
    ):
        response = await svc.api.post("/api/webhooks", json=body)
        assert response.status_code == 422, body
        assert field in response.json()["error"]["message"]

    # A flaky consumer: two failures, then 200; its secret is generated and shown once.
    flaky = await subscribe(svc, f"{hooks.base_url}/flaky", event_types=["mention.classified"])
    assert flaky["secret"].startswith("whsec_")
    hooks.statuses["/flaky"] = [500, 503]
    # A consumer that never recovers: the schedule (3 retries) runs out.
    dead = await subscribe(svc, f"{hooks.base_url}/dead", event_types=["mention.*"])
    hooks.statuses["/dead"] = [500] * 20
    # Everything, with a secret of its own.
    everything = await subscribe(svc, f"{hooks.base_url}/all", secret=generate_secret())
    listed = (await svc.api.get("/api/webhooks")).json()
    assert {s["id"] for s in listed} == {flaky["id"], dead["id"], everything["id"]}
    assert all("secret" not in s for s in listed)

    event = negative("w1")
    envelope = await svc.publisher.publish(MENTIONS_CLASSIFIED, event)
    await svc.publisher.publish(
        REPLIES_FAILED,
        ReplyFailed(
            reply_id=mention_id_for("r", "1"),
            mention_id=event.mention.mention_id,
            platform="wildberries",
            error="platform said no",
        ),
    )

    async def flaky_delivered() -> list[dict[str, Any]] | None:
        rows = await deliveries(svc, flaky["id"])
        return rows if rows and rows[0]["status"] == "delivered" else None

    [row] = await eventually(flaky_delivered, what="the flaky consumer's delivery")
    assert row["attempts"] == 3 and row["last_status_code"] == 200
    assert row["event_id"] == str(envelope.event_id) and row["last_latency_s"] > 0
    hits = hooks.at("/flaky")
    assert len(hits) == 3
    assert {h.headers["webhook-id"] for h in hits} == {str(envelope.event_id)}
    payload = verified(flaky["secret"], hits[-1])
    assert payload["type"] == "mention.classified"
    assert payload["data"]["mention"]["external_id"] == "w1"

    detail = (await svc.api.get(f"/api/webhooks/deliveries/{row['id']}")).json()
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 503, 200]

    # The consumer of everything got the mention, its assignment and the failed reply.
    async def three_types() -> set[str] | None:
        types = {h.json()["type"] for h in hooks.at("/all")}
        wanted = {"mention.classified", AssignmentMade.event_type, "reply.failed"}
        return types if types >= wanted else None

    await eventually(three_types, what="fan-out of every consumed topic")
    for hit in hooks.at("/all"):
        verified(everything["secret"], hit)

    async def gave_up() -> list[dict[str, Any]] | None:
        rows = await deliveries(svc, dead["id"])
        return rows if rows and rows[0]["status"] == "failed" else None

    [failed] = await eventually(gave_up, what="giving up after the schedule")
    assert failed["attempts"] == 4, failed
    assert failed["next_attempt_at"] is None
    assert len(hooks.at("/dead")) == 4

    # Manual redelivery: once more, same webhook-id.
    response = await svc.api.post(f"/api/webhooks/deliveries/{row['id']}/redeliver")
    assert response.status_code == 202
    await eventually(lambda: _true(len(hooks.at("/flaky")) == 4), what="the redelivery")
    assert hooks.at("/flaky")[-1].headers["webhook-id"] == str(envelope.event_id)
    verified(flaky["secret"], hooks.at("/flaky")[-1])
    assert (await svc.api.post("/api/webhooks/deliveries/999999/redeliver")).status_code == 404

    # The same Kafka event again: no second delivery.
    await svc.publisher.publish_envelopes(MENTIONS_CLASSIFIED, [envelope])
    await asyncio.sleep(1.0)
    assert len(await deliveries(svc, flaky["id"])) == 1

    # Replay: a subscription made afterwards gets the past range from Kafka, once.
    late = await subscribe(svc, f"{hooks.base_url}/late", event_types=["mention.classified"])
    assert await deliveries(svc, late["id"]) == []
    bad_range = {"from": datetime.now(UTC).isoformat(), "to": started.isoformat()}
    response = await svc.api.post(f"/api/webhooks/{late['id']}/replay", json=bad_range)
    assert response.status_code == 422
    window = {"from": started.isoformat(), "to": datetime.now(UTC).isoformat()}
    response = await svc.api.post(f"/api/webhooks/{late['id']}/replay", json=window)
    assert response.status_code == 202, response.text
    result = response.json()
    assert result["enqueued"] == 1 and result["topics"] == [MENTIONS_CLASSIFIED]
    await eventually(lambda: _true(hooks.at("/late")), what="the replayed delivery")
    assert verified(late["secret"], hooks.at("/late")[0])["data"]["mention"]["external_id"] == "w1"
    again = (await svc.api.post(f"/api/webhooks/{late['id']}/replay", json=window)).json()
    # Two records (the event was published twice), one delivery, none new on a second replay.
    assert again["enqueued"] == 0 and again["matched"] == result["matched"] == 2
    earlier = {"from": (started - timedelta(hours=2)).isoformat(), "to": started.isoformat()}
    assert (await svc.api.post(f"/api/webhooks/{late['id']}/replay", json=earlier)).json()[
        "scanned"
    ] == 0

    # Deleting stops deliveries; the log stays readable.
    assert (await svc.api.delete(f"/api/webhooks/{flaky['id']}")).status_code == 204
    assert (await svc.api.delete(f"/api/webhooks/{dead['id']}")).status_code == 204
    assert (await svc.api.delete(f"/api/webhooks/{flaky['id']}")).status_code == 404
    await svc.publisher.publish(MENTIONS_CLASSIFIED, negative("w2"))
    await eventually(lambda: _true(len(hooks.at("/late")) == 2), what="w2 to the late consumer")
    assert len(hooks.at("/flaky")) == 4
    assert len(await deliveries(svc, flaky["id"])) == 1

    async def settled() -> str | None:
        text = (await svc.api.get("/metrics")).text
        return text if "otklik_alerts_webhook_retries_pending 0.0" in text else None

    metrics = await eventually(settled, what="no retries pending")
    assert 'otklik_alerts_webhook_deliveries_total{result="delivered"}' in metrics
    assert 'otklik_alerts_webhook_deliveries_total{result="failed"}' in metrics
    assert "otklik_alerts_webhook_delivery_seconds_bucket" in metrics


async def test_webhook_ssrf_guard(alerts: StartAlerts, hooks: Hooks) -> None:
    svc = await alerts(alerts_allow_private_destinations=False)
    for url in (f"{hooks.base_url}/x", "http://10.1.2.3/hook", "http://[::1]:8080/"):
        response = await svc.api.post("/api/webhooks", json={"url": url})
        assert response.status_code == 422, url
        error = response.json()["error"]
        assert error["code"] == "destination_refused"
        assert "SSRF" in error["message"] and "url" in error["message"]
    assert (await svc.api.get("/api/webhooks")).json() == []

    # A subscription stored before the rules tightened is refused at delivery time.
    sessions = svc.app.state.ctx.runtime.sessions
    async with session_scope(sessions) as session:
        session.add(
            WebhookSubscription(
                id="legacy",
                url=f"{hooks.base_url}/legacy",
                secret="whsec_" + "A" * 44,
                event_types=["*"],
                description="",
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    await svc.publisher.publish(MENTIONS_CLASSIFIED, negative("s1"))

    async def refused() -> list[WebhookDelivery] | None:
        async with session_scope(sessions) as session:
            rows = list(
                (
                    await session.execute(
                        select(WebhookDelivery).where(WebhookDelivery.status == "failed")
                    )
                ).scalars()
            )
        return rows or None

    rows = await eventually(refused, what="a delivery refused by the SSRF guard")
    assert all("loopback" in (r.last_error or "") for r in rows)
    assert hooks.at("/legacy") == []


async def _true(value: object) -> bool:
    return bool(value)
