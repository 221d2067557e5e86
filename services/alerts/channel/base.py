"""The first channels: a generic hook URL (JSON POST), Slack-compatible incoming hooks,
Telegram, e-mail.

Every channel has the same `send(notification) -> DeliveryResult` and never raises for
delivery problems: failures are data (status, error, retryable) so the caller can
retry, log and count them. Review text, author and links are hostile: they are escaped
for each channel's markup, and secrets (bot token, hook URLs, SMTP password) never
appear in an error message.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx

from services.alerts.channel.contract import (
    ChannelSpec,
    DeliveryResult,
    Notification,
    SmtpSettings,
    Transports,
    register,
)
from services.alerts.ssrf import DestinationCheck, pinned_target

TELEGRAM_API = "https://api.telegram.org"
TELEGRAM_LIMIT = 4096
SLACK_SECTION_LIMIT = 3000
_SAFE_URL = re.compile(r"^https?://[^\s<>|\"'`]+$")


# --- escaping and rendering (pure) --------------------------------------------------------


def slack_escape(text: str) -> str:
    """Slack mrkdwn control characters; stops `<!channel>` and fake links in review text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_url(url: str | None) -> str | None:
    """Only plain http(s) URLs without markup-breaking characters are linked at all."""
    return url if url and _SAFE_URL.match(url) else None


def truncate(text: str, limit: int) -> str:
    # Cut before escaping so an entity is never split.
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def stars(rating: int | None) -> str:
    return f"{'★' * rating}{'☆' * (5 - rating)}" if rating else ""


def render_plain(n: Notification) -> str:
    lines = [n.title]
    meta = " · ".join(x for x in (n.platform, stars(n.rating), n.author) if x)
    if meta:
        lines.append(meta)
    if n.text:
        lines += ["", n.text]
    lines += [f"{k}: {v}" for k, v in n.fields.items()]
    if safe_url(n.url):
        lines.append(f"Open: {n.url}")
    if safe_url(n.ack_url):
        lines.append(f"Acknowledge: {n.ack_url}")
    return "\n".join(lines)


def _escape_within(text: str, budget: int) -> str:
    """html.escape(text), shortened (before escaping, so no entity is cut) to fit `budget`."""
    if len(html.escape(text)) <= budget:
        return html.escape(text)
    lo, hi = 0, min(len(text), budget)  # longest prefix whose escaped form + "…" fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(html.escape(text[:mid])) + 1 <= budget:
            lo = mid
        else:
            hi = mid - 1
    return html.escape(text[:lo]) + "…"


def render_telegram(n: Notification) -> str:
    """Telegram HTML (parse_mode=HTML): everything from outside goes through html.escape."""
    esc = html.escape
    parts = [f"<b>{esc(n.title)}</b>"]
    meta = " · ".join(x for x in (n.platform, stars(n.rating), n.author) if x)
    if meta:
        parts.append(f"<i>{esc(meta)}</i>")
    parts += [f"{esc(k)}: {esc(v)}" for k, v in n.fields.items()]
    links = []
    if url := safe_url(n.url):
        links.append(f'<a href="{esc(url)}">Open</a>')
    if ack := safe_url(n.ack_url):
        links.append(f'<a href="{esc(ack)}">Acknowledge</a>')
    tail = "\n" + " | ".join(links) if links else ""
    head = "\n".join(parts)
    budget = TELEGRAM_LIMIT - len(head) - len(tail) - 2
    body = ""
    if n.text and budget > 20:
        body = "\n\n" + _escape_within(n.text, budget)
    return head + body + tail


def render_slack(n: Notification) -> dict[str, Any]:
    """`text` is the notification fallback; blocks carry the formatted message."""
    esc = slack_escape
    meta = " · ".join(esc(x) for x in (n.platform, stars(n.rating), n.author) if x)
    body = esc(truncate(n.text, SLACK_SECTION_LIMIT - 200)) if n.text else ""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(n.title, 150)}},
    ]
    if meta:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": meta}]})
    if body:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body}})
    if n.fields:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{esc(k)}*\n{esc(v)}"}
                    for k, v in list(n.fields.items())[:10]
                ],
            }
        )
    links = []
    if url := safe_url(n.url):
        links.append(f"<{esc(url)}|Open>")
    if ack := safe_url(n.ack_url):
        links.append(f"<{esc(ack)}|Acknowledge>")
    if links:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "  ".join(links)}})
    fallback = esc(n.title) + (f": {esc(truncate(n.text, 200))}" if n.text else "")
    return {"text": fallback, "blocks": blocks}


