"""Glue the lead calls: a Notification from a mention, and channels from a person's contacts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import httpx

from services.alerts.notification.channels import (
    TELEGRAM_API,
    Channel,
    EmailChannel,
    Notification,
    SlackChannel,
    SmtpSettings,
    TelegramChannel,
    WebhookChannel,
)
from services.alerts.owner.schemas import ChannelKind, Contacts
from shared.events import Classification, Mention, Sentiment

Severity = Literal["info", "warning", "critical"]
_SEVERITY: dict[Sentiment, Severity] = {
    Sentiment.negative: "critical",
    Sentiment.neutral: "warning",
    Sentiment.positive: "info",
}


def mention_notification(
    notification_id: str,
    mention: Mention,
    classification: Classification,
    *,
    title: str,
    ack_url: str | None = None,
    extra: dict[str, str] | None = None,
) -> Notification:
    """Carry the review as data; each channel escapes it for its own markup."""
    fields = {
        k: v for k, v in (("SKU", mention.product.sku), ("Brand", mention.product.brand)) if v
    }
    aspects = ", ".join(sorted({a.aspect for a in classification.aspects}))
    if aspects:
        fields["Aspects"] = aspects
    fields.update(extra or {})
    return Notification(
        id=notification_id,
        title=title[:500],
        text=mention.full_text[:4000],
        severity=_SEVERITY[classification.sentiment],
        platform=mention.platform,
        author=mention.author,
        rating=mention.rating,
        url=mention.url,
        ack_url=ack_url,
        fields=fields,
    )


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


def channels_for(
    contacts: Contacts,
    *,
    client: httpx.AsyncClient,
    telegram_token: str | None = None,
    telegram_base_url: str = TELEGRAM_API,
    smtp: SmtpSettings | None = None,
) -> list[Channel]:
    """One channel per configured contact, in `Contacts.channels()` order; a contact whose
    transport is not configured (no bot token / SMTP) is skipped."""
    out: list[Channel] = []
    for destination in destinations_for(
        contacts, telegram=bool(telegram_token), email=smtp is not None
    ):
        channel = build_channel(
            destination,
            client=client,
            telegram_token=telegram_token,
            telegram_base_url=telegram_base_url,
            smtp=smtp,
        )
        if channel is not None:
            out.append(channel)
    return out
