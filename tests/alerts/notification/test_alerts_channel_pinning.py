"""Notification channels connect to the address their SSRF check approved (audit L6:
they were checked, then sent by host name, which left a DNS-rebinding window)."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from services.alerts.channel.base import HookChannel, SlackChannel
from services.alerts.channel.contract import Notification
from services.alerts.ssrf import DestinationCheck
from tests.alerts.conftest import Receiver

#: A name no resolver knows: reaching the receiver proves no second resolution happened.
NAME = "rebound.invalid"


def note() -> Notification:
    return Notification(id="n1", title="Negative review", text="Брак", platform="wildberries")


def pin(receiver: Receiver) -> tuple[str, DestinationCheck]:
    port = urlsplit(receiver.base_url).port
    assert port is not None
    url = f"http://{NAME}:{port}/hook"
    return url, DestinationCheck(True, "ok", NAME, port, ("127.0.0.1",))


async def test_webhook_and_slack_channels_send_to_the_checked_address(
    receiver: Receiver,
) -> None:
    url, check = pin(receiver)
    async with httpx.AsyncClient() as client:
        webhook = await HookChannel(client, url, pin=check).send(note())
        slack = await SlackChannel(client, url, pin=check).send(note())
        unpinned = await HookChannel(client, url).send(note())
    assert webhook.ok and slack.ok, (webhook.error, slack.error)
    assert [r.headers["host"] for r in receiver.requests] == [f"{NAME}:{check.port}"] * 2
    assert not unpinned.ok  # by name it would resolve again (here: not at all)
