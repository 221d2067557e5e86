"""From a person's contacts to destinations (what the outbox stores) and channels (what sends)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from services.alerts.notification.channels import (
    TELEGRAM_API,
    Channel,
    EmailChannel,
    SlackChannel,
    SmtpSettings,
    TelegramChannel,
    WebhookChannel,
)
from services.alerts.owner.schemas import ChannelKind, Contacts


@dataclass(frozen=True)
class Destination:
    """One channel to one place, as plain data: what the outbox stores per notification."""

    channel: ChannelKind
    #: Telegram chat id, Slack/webhook URL or e-mail address.
    target: str


def destinations_for(
    contacts: Contacts, *, telegram: bool = False, email: bool = False
) -> list[Destination]:
    """One destination per configured contact, in `Contacts.channels()` order; a contact
    whose transport is not configured (no bot token / SMTP) is skipped."""
    targets = {
        ChannelKind.telegram: contacts.telegram_chat_id if telegram else None,
        ChannelKind.slack: contacts.slack_webhook,
        ChannelKind.email: contacts.email if email else None,
        ChannelKind.webhook: contacts.webhook,
    }
    return [
        Destination(kind, target)
        for kind in contacts.channels()
        if (target := targets[kind]) is not None
    ]


def build_channel(
    destination: Destination,
    *,
    client: httpx.AsyncClient,
    telegram_token: str | None = None,
    telegram_base_url: str = TELEGRAM_API,
    smtp: SmtpSettings | None = None,
) -> Channel | None:
    """The channel that sends to `destination`; None when its transport is not configured."""
    kind, target = destination.channel, destination.target
    if kind == ChannelKind.telegram:
        if not telegram_token:
            return None
        return TelegramChannel(client, telegram_token, target, base_url=telegram_base_url)
    if kind == ChannelKind.slack:
        return SlackChannel(client, target)
    if kind == ChannelKind.email:
        return EmailChannel(smtp, [target]) if smtp else None
    return WebhookChannel(client, target)
