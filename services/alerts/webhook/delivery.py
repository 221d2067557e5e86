"""One outbound webhook delivery: check the destination, sign, POST, record the result.

The body follows the Standard Webhooks payload shape ({"type", "timestamp", "data"}) and
the `webhook-id` is the event id, stable across retries, so consumers can de-duplicate.
The connection goes to the address the SSRF guard checked (the URL host is kept for the
Host header and TLS SNI/certificate check), so a DNS answer that changes between check
and connect (DNS rebinding) cannot redirect the request. Redirects are not followed.
Use a client built with `trust_env=False`: an environment proxy would bypass the pinning.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.alerts.ssrf import Resolver, check_destination, pinned_target
from services.alerts.webhook.signing import sign_headers, validate_secret

USER_AGENT = "Otklik-Webhooks/1"
RESPONSE_EXCERPT = 500


class WebhookEndpoint(BaseModel):
    """A subscriber as delivery sees it: where to POST, how to sign, which events it wants."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=128)
    url: str = Field(min_length=1, max_length=2000)
    secret: str = Field(repr=False)
    #: Exact types, prefixes ("mention.*") or "*" for everything.
    event_types: list[str] = Field(default_factory=lambda: ["*"])
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("url must be http(s)")
        return value

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str) -> str:
        return validate_secret(value)

    def wants(self, event_type: str) -> bool:
        if not self.enabled:
            return False
        for pattern in self.event_types:
            if pattern in ("*", event_type):
                return True
            if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
                return True
        return False


class WebhookEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Becomes `webhook-id`: the same for every retry and redelivery of this event.
    id: str = Field(min_length=1, max_length=256)
    type: str = Field(min_length=1, max_length=128)
    occurred_at: datetime
    data: dict[str, Any] = Field(default_factory=dict)

    def body(self) -> str:
        payload = {"type": self.type, "timestamp": self.occurred_at.isoformat(), "data": self.data}
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class DeliveryAttempt:
    ok: bool
    status_code: int | None
    latency_s: float
    error: str | None
    retryable: bool
    webhook_id: str
    attempted_at: datetime
    response_excerpt: str = ""


async def deliver(
    client: httpx.AsyncClient,
    subscription: WebhookEndpoint,
    event: WebhookEvent,
    *,
    allow_private: bool = False,
    allowlist: Iterable[str] = (),
    resolver: Resolver | None = None,
    timeout_s: float = 10.0,
    now: datetime | None = None,
) -> DeliveryAttempt:
    """POST the signed event to the subscription; never raises for delivery failures."""
    attempted_at = now or datetime.now(UTC)
    started = time.perf_counter()

    def failed(
        error: str, *, retryable: bool, status: int | None = None, excerpt: str = ""
    ) -> DeliveryAttempt:
        return DeliveryAttempt(
            ok=False,
            status_code=status,
            latency_s=time.perf_counter() - started,
            error=error,
            retryable=retryable,
            webhook_id=event.id,
            attempted_at=attempted_at,
            response_excerpt=excerpt,
        )

    check = await check_destination(
        subscription.url, allow_private=allow_private, allowlist=allowlist, resolver=resolver
    )
    if not check.allowed:
        # An unresolvable name may come back; a refused address will not.
        return failed(check.reason, retryable=check.reason.startswith("cannot resolve"))
    body = event.body()
    url, extra_headers, extensions = pinned_target(subscription.url, check)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **sign_headers(subscription.secret, event.id, body, attempted_at),
        **extra_headers,
    }
    request = client.build_request(
        "POST",
        url,
        content=body.encode(),
        headers=headers,
        timeout=timeout_s,
        extensions=extensions,
    )
    try:
        response = await client.send(request, follow_redirects=False)
    except httpx.HTTPError as exc:
        return failed(f"{type(exc).__name__}: {exc}"[:300], retryable=True)
    excerpt = response.text[:RESPONSE_EXCERPT]
    if 200 <= response.status_code < 300:
        return DeliveryAttempt(
            ok=True,
            status_code=response.status_code,
            latency_s=time.perf_counter() - started,
            error=None,
            retryable=False,
            webhook_id=event.id,
            attempted_at=attempted_at,
            response_excerpt=excerpt,
        )
    # 410 Gone is the consumer saying "stop"; everything else may be a transient outage.
    return failed(
        f"HTTP {response.status_code}",
        retryable=response.status_code != 410,
        status=response.status_code,
        excerpt=excerpt,
    )