def render_hook(n: Notification) -> dict[str, Any]:
    """JSON needs no markup escaping: the receiver gets the raw data, typed."""
    return {"type": "notification", **n.model_dump(mode="json")}


def _header_safe(text: str) -> str:
    return re.sub(r"[\r\n\t]+", " ", text)[:200]


def render_email(n: Notification, *, sender: str, to: Sequence[str]) -> EmailMessage:
    esc = html.escape
    msg = EmailMessage()
    msg["Subject"] = _header_safe(n.title)
    msg["From"] = sender
    msg["To"] = ", ".join(_header_safe(t) for t in to)
    msg["X-Otklik-Notification"] = _header_safe(n.id)
    msg.set_content(render_plain(n))
    meta = " · ".join(x for x in (n.platform, stars(n.rating), n.author) if x)
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in n.fields.items())
    links = []
    if url := safe_url(n.url):
        links.append(f'<a href="{esc(url)}">Open</a>')
    if ack := safe_url(n.ack_url):
        links.append(f'<a href="{esc(ack)}">Acknowledge</a>')
    text_html = esc(n.text).replace("\n", "<br>")
    msg.add_alternative(
        f"<html><body><h3>{esc(n.title)}</h3><p><i>{esc(meta)}</i></p>"
        f"<blockquote>{text_html}</blockquote><table>{rows}</table>"
        f"<p>{' | '.join(links)}</p></body></html>",
        subtype="html",
    )
    return msg


# --- HTTP helpers --------------------------------------------------------------------------


