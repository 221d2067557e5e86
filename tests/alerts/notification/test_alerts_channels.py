from __future__ import annotations

import email
import email.policy
import json
import random
from datetime import UTC, datetime, timedelta

import httpx

from services.alerts.channel.base import (
    TELEGRAM_LIMIT,
    EmailChannel,
    HookChannel,
    SlackChannel,
    TelegramChannel,
    render_telegram,
)
from services.alerts.channel.contract import Notification, SmtpSettings, Transports
from services.alerts.notification.compose import Destination, destinations_for, open_channel
from services.alerts.notification.models import OutboxStatus
from services.alerts.notification.retry import RetryPolicy
from services.alerts.notification.service import (
    Claimed,
    Recorded,
    outcome,
)
from services.alerts.owner.schemas import Contacts
from tests.alerts.conftest import Receiver, SmtpServer, free_port

TOKEN = "123456:SECRET-bot-token"
HOSTILE = "<!channel> <b>boom</b> <a href='http://evil'>x</a> & <http://evil|click> *bold*"


def note(**kw) -> Notification:  # type: ignore[no-untyped-def]
    base = {
        "id": "n1",
        "title": "Negative review <script>",
        "text": HOSTILE,
        "platform": "wildberries",
        "author": "<i>Eve</i>",
        "rating": 1,
        "url": "https://wb.example/review/1",
        "ack_url": "https://otklik.example/ack/tok",
        "fields": {"SKU": "<sku>"},
    }
    return Notification(**(base | kw))


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def attempts_until_settled(
    channel: TelegramChannel | HookChannel, policy: RetryPolicy
) -> list[Recorded]:
    """What the dispatcher does with one outbox row: send, record the outcome, again while
    it is pending (the pause is when it would be claimed next)."""
    recorded: list[Recorded] = []
    while not recorded or recorded[-1].status == OutboxStatus.pending:
        claimed = Claimed(
            id=1, claim="c", notification=note(), destination=Destination("hook", "x"),
            escalation_id=None, recipient_id=None, attempts=len(recorded), created_at=T0,
        )  # fmt: skip
        result = await channel.send(claimed.notification)
        recorded.append(outcome(claimed, result, policy=policy, now=T0))
    return recorded


def _pauses(recorded: list[Recorded]) -> list[float]:
    return [(r.next_attempt_at - T0).total_seconds() for r in recorded if r.next_attempt_at]


def _strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


async def test_webhook_channel_posts_json(receiver: Receiver) -> None:
    async with httpx.AsyncClient() as client:
        result = await HookChannel(client, f"{receiver.base_url}/hook").send(note())
    assert result.ok and result.status_code == 200 and result.latency_s > 0
    body = json.loads(receiver.requests[0].body)
    assert body["text"] == HOSTILE and body["type"] == "notification"


async def test_slack_escapes_mrkdwn(receiver: Receiver) -> None:
    async with httpx.AsyncClient() as client:
        result = await SlackChannel(client, f"{receiver.base_url}/services/T/B/X").send(note())
    assert result.ok
    body = json.loads(receiver.requests[0].body)
    assert body["text"].startswith("Negative review &lt;script&gt;")
    texts = [s for s in _strings(body["blocks"]) if s not in ("mrkdwn", "plain_text")]
    joined = "\n".join(texts)
    assert "<!channel>" not in joined and "<http://evil|click>" not in joined
    assert "&lt;!channel&gt;" in joined and "&amp;" in joined
    assert "<https://otklik.example/ack/tok|Acknowledge>" in joined


async def test_telegram_send_message_escapes_html(receiver: Receiver) -> None:
    async with httpx.AsyncClient() as client:
        channel = TelegramChannel(client, TOKEN, "-100500", base_url=receiver.base_url)
        result = await channel.send(note())
    assert result.ok, result.error
    req = receiver.requests[0]
    assert req.path == f"/bot{TOKEN}/sendMessage"
    payload = json.loads(req.body)
    assert payload["chat_id"] == "-100500" and payload["parse_mode"] == "HTML"
    text = payload["text"]
    assert "<b>boom</b>" not in text and "&lt;b&gt;boom&lt;/b&gt;" in text
    assert "<script>" not in text and "&lt;i&gt;Eve&lt;/i&gt;" in text
    assert '<a href="https://otklik.example/ack/tok">Acknowledge</a>' in text


async def test_telegram_errors_hide_token(receiver: Receiver) -> None:
    receiver.statuses = [401]
    receiver.telegram_reply = {
        "ok": False,
        "error_code": 401,
        "description": f"Unauthorized {TOKEN}",
    }
    async with httpx.AsyncClient() as client:
        result = await TelegramChannel(client, TOKEN, "1", base_url=receiver.base_url).send(note())
        assert not result.ok and result.status_code == 401 and not result.retryable
        assert result.error and TOKEN not in result.error and "Unauthorized" in result.error
        dead = f"http://127.0.0.1:{free_port()}"
        result = await TelegramChannel(client, TOKEN, "1", base_url=dead).send(note())
    assert not result.ok and result.retryable and result.status_code is None
    assert result.error and TOKEN not in result.error and "ConnectError" in result.error


