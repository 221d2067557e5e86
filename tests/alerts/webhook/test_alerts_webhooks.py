from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from services.alerts.ssrf import check_destination
from services.alerts.webhook.delivery import WebhookEndpoint, WebhookEvent, deliver
from services.alerts.webhook.retry import (
    DEFAULT_SCHEDULE,
    max_attempts,
    next_attempt_at,
    parse_schedule,
    retry_delay,
)
from services.alerts.webhook.signing import generate_secret, sign_headers, validate_secret
from tests.alerts.conftest import Receiver


def table_resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("Name or service not known")
        return table[host]

    return resolve


EVENT = WebhookEvent(
    id="evt_01",
    type="alert.raised",
    occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
    data={"title": "Негатив <b>", "n": 1},
)


def test_secret_helpers() -> None:
    secret = generate_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert validate_secret(secret) == secret
    for bad in ("nope", "whsec_!!!", "whsec_" + base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError):
            validate_secret(bad)
    with pytest.raises(ValueError):
        WebhookEndpoint(id="s", url="https://x.example", secret="plain")


def test_signature_verifies_and_detects_tampering() -> None:
    secret = generate_secret()
    body = EVENT.body()
    headers = sign_headers(secret, EVENT.id, body)
    assert Webhook(secret).verify(body, headers)["data"]["n"] == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace('"n":1', '"n":2'), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(body, headers)
    old = sign_headers(secret, EVENT.id, body, datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, old)


async def test_deliver_to_local_receiver_verifies(receiver: Receiver) -> None:
    secret = generate_secret()
    sub = WebhookEndpoint(id="s1", url=f"{receiver.base_url}/hooks/otklik", secret=secret)
    async with httpx.AsyncClient() as client:
        first = await deliver(client, sub, EVENT, allow_private=True)
        receiver.statuses = [503]
        retry = await deliver(client, sub, EVENT, allow_private=True)
    assert first.ok and first.status_code == 200 and first.error is None and first.latency_s > 0
    assert not retry.ok and retry.retryable and retry.status_code == 503
    for req in receiver.requests:
        payload = Webhook(secret).verify(req.body, req.headers)
        assert payload["type"] == "alert.raised" and payload["data"]["title"] == "Негатив <b>"
        assert req.headers["webhook-id"] == "evt_01"  # stable across retries
        assert req.headers["content-type"] == "application/json"


async def test_deliver_refuses_loopback_unless_allowed(receiver: Receiver) -> None:
    sub = WebhookEndpoint(id="s1", url=f"{receiver.base_url}/hook", secret=generate_secret())
    async with httpx.AsyncClient() as client:
        refused = await deliver(client, sub, EVENT)
        assert not refused.ok and not refused.retryable and refused.status_code is None
        assert refused.error and "loopback" in refused.error
        assert receiver.requests == []
        allowed = await deliver(client, sub, EVENT, allowlist=["127.0.0.1/32"])
    assert allowed.ok


async def test_deliver_pins_checked_address_and_keeps_host(receiver: Receiver) -> None:
    port = receiver.base_url.rsplit(":", 1)[1]
    sub = WebhookEndpoint(
        id="s1", url=f"http://hooks.customer.test:{port}/in", secret=generate_secret()
    )
    resolver = table_resolver({"hooks.customer.test": ["127.0.0.1"]})
    async with httpx.AsyncClient() as client:
        result = await deliver(client, sub, EVENT, allowlist=["127.0.0.0/8"], resolver=resolver)
        assert result.ok, result.error
        receiver.statuses = [410]
        gone = await deliver(client, sub, EVENT, allowlist=["127.0.0.0/8"], resolver=resolver)
        unknown = WebhookEndpoint(id="s2", url="http://nowhere.test/", secret=generate_secret())
        unresolved = await deliver(client, unknown, EVENT, resolver=resolver)
    assert receiver.requests[0].headers["host"] == f"hooks.customer.test:{port}"
    assert receiver.requests[0].path == "/in"
    assert not gone.ok and gone.status_code == 410 and not gone.retryable
    assert (
        not unresolved.ok and unresolved.retryable and "cannot resolve" in (unresolved.error or "")
    )


