"""Glue the lead calls: a Notification from a mention, and channels from a person's contacts."""

from __future__ import annotations

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
from services.alerts.owner.schemas import Contacts
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
    if contacts.telegram_chat_id and telegram_token:
        out.append(
            TelegramChannel(
                client, telegram_token, contacts.telegram_chat_id, base_url=telegram_base_url
            )
        )
    if contacts.slack_webhook:
        out.append(SlackChannel(client, contacts.slack_webhook))
    if contacts.email and smtp:
        out.append(EmailChannel(smtp, [contacts.email]))
    if contacts.webhook:
        out.append(WebhookChannel(client, contacts.webhook))
    return out
