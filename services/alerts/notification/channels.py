"""Notification channels: generic webhook, Slack incoming webhook, Telegram, e-mail.

Every channel has the same `send(notification) -> DeliveryResult` and never raises for
delivery problems: failures are data (status, error, retryable) so the caller can
retry, log and count them. Review text, author and links are hostile: they are escaped
for each channel's markup, and secrets (bot token, webhook URLs, SMTP password) never
appear in an error message.
"""

from __future__ import annotations

import asyncio
import html
import random
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal, Protocol

import aiosmtplib
import httpx
from pydantic import BaseModel, ConfigDict, Field

from services.alerts.webhook.ssrf import DestinationCheck, pinned_target

TELEGRAM_API = "https://api.telegram.org"
TELEGRAM_LIMIT = 4096
SLACK_SECTION_LIMIT = 3000
_SAFE_URL = re.compile(r"^https?://[^\s<>|\"'`]+$")


class Notification(BaseModel):
    """What to tell a person. `text`, `author`, `url` and `fields` come from the outside."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str = Field(max_length=500)
    text: str = ""
    severity: Literal["info", "warning", "critical"] = "warning"
    platform: str | None = None
    author: str | None = None
    rating: int | None = None
    url: str | None = None
    ack_url: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    channel: str
    status_code: int | None = None
    error: str | None = None
    latency_s: float = 0.0
    retryable: bool = False
    #: Server-requested pause (HTTP 429 / Telegram retry_after), if any.
    retry_after_s: float | None = None


class Channel(Protocol):
    name: str

    async def send(self, notification: Notification) -> DeliveryResult: ...


# --- escaping and rendering (pure) --------------------------------------------------------


def slack_escape(text: str) -> str:
    """Slack mrkdwn control characters; stops `<!channel>` and fake links in review text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_url(url: str | None) -> str | None:
    """Only plain http(s) URLs without markup-breaking characters are linked at all."""
    return url if url and _SAFE_URL.match(url) else None


def _truncate(text: str, limit: int) -> str:
    # Cut before escaping so an entity is never split.
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _stars(rating: int | None) -> str:
    return f"{'★' * rating}{'☆' * (5 - rating)}" if rating else ""


def render_plain(n: Notification) -> str:
    lines = [n.title]
    meta = " · ".join(x for x in (n.platform, _stars(n.rating), n.author) if x)
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
    meta = " · ".join(x for x in (n.platform, _stars(n.rating), n.author) if x)
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
    meta = " · ".join(esc(x) for x in (n.platform, _stars(n.rating), n.author) if x)
    body = esc(_truncate(n.text, SLACK_SECTION_LIMIT - 200)) if n.text else ""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _truncate(n.title, 150)}},
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
    fallback = esc(n.title) + (f": {esc(_truncate(n.text, 200))}" if n.text else "")
    return {"text": fallback, "blocks": blocks}


def render_webhook(n: Notification) -> dict[str, Any]:
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
    meta = " · ".join(x for x in (n.platform, _stars(n.rating), n.author) if x)
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


def _retryable_status(status: int) -> bool:
    return status in (408, 425, 429) or status >= 500


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


async def _post_json(
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
        retryable=not ok and _retryable_status(response.status_code),
        retry_after_s=_retry_after(response),
    ), response


# --- channels ------------------------------------------------------------------------------


@dataclass
class WebhookChannel:
    client: httpx.AsyncClient
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 10.0
    name: str = "webhook"
    #: The SSRF check of `url`: send to the address it approved (no DNS rebinding).
    pin: DestinationCheck | None = None

    @property
    def destination_url(self) -> str:
        return self.url

    async def send(self, notification: Notification) -> DeliveryResult:
        result, _ = await _post_json(
            self.client,
            self.name,
            self.url,
            render_webhook(notification),
            secrets=list(self.headers.values()),
            timeout_s=self.timeout,
            headers=self.headers,
            pin=self.pin,
        )
        return result


@dataclass
class SlackChannel:
    """Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat)."""

    client: httpx.AsyncClient
    webhook_url: str
    timeout: float = 10.0
    name: str = "slack"
    #: The SSRF check of `webhook_url`: send to the address it approved.
    pin: DestinationCheck | None = None

    @property
    def destination_url(self) -> str:
        return self.webhook_url

    async def send(self, notification: Notification) -> DeliveryResult:
        result, _ = await _post_json(
            self.client,
            self.name,
            self.webhook_url,
            render_slack(notification),
            secrets=[self.webhook_url],
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
        result, response = await _post_json(
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
                retryable=_retryable_status(response.status_code),
                retry_after_s=float(retry_after) if isinstance(retry_after, int | float) else None,
            )
        return result


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    #: "starttls": upgrade after connect (587); "implicit": TLS from the start (465).
    tls: Literal["none", "starttls", "implicit"] = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 15.0
    sender: str = "otklik@localhost"


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


# --- retries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded in attempts and per-delay length."""

    max_attempts: int = 4
    base_delay: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 60.0
    #: Fraction of each delay that is randomised (0 = none, 1 = "full jitter").
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("max_attempts >= 1 and non-negative delays required")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Pause after failed attempt number `attempt` (1-based)."""
        raw = min(self.max_delay, self.base_delay * self.multiplier ** max(0, attempt - 1))
        r = (rng or random).random()
        return raw * (1 - self.jitter) + raw * self.jitter * r

    def pause(
        self, attempt: int, retry_after_s: float | None, rng: random.Random | None = None
    ) -> float:
        """Pause after failed attempt `attempt`, honouring a server's Retry-After (bounded)."""
        pause = self.delay(attempt, rng)
        if retry_after_s is not None:
            pause = max(pause, min(retry_after_s, self.max_delay))
        return pause


async def send_with_retry(
    channel: Channel,
    notification: Notification,
    policy: RetryPolicy | None = None,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
) -> list[DeliveryResult]:
    """Send, retrying retryable failures; returns every attempt (the last one decides)."""
    policy = policy or RetryPolicy()
    attempts: list[DeliveryResult] = []
    for attempt in range(1, policy.max_attempts + 1):
        result = await channel.send(notification)
        attempts.append(result)
        if result.ok or not result.retryable or attempt == policy.max_attempts:
            break
        await sleep(policy.pause(attempt, result.retry_after_s, rng))
    return attempts