def test_subscription_event_filter() -> None:
    sub = WebhookEndpoint(
        id="s",
        url="https://x.example",
        secret=generate_secret(),
        event_types=["alert.*", "sla.changed"],
    )
    assert sub.wants("alert.raised") and sub.wants("sla.changed")
    assert not sub.wants("mention.received") and not sub.wants("alerts")
    assert not sub.model_copy(update={"enabled": False}).wants("sla.changed")
    assert "whsec" not in repr(sub)


def test_retry_schedule() -> None:
    assert [retry_delay(n) for n in range(1, 8)] == list(DEFAULT_SCHEDULE)
    assert retry_delay(8) is None and max_attempts() == 8
    assert DEFAULT_SCHEDULE[0] == timedelta(seconds=5) and DEFAULT_SCHEDULE[-1] == timedelta(
        hours=10
    )
    t = datetime(2025, 1, 1, tzinfo=UTC)
    assert next_attempt_at(t, 2) == t + timedelta(minutes=5)
    custom = parse_schedule([1, 2])
    assert next_attempt_at(t, 3, custom) is None
    with pytest.raises(ValueError):
        parse_schedule([0])
    with pytest.raises(ValueError):
        retry_delay(0)


PUBLIC = "93.184.216.34"
RESOLVER = table_resolver(
    {
        "example.com": [PUBLIC],
        "localhost": ["127.0.0.1", "::1"],
        "mixed.test": [PUBLIC, "10.0.0.5"],
        "metadata.test": ["169.254.169.254"],
    }
)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("gopher://example.com", "scheme 'gopher'"),
        ("example.com/hook", "scheme '(none)'"),
        ("http:///nohost", "no host"),
        ("http://example.com:99999/", "invalid URL"),
        ("http://127.0.0.1/", "loopback"),
        ("http://127.1.2.3:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://metadata.test/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fc00::1]/", "private"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "not globally routable"),
        ("http://[::ffff:127.0.0.1]/", "loopback (IPv4 embedded in IPv6)"),
        ("http://[::ffff:10.0.0.1]/", "private (IPv4 embedded in IPv6)"),
        ("http://[64:ff9b::a9fe:a9fe]/", "link-local (IPv4 embedded in IPv6)"),
        ("http://[2002:7f00:1::]/", "loopback (IPv4 embedded in IPv6)"),
        ("http://mixed.test/", "mixed.test resolves to 10.0.0.5 is private"),
        ("http://unknown.test/", "cannot resolve host 'unknown.test'"),
    ],
)
async def test_ssrf_refusals(url: str, reason: str) -> None:
    check = await check_destination(url, resolver=RESOLVER)
    assert not check.allowed
    assert reason in check.reason, check.reason


async def test_ssrf_allowed_cases() -> None:
    ok = await check_destination("https://example.com/hook", resolver=RESOLVER)
    assert ok.allowed and ok.addresses == (PUBLIC,) and ok.port == 443
    assert (await check_destination(f"http://{PUBLIC}:8080/", resolver=RESOLVER)).allowed
    private = await check_destination("http://10.0.0.1/", allow_private=True)
    assert private.allowed
    assert (
        await check_destination("http://localhost/", allow_private=True, resolver=RESOLVER)
    ).allowed
    assert not (await check_destination("http://0.0.0.0/", allow_private=True)).allowed
    assert not (await check_destination("http://224.0.0.1/", allow_private=True)).allowed
    assert not (await check_destination("ftp://10.0.0.1/", allow_private=True)).allowed
    by_name = await check_destination(
        "http://internal.corp/", allowlist=["Internal.Corp"], resolver=RESOLVER
    )
    assert by_name.allowed and by_name.reason == "host is allowlisted"
    net = await check_destination("http://mixed.test/", allowlist=["10.0.0.0/8"], resolver=RESOLVER)
    assert net.allowed


async def test_default_resolver_localhost() -> None:
    check = await check_destination("http://localhost:1/")
    assert not check.allowed and "loopback" in check.reason


def test_event_body_is_standard_shape() -> None:
    body = json.loads(EVENT.body())
    assert set(body) == {"type", "timestamp", "data"}
