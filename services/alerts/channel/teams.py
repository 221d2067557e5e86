"""Microsoft Teams incoming webhook (a Workflows "when a webhook request is received" flow,
or a classic connector URL): the notification as an Adaptive Card.

Every text from outside sits in a RichTextBlock's TextRuns, which Teams shows verbatim
(TextBlock and FactSet would read it as Markdown: a review could then carry links or
formatting); links are card actions, only for plain http(s) URLs. The hook URL is a
credential: it is redacted from every error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from services.alerts.channel.base import post_json, safe_url, stars, truncate
from services.alerts.channel.contract import (
    ChannelSpec,
    DeliveryResult,
    Notification,
    Transports,
    register,
)
from services.alerts.ssrf import DestinationCheck

#: Teams refuses messages over about 28 KB; the review text is the only long part.
TEAMS_TEXT_LIMIT = 3500
_ATTENTION = {"critical": "attention", "warning": "warning", "info": "default"}


def _run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": text, **style}


def _rich(*runs: dict[str, Any], **block: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(runs), **block}


def render_teams(n: Notification) -> dict[str, Any]:
    """The Teams message: one Adaptive Card (1.4) with no Markdown-read outside text."""
    body: list[dict[str, Any]] = [
        _rich(
            _run(
                truncate(n.title, 300),
                weight="bolder",
                size="medium",
                color=_ATTENTION[n.severity],
            )
        )
    ]
    meta = " · ".join(x for x in (n.platform, stars(n.rating), n.author) if x)
    if meta:
        body.append(_rich(_run(meta, isSubtle=True, italic=True)))
    if n.text:
        body.append(_rich(_run(truncate(n.text, TEAMS_TEXT_LIMIT)), separator=True))
    for key, value in list(n.fields.items())[:10]:
        body.append(_rich(_run(f"{key}: ", weight="bolder"), _run(value), spacing="none"))
    actions = [
        {"type": "Action.OpenUrl", "title": title, "url": url}
        for title, url in (("Open", safe_url(n.url)), ("Acknowledge", safe_url(n.ack_url)))
        if url
    ]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return {
        "type": "message",
        "summary": truncate(n.title, 150),
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


@dataclass
class TeamsChannel:
    client: httpx.AsyncClient
    hook_url: str
    timeout: float = 10.0
    name: str = "teams"
    #: The SSRF check of `hook_url`: send to the address it approved.
    pin: DestinationCheck | None = None

    async def send(self, notification: Notification) -> DeliveryResult:
        result, _ = await post_json(
            self.client,
            self.name,
            self.hook_url,
            render_teams(notification),
            secrets=[self.hook_url],
            timeout_s=self.timeout,
            pin=self.pin,
        )
        return result


def _build(target: str, t: Transports, pin: DestinationCheck | None) -> TeamsChannel:
    return TeamsChannel(t.client, target, timeout=t.timeout_s, pin=pin)


register(
    ChannelSpec(
        kind="teams",
        contact_key="teams_hook_url",
        former_keys=("teams_webhook",),
        pattern=r"^https?://",
        build=_build,
        outbound_url=True,
        order=25,
    )
)
