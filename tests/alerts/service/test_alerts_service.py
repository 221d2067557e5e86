"""The alerts service end to end: mentions in on Kafka → assignments, escalations up the
ladder, notifications at a real receiver, acknowledgement, SLA news, quiet hours, crises."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from services.alerts.crisis.detector import CrisisConfig
from services.alerts.escalation.ladder import EscalationPolicy, LadderStep, Level, PolicySet
from shared.events import MentionClassified, Sentiment, SlaChanged, SlaState, mention_id_for
from shared.topics import ASSIGNMENTS, MENTIONS_CLASSIFIED, SLA
from tests.alerts.factories import classification, mention
from tests.alerts.service.conftest import Hooks, Running, StartAlerts, eventually, read_topic

DEPUTY_AFTER = timedelta(seconds=3)
POLICIES = PolicySet(
    default=EscalationPolicy(
        steps=[
            LadderStep(level=Level.owner),
            LadderStep(level=Level.deputy, after=DEPUTY_AFTER),
            LadderStep(level=Level.team_head, after=timedelta(minutes=10)),
        ]
    )
)


def directory(now: datetime) -> dict[str, Any]:
    """Olga owns by default (Dima deputises); brand Hush goes to Quinn, now in quiet hours."""
    quiet = {
        "start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "end": (now + timedelta(hours=2)).strftime("%H:%M"),
    }
    return {
        "default_owner": "olga",
        "people": [
            {"id": "olga", "name": "Olga", "deputy_id": "dima"},
            {"id": "dima", "name": "Dima"},
            {"id": "quinn", "name": "Quinn", "quiet_hours": [quiet]},
        ],
        "rules": [{"id": "hush", "match": {"brand": ["Hush"]}, "owner_id": "quinn"}],
    }


def classified(external_id: str, sentiment: Sentiment, brand: str = "Acme") -> MentionClassified:
    return MentionClassified(
        mention=mention(external_id, brand=brand, text=f"review {external_id}"),
        classification=classification(sentiment),
    )


def notifications(hooks: Hooks) -> list[dict[str, Any]]:
    return [h.json() for h in hooks.at("/notify")]


def sent_to(hooks: Hooks, escalation_id: str, level: str) -> list[dict[str, Any]]:
    return [n for n in notifications(hooks) if n["id"] == f"{escalation_id}:{level}"]


async def escalations(svc: Running) -> dict[str, dict[str, Any]]:
    response = await svc.api.get("/api/escalations")
    assert response.status_code == 200, response.text
    return {e["mention_id"]: e for e in response.json()}


async def test_mentions_assigned_escalated_acknowledged(alerts: StartAlerts, hooks: Hooks) -> None:
    svc = await alerts(alerts_escalation_policies=POLICIES)
    now = datetime.now(UTC)

    bad = directory(now)
    bad["people"][0]["timezone"] = "Mars/Olympus"
    response = await svc.api.put("/api/directory", json=bad)
    assert response.status_code == 422
    assert "people[0].timezone" in response.json()["error"]["message"]
    assert (await svc.api.put("/api/directory", json=directory(now))).status_code == 200
    assert (await svc.api.put("/api/directory", json={"people": []})).status_code == 422

    events = [
        classified("n1", Sentiment.negative),
        classified("n2", Sentiment.negative),
        classified("n3", Sentiment.negative),
        classified("p1", Sentiment.positive),
        classified("p2", Sentiment.neutral),
        classified("q1", Sentiment.negative, brand="Hush"),
    ]
    history = classified("h1", Sentiment.negative)  # a backfill of an answered review
    events.append(
        history.model_copy(
            update={"mention": history.mention.model_copy(update={"answered": True})}
        )
    )
    envelopes = [svc.publisher.envelope(e) for e in events]
    await svc.publisher.publish_envelopes(MENTIONS_CLASSIFIED, envelopes)
    ids = {str(e.mention.mention_id): e.mention.external_id for e in events}

    assignments_topic = svc.topics.name(ASSIGNMENTS)

    def all_assigned(seen: list[Any]) -> bool:
        return {str(e.payload.mention_id) for e in seen} >= set(ids)

    first = await read_topic(
        svc.settings.kafka_bootstrap_servers, assignments_topic, until=all_assigned
    )
    by_mention = {str(e.payload.mention_id): e for e in first}
    assert by_mention[str(mention_id_for("wildberries", "q1"))].payload.owner_id == "quinn"
    assert by_mention[str(mention_id_for("wildberries", "p1"))].payload.owner_id == "olga"

    async def four() -> dict[str, dict[str, Any]] | None:
        found = await escalations(svc)
        return found if len(found) == 4 else None

    opened = await eventually(four, what="an escalation per negative")
    esc = {ids[m]: e["id"] for m, e in opened.items()}
    assert set(esc) == {"n1", "n2", "n3", "q1"}  # h1 was answered already: an owner, no ladder
    assert by_mention[str(mention_id_for("wildberries", "h1"))].payload.owner_id == "olga"
    await eventually(
        lambda: _true(all(sent_to(hooks, esc[n], "owner") for n in ("n1", "n2", "n3"))),
        what="owner notifications",
    )
    # Quinn is in quiet hours and no SLA is at risk: deferred, not sent.
    assert not sent_to(hooks, esc["q1"], "owner")

    # Acknowledge n1 through the API and n2 through the signed link in its notification.
    response = await svc.api.post(f"/api/escalations/{esc['n1']}/ack", json={"by": "olga"})
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    link = sent_to(hooks, esc["n2"], "owner")[0]["ack_url"]
    parts = urlsplit(link)
    # Opening the link (a mail scanner, a chat unfurler) only shows a confirmation page:
    # audit M7, a one-click GET used to acknowledge.
    response = await svc.api.get(parts.path, headers={"Authorization": ""})
    assert response.status_code == 200 and '<form method="post">' in response.text
    assert (await svc.api.get(f"/api/escalations/{esc['n2']}")).json()["status"] == "open"
    response = await svc.api.post(parts.path, headers={"Authorization": ""})
    assert response.status_code == 200 and "Acknowledged" in response.text
    response = await svc.api.get(parts.path, headers={"Authorization": ""})
    assert "already acknowledged" in response.text and "<form" not in response.text
    assert (await svc.api.get(parts.path + "x")).status_code == 400
    assert (await svc.api.post(parts.path + "x")).status_code == 400

    # The same events again (a redelivery): nothing new, and assignments keep one id.
    await svc.publisher.publish_envelopes(MENTIONS_CLASSIFIED, envelopes)
    again = await read_topic(
        svc.settings.kafka_bootstrap_servers,
        assignments_topic,
        until=lambda seen: len(seen) >= 2 * len(events),
    )
    per_mention: dict[str, set[str]] = {}
    for envelope in again:
        per_mention.setdefault(str(envelope.payload.mention_id), set()).add(str(envelope.event_id))
    assert set(per_mention) == set(ids)
    assert all(len(event_ids) == 1 for event_ids in per_mention.values())
    assert len(await escalations(svc)) == 4

    # n3 is not acknowledged: the deputy hears of it after DEPUTY_AFTER; n1 and n2 stop.
    await eventually(lambda: _true(sent_to(hooks, esc["n3"], "deputy")), what="deputy step")
    done = sorted([f"{esc['n3']}:owner", f"{esc['n3']}:deputy"])

    async def recorded() -> bool:
        state = await escalations(svc)
        return any(e["id"] == esc["n3"] and e["steps_done"] == done for e in state.values())

    await eventually(recorded, what="the deputy step recorded")
    assert not sent_to(hooks, esc["n1"], "deputy") and not sent_to(hooks, esc["n2"], "deputy")
    for name in ("n1", "n2", "n3"):
        assert len(sent_to(hooks, esc[name], "owner")) == 1, name

    # SLA news: due soon for Quinn's mention overrides quiet hours; a breach climbs at once.
    q1 = mention_id_for("wildberries", "q1")
    await svc.publisher.publish(
        SLA,
        SlaChanged(
            mention_id=q1,
            state=SlaState.due_soon,
            platform="wildberries",
            due_at=datetime.now(UTC) + timedelta(minutes=5),
        ),
    )
    await eventually(lambda: _true(sent_to(hooks, esc["q1"], "owner")), what="quiet override")
    n4 = mention_id_for("wildberries", "n4")
    await svc.publisher.publish(
        SLA,
        SlaChanged(
            mention_id=n4,
            state=SlaState.breached,
            platform="wildberries",
            due_at=datetime.now(UTC) - timedelta(minutes=1),
            owner_id="olga",
        ),
    )

    async def breached() -> dict[str, Any] | None:
        return (await escalations(svc)).get(str(n4))

    row = await eventually(breached, what="an escalation for the breach")
    assert row["reason"] == "sla_breached"
    await eventually(lambda: _true(sent_to(hooks, row["id"], "deputy")), what="breach climbs")


async def test_crisis_opens_and_is_handled(alerts: StartAlerts) -> None:
    crisis = CrisisConfig(
        window=timedelta(seconds=1),
        baseline=timedelta(seconds=10),
        bucket=timedelta(seconds=0.25),
        min_volume=4,
        ratio=3.0,
        min_history=timedelta(seconds=0.5),
        cooldown=timedelta(minutes=5),
        dimensions=("brand",),
    )
    svc = await alerts(alerts_crisis=crisis)
    # Baseline: the brand is watched, a little traffic, no negatives to speak of.
    await svc.publisher.publish_envelopes(
        MENTIONS_CLASSIFIED,
        [svc.publisher.envelope(classified(f"b{i}", Sentiment.positive, "Boom")) for i in range(3)],
    )

    async def none_yet() -> bool:
        return (await svc.api.get("/api/crises")).json() == []

    assert await none_yet()
    # Watched history counts only before the current window: window + min_history.
    await _sleep(2.0)
    burst = [classified(f"x{i}", Sentiment.negative, "Boom") for i in range(6)]
    await svc.publisher.publish_envelopes(
        MENTIONS_CLASSIFIED, [svc.publisher.envelope(e) for e in burst]
    )

    async def opened() -> list[dict[str, Any]] | None:
        found = (await svc.api.get("/api/crises")).json()
        return found or None

    crises = await eventually(opened, timeout=6, what="a crisis")
    assert len(crises) == 1
    found = crises[0]
    assert found["status"] == "open"
    crisis_id = found["id"]

    response = await svc.api.post(f"/api/crises/{crisis_id}/acknowledge", json={"by": "olga"})
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    response = await svc.api.post(f"/api/crises/{crisis_id}/resolve", json={"by": "olga"})
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert (await svc.api.post(f"/api/crises/{crisis_id}/explode")).status_code == 404
    assert (await svc.api.get("/api/crises", params={"status": "resolved"})).json()[0]["id"] == (
        crisis_id
    )


async def _true(value: object) -> bool:
    return bool(value)


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)
