"""The Microsoft Teams channel: one module registered in the channel registry, reached
through the notifier's path (contacts → destination → SSRF check → pinned send)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from services.alerts.channel.contract import Notification, Transports, spec_for
from services.alerts.channel.teams import TeamsChannel, render_teams
from services.alerts.notification.compose import destinations_for, open_channel
from services.alerts.owner.directory import DirectoryError, load_directory_text
from services.alerts.owner.schemas import Contacts
from tests.alerts.conftest import Receiver

HOSTILE = "[click](http://evil.example) **bold** <at>everyone</at> _x_ # head"


def note(**kw: Any) -> Notification:
    base: dict[str, Any] = {
        "id": "esc-1:owner",
        "title": "Negative review 1★ on wildberries: [Kettle](http://evil.example)",
        "text": HOSTILE,
        "severity": "critical",
        "platform": "wildberries",
        "author": "**Eve**",
        "rating": 1,
        "url": "https://wb.example/review/1",
        "ack_url": "https://otklik.example/api/ack/tok",
        "fields": {"SKU": "<sku>", "Aspects": "delivery"},
    }
    return Notification(**(base | kw))


def _texts(card: dict[str, Any]) -> list[str]:
    return [i["text"] for block in card["body"] for i in block["inlines"]]


def test_card_keeps_outside_text_out_of_markdown() -> None:
    message = render_teams(note())
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    # Teams reads TextBlock and FactSet as Markdown; only TextRuns carry outside text.
    assert {block["type"] for block in card["body"]} == {"RichTextBlock"}
    assert all(i["type"] == "TextRun" for block in card["body"] for i in block["inlines"])
    assert HOSTILE in _texts(card) and "**Eve**" in " ".join(_texts(card))
    assert [(a["title"], a["url"]) for a in card["actions"]] == [
        ("Open", "https://wb.example/review/1"),
        ("Acknowledge", "https://otklik.example/api/ack/tok"),
    ]
    unsafe = render_teams(note(url="javascript:alert(1)", ack_url=None))
    assert "actions" not in unsafe["attachments"][0]["content"]


async def test_teams_channel_posts_the_card_and_hides_its_url(receiver: Receiver) -> None:
    url = f"{receiver.base_url}/teams/secret-signature"
    async with httpx.AsyncClient() as client:
        result = await TeamsChannel(client, url).send(note())
        assert result.ok and result.channel == "teams", result.error
        body = json.loads(receiver.requests[0].body)
        assert body["type"] == "message" and body["summary"].startswith("Negative review")
        receiver.statuses = [429]
        throttled = await TeamsChannel(client, url).send(note())
    assert not throttled.ok and throttled.retryable and throttled.status_code == 429
    assert throttled.error and "secret-signature" not in throttled.error


async def test_a_person_reached_on_teams_through_the_registry(receiver: Receiver) -> None:
    """Declared once: the directory accepts `teams_hook_url`, the person's destinations
    include it, and the URL passes the SSRF check before the pinned send."""
    spec = spec_for("teams")
    assert spec is not None and spec.outbound_url and spec.contact_key == "teams_hook_url"
    config = load_directory_text(
        "default_owner: anna\n"
        "people:\n"
        "  - id: anna\n"
        "    name: Anna\n"
        f"    contacts: {{teams_hook_url: '{receiver.base_url}/teams', email: a@example.com}}\n",
        source="alerts.yaml",
    )
    person = config.index().person("anna")
    assert person is not None
    async with httpx.AsyncClient() as client:
        [destination] = destinations_for(person.contacts, Transports(client))  # no SMTP
        assert destination.channel == "teams"
        refused = await open_channel(destination, Transports(client))  # loopback: refused
        assert isinstance(refused, str) and refused.startswith("destination refused")
        assert receiver.requests == []
        channel = await open_channel(destination, Transports(client, allow_private=True))
        assert isinstance(channel, TeamsChannel) and channel.pin is not None
        assert (await channel.send(note())).ok
    assert len(receiver.requests) == 1


def test_a_bad_teams_contact_is_refused_naming_the_field() -> None:
    try:
        load_directory_text(
            "default_owner: anna\npeople: [{id: anna, name: Anna, "
            "contacts: {teams_hook_url: 'ftp://teams.example/x'}}]\n",
            source="alerts.yaml",
        )
    except DirectoryError as exc:
        assert "people[0].contacts.teams_hook_url" in str(exc)
    else:
        raise AssertionError("an ftp:// Teams webhook was accepted")
    assert Contacts(teams_hook_url="https://x.webhook.office.com/a").channels() == ["teams"]


def test_former_channel_names_still_load() -> None:
    """Directories and outbox rows written before the hook-URL rename still work."""
    from services.alerts.channel.contract import spec_for
    from services.alerts.config import AlertsSettings

    contacts = Contacts.model_validate(
        {"webhook": "https://a.example/h", "slack_webhook": "https://b.example/s"}
    )
    assert contacts.target("hook") == "https://a.example/h"
    assert contacts.target("slack") == "https://b.example/s"
    assert Contacts.model_validate({"teams_webhook": "https://t.example/x"}).channels() == ["teams"]
    spec = spec_for("webhook")
    assert spec is not None and spec.kind == "hook"
    settings = AlertsSettings.model_validate(
        {"alerts_webhook_url": "https://ops.example/h", "alerts_config_file": "d.yml"}
    )
    assert settings.alerts_hook_url == "https://ops.example/h"
    assert str(settings.alerts_directory_file) == "d.yml"