def redact(text: str, secrets: Sequence[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def retryable_status(status: int) -> bool:
    return status in (408, 425, 429) or status >= 500


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


async def post_json(
    client: httpx.AsyncClient,
    channel: str,
    url: str,
    payload: dict[str, Any],
    *,
    secrets: Sequence[str | None],
    timeout_s: float,
    headers: dict[str, str] | None = None,
    pin: DestinationCheck | None = None,
) -> tuple[DeliveryResult, httpx.Response | None]:
    """POST to `url`; with `pin` (the SSRF check's result) to the address that was checked."""
    started = time.perf_counter()
    target, extra_headers, extensions = pinned_target(url, pin) if pin else (url, {}, {})
    try:
        request = client.build_request(
            "POST",
            target,
            json=payload,
            headers={**(headers or {}), **extra_headers},
            timeout=timeout_s,
            extensions=extensions,
        )
        response = await client.send(request, follow_redirects=False)
    except httpx.HTTPError as exc:
        return DeliveryResult(
            ok=False,
            channel=channel,
            error=redact(f"{type(exc).__name__}: {exc}", [*secrets, url]),
            latency_s=time.perf_counter() - started,
            retryable=True,
        ), None
    latency = time.perf_counter() - started
    ok = 200 <= response.status_code < 300
    error: str | None = None
    if not ok:
        error = redact(f"HTTP {response.status_code}: {response.text[:200]}", [*secrets, url])
    return DeliveryResult(
        ok=ok,
        channel=channel,
        status_code=response.status_code,
        error=error,
        latency_s=latency,
        retryable=not ok and retryable_status(response.status_code),
        retry_after_s=_retry_after(response),
    ), response


# --- channels ------------------------------------------------------------------------------


@dataclass
class HookChannel:
    """POSTs the notification as JSON to a hook URL (an ops receiver, a person's endpoint)."""

    client: httpx.AsyncClient
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 10.0
    name: str = "hook"
    #: The SSRF check of `url`: send to the address it approved (no DNS rebinding).
    pin: DestinationCheck | None = None

    @property
    def destination_url(self) -> str:
        return self.url

    async def send(self, notification: Notification) -> DeliveryResult:
        result, _ = await post_json(
            self.client,
            self.name,
            self.url,
            render_hook(notification),
            secrets=list(self.headers.values()),
            timeout_s=self.timeout,
            headers=self.headers,
            pin=self.pin,
        )
        return result


@dataclass
class SlackChannel:
    """Slack-compatible incoming hook (Slack, Mattermost, Rocket.Chat)."""

    client: httpx.AsyncClient
    hook_url: str
    timeout: float = 10.0
    name: str = "slack"
    #: The SSRF check of `hook_url`: send to the address it approved.
    pin: DestinationCheck | None = None

    @property
    def destination_url(self) -> str:
        return self.hook_url

    async def send(self, notification: Notification) -> DeliveryResult:
        result, _ = await post_json(
            self.client,
            self.name,
            self.hook_url,
            render_slack(notification),
            secrets=[self.hook_url],
            timeout_s=self.timeout,
            pin=self.pin,
        )
        return result


@dataclass
class TelegramChannel:
    client: httpx.AsyncClient
    token: str
    chat_id: str
    base_url: str = TELEGRAM_API
    timeout: float = 10.0
    name: str = "telegram"

    async def send(self, notification: Notification) -> DeliveryResult:
        url = f"{self.base_url.rstrip('/')}/bot{self.token}/sendMessage"
        payload = {
            "chat_id": self.chat_id,
            "text": render_telegram(notification),
            "parse_mode": "HTML",
            "disable_web_page_preview": True,
        }
        result, response = await post_json(
            self.client, self.name, url, payload, secrets=[self.token], timeout_s=self.timeout
        )
        if response is None:
            return result
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is False:
            params = body.get("parameters") or {}
            retry_after = params.get("retry_after") if isinstance(params, dict) else None
            description = redact(str(body.get("description", ""))[:200], [self.token])
            return DeliveryResult(
                ok=False,
                channel=self.name,
                status_code=response.status_code,
                error=f"Telegram {body.get('error_code', response.status_code)}: {description}",
                latency_s=result.latency_s,
                retryable=retryable_status(response.status_code),
                retry_after_s=float(retry_after) if isinstance(retry_after, int | float) else None,
            )
        return result


@dataclass
class EmailChannel:
    smtp: SmtpSettings
    to: list[str]
    name: str = "email"

    async def send(self, notification: Notification) -> DeliveryResult:
        message = render_email(notification, sender=self.smtp.sender, to=self.to)
        started = time.perf_counter()
        try:
            await aiosmtplib.send(
                message,
                hostname=self.smtp.host,
                port=self.smtp.port,
                username=self.smtp.username,
                password=self.smtp.password,
                use_tls=self.smtp.tls == "implicit",
                start_tls=self.smtp.tls == "starttls",
                timeout=self.smtp.timeout,
            )
        except aiosmtplib.SMTPResponseException as exc:
            return DeliveryResult(
                ok=False,
                channel=self.name,
                status_code=exc.code,
                error=redact(f"SMTP {exc.code}: {exc.message}"[:300], [self.smtp.password]),
                latency_s=time.perf_counter() - started,
                retryable=400 <= exc.code < 500,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return DeliveryResult(
                ok=False,
                channel=self.name,
                error=redact(f"{type(exc).__name__}: {exc}"[:300], [self.smtp.password]),
                latency_s=time.perf_counter() - started,
                retryable=True,
            )
        return DeliveryResult(
            ok=True, channel=self.name, status_code=250, latency_s=time.perf_counter() - started
        )


# --- registration ----------------------------------------------------------------------------


def _telegram(target: str, t: Transports, pin: DestinationCheck | None) -> TelegramChannel | None:
    if not t.telegram_token:
        return None
    return TelegramChannel(
        t.client, t.telegram_token, target, base_url=t.telegram_base_url, timeout=t.timeout_s
    )


register(
    ChannelSpec(
        kind="telegram",
        contact_key="telegram_chat_id",
        pattern=r"^-?\d+$|^@\w+$",
        max_length=64,
        build=_telegram,
        configured=lambda t: t.telegram_token is not None,
        order=10,
    )
)
register(
    ChannelSpec(
        kind="slack",
        contact_key="slack_hook_url",
        former_keys=("slack_webhook",),
        pattern=r"^https?://",
        build=lambda target, t, pin: SlackChannel(t.client, target, timeout=t.timeout_s, pin=pin),
        outbound_url=True,
        order=20,
    )
)
register(
    ChannelSpec(
        kind="email",
        contact_key="email",
        pattern=r"^[^@\s]+@[^@\s]+$",
        max_length=320,
        build=lambda target, t, pin: EmailChannel(t.smtp, [target]) if t.smtp else None,
        configured=lambda t: t.smtp is not None,
        order=30,
    )
)
register(
    ChannelSpec(
        kind="hook",
        former_kinds=("webhook",),
        contact_key="hook_url",
        former_keys=("webhook",),
        pattern=r"^https?://",
        build=lambda target, t, pin: HookChannel(t.client, target, timeout=t.timeout_s, pin=pin),
        outbound_url=True,
        order=40,
    )
)