async def test_telegram_429_retry_after_then_success(receiver: Receiver) -> None:
    receiver.statuses = [429]
    receiver.telegram_reply = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests",
        "parameters": {"retry_after": 3},
    }
    async with httpx.AsyncClient() as client:
        channel = TelegramChannel(client, TOKEN, "1", base_url=receiver.base_url)
        recorded = await attempts_until_settled(channel, RetryPolicy(base_delay=0.1))
    assert [r.status for r in recorded] == [OutboxStatus.pending, OutboxStatus.delivered]
    assert recorded[0].result.retry_after_s == 3
    assert recorded[0].next_attempt_at == T0 + timedelta(seconds=3)


def test_telegram_long_text_fits_limit() -> None:
    text = render_telegram(note(text="<&>" * 5000))
    assert len(text) <= TELEGRAM_LIMIT and text.count("&lt;") > 100
    assert "&l…" not in text and "&am…" not in text


async def test_retry_policy_bounds_and_non_retryable(receiver: Receiver) -> None:
    policy = RetryPolicy(max_attempts=5, base_delay=1, max_delay=4, jitter=0.5)
    rng = random.Random(7)
    delays = [policy.delay(n, rng) for n in range(1, 10)]
    assert all(0 <= d <= 4 for d in delays) and delays[0] <= 1 and delays[-1] >= 2
    async with httpx.AsyncClient() as client:
        channel = HookChannel(client, f"{receiver.base_url}/hook")
        receiver.statuses = [500, 503, 500, 500, 500, 500]
        recorded = await attempts_until_settled(channel, policy)
        assert [r.status for r in recorded] == [OutboxStatus.pending] * 4 + [OutboxStatus.failed]
        assert all(0 <= p <= 4 for p in _pauses(recorded)) and len(_pauses(recorded)) == 4
        receiver.statuses = [400]
        recorded = await attempts_until_settled(channel, policy)
    [only] = recorded
    assert (
        only.status == OutboxStatus.failed
        and not only.result.retryable
        and only.result.status_code == 400
    )


async def test_email_via_smtp(smtp_server: SmtpServer) -> None:
    settings = SmtpSettings(
        host=smtp_server.host, port=smtp_server.port, tls="none", sender="otklik@example.com"
    )
    result = await EmailChannel(settings, ["anna@example.com"]).send(
        note(title="Bad review\r\nBcc: victim@example.com")
    )
    assert result.ok, result.error
    mail_from, rcpts, raw = smtp_server.sink.messages[0]
    assert mail_from == "otklik@example.com" and rcpts == ["anna@example.com"]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None and "Bad review" in str(msg["Subject"])
    html_part = msg.get_body(preferencelist=("html",))
    plain_part = msg.get_body(preferencelist=("plain",))
    assert html_part is not None and plain_part is not None
    html_text = html_part.get_content()
    assert "<b>boom</b>" not in html_text and "&lt;b&gt;boom&lt;/b&gt;" in html_text
    assert HOSTILE in plain_part.get_content()


async def test_email_failure_is_retryable_and_hides_password() -> None:
    settings = SmtpSettings(
        host="127.0.0.1",
        port=free_port(),
        tls="none",
        username="u",
        password="hunter2-secret",
        timeout=2,
    )
    result = await EmailChannel(settings, ["a@example.com"]).send(note())
    assert not result.ok and result.retryable
    assert result.error and "hunter2-secret" not in result.error
    assert "hunter2-secret" not in repr(settings)


async def test_destinations_and_channels_of_a_person(receiver: Receiver) -> None:
    """The notifier's path: a person's contacts → destinations → channels that send."""
    contacts = Contacts(
        telegram_chat_id="42", hook_url=f"{receiver.base_url}/p", email="a@example.com"
    )
    async with httpx.AsyncClient() as client:
        transports = Transports(
            client, telegram_token=TOKEN, telegram_base_url=receiver.base_url, allow_private=True
        )
        destinations = destinations_for(contacts, transports)  # no SMTP configured
        assert [d.channel for d in destinations] == ["telegram", "hook"]
        chans = [await open_channel(d, transports) for d in destinations]
        unconfigured = await open_channel(Destination("telegram", "42"), Transports(client))
        assert unconfigured == "telegram is not configured"
        refused = await open_channel(destinations[1], Transports(client))  # loopback URL
        assert isinstance(refused, str) and refused.startswith("destination refused")
        assert [c.name for c in chans if not isinstance(c, str)] == ["telegram", "hook"]
        results = [await c.send(note()) for c in chans if not isinstance(c, str)]
    assert all(r.ok for r in results)
