"""The one HTTP caller every platform connector goes through.

Platforms throttle per seller account and fail in the same few ways (429/420, 5xx,
timeouts, truncated JSON), so rate limiting, retries and error classification live here
once: a connector only says *what* to call and how to read the answer.
Secrets (auth headers, tokens) are never logged and never put into error messages.
"""

from __future__ import annotations

import email.utils
import hashlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import httpx

from shared.connector import ConnectorError
from shared.logging import get_logger
from shared.rate import SYSTEM_CLOCK, Clock, SystemClock, TokenBucket
from shared.retry import RetryPolicy as _RetryPolicy

log = get_logger(__name__)

__all__ = [
    "SYSTEM_CLOCK",
    "CallStats",
    "Clock",
    "LimiterRegistry",
    "OutcomeUnknown",
    "PlatformHTTP",
    "PlatformHTTPError",
    "RetryPolicy",
    "SystemClock",
    "TokenBucket",
    "error_detail",
    "parse_retry_after",
]

#: HTTP statuses a platform uses to say "slow down" (Yandex Market answers 420).
THROTTLE_STATUSES = frozenset({420, 429})


class LimiterRegistry:
    """Buckets keyed per platform account, so every connector of one seller account
    (and every method: WB counts feedbacks and questions together) shares one budget.

    One registry per process (`LIMITERS`) serves the live pollers, the reply poster and
    the backfills the service runs, so together they never pass the platform's rate.
    A source asking for another rate for an account changes the one bucket in place
    (its holders keep sharing it) instead of making a second one.
    """

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def get(self, platform: str, account: str, rate: float, burst: int) -> TokenBucket:
        # The account secret is hashed: registry keys show up in debuggers and dumps.
        key = f"{platform}:{hashlib.sha256(account.encode()).hexdigest()[:16]}"
        bucket = self._buckets.get(key)
        if bucket is None:
            headroom = 1 if burst >= 3 else 0
            bucket = self._buckets[key] = TokenBucket(rate, burst, self.clock, headroom)
        elif bucket.rate != rate or bucket.burst != burst:
            bucket.configure(rate, burst)
        return bucket


#: Process-wide registry used by the registered factories.
LIMITERS = LimiterRegistry()


@dataclass(frozen=True)
class RetryPolicy(_RetryPolicy):
    """A platform call's retries (full jitter), bounded in total time as well."""

    #: Give up (retryable) rather than wait past this many seconds in one call.
    max_total: float = 120.0
    #: Per-request timeout (connect + read).
    timeout: float = 30.0


@dataclass
class CallStats:
    """Counters a poller can export as metrics."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    limiter_wait_s: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)


class PlatformHTTPError(ConnectorError):
    """A platform answered with an error status; `detail` is its own error text."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        detail: str,
        body: Any,
        retryable: bool,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable, retry_after=retry_after)
        self.status = status
        self.detail = detail
        self.body = body


class OutcomeUnknown(ConnectorError):
    """A non-idempotent call failed in a way that leaves open whether the platform acted.

    Retryable, but only after reading the platform back (never by resending blindly).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


def parse_retry_after(
    headers: Mapping[str, str], now: float | None = None, *, throttled: bool = True
) -> float | None:
    """Seconds to wait from `X-Ratelimit-Retry` (WB), `Retry-After` (seconds or HTTP date)
    or Yandex's `X-RateLimit-Resource-Until` (RFC 822 date).

    Yandex sends `-Until` on *every* answer (when the hourly quota window resets), so it
    means "wait until then" only on a throttled answer (`throttled`), never on a 5xx.
    """
    now = time.time() if now is None else now
    names = ["x-ratelimit-retry", "retry-after"]
    if throttled:
        names.append("x-ratelimit-resource-until")
    for name in names:
        raw = headers.get(name)
        if not raw:
            continue
        raw = raw.strip()
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - now)
    return None


def error_detail(body: Any, text: str) -> str:
    """The platform's own error message, whichever of the known shapes it uses."""
    if isinstance(body, dict):
        parts: list[str] = []
        for key in ("errorText", "title", "detail", "message"):  # WB, WB problem+json, Ozon
            value = body.get(key)
            if isinstance(value, str) and value and value not in parts:
                parts.append(value)
        if isinstance(body.get("code"), int | str) and "message" in body:  # Ozon code
            parts.insert(0, f"code {body['code']}")
        errors = body.get("errors")  # Yandex / Apple
        if isinstance(errors, list):
            for err in errors[:3]:
                if isinstance(err, dict):
                    code, msg = err.get("code"), err.get("message") or err.get("detail")
                    parts.append(f"{code}: {msg}" if code else str(msg))
        google = body.get("error")  # Google
        if isinstance(google, dict) and isinstance(google.get("message"), str):
            parts.append(google["message"])
        if parts:
            return "; ".join(parts)[:500]
    return text.strip()[:300] or "(empty body)"


class PlatformHTTP:
    """Calls one platform account: rate limited, retried, errors classified.

    Retries 429/420/5xx, timeouts, transport errors and unparsable JSON with exponential
    backoff and full jitter, waiting at least what `Retry-After`/`X-Ratelimit-Retry`
    asks. Gives up after `policy.max_attempts` or when the next wait would pass
    `policy.max_total`, raising ConnectorError(retryable=True) with the last
    `retry_after`; any other 4xx raises PlatformHTTPError(retryable=False) at once.

    A call that is not idempotent (creating a reply) is retried only when the platform
    surely did not act on it (a throttled answer, a refused connection). After a 5xx, a
    read timeout or a garbled 2xx the platform may have acted, so it raises
    `OutcomeUnknown` instead: resending could post the answer twice; the reply poster
    reads the platform back before any new attempt.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        platform: str,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        limiter: TokenBucket | None = None,
        policy: RetryPolicy | None = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self._headers = dict(headers or {})
        self.limiter = limiter
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.rng = rng or random.Random()
        self.wall_clock = wall_clock
        self.stats = CallStats()

    def __repr__(self) -> str:  # never show headers
        return f"PlatformHTTP({self.platform!r}, {self.base_url!r})"

    def set_header(self, name: str, value: str) -> None:
        """Replace one header of every later call (a refreshed OAuth token)."""
        self._headers[name] = value

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        parse_json: bool = True,
        idempotent: bool = True,
        follow_redirects: bool = False,
    ) -> tuple[httpx.Response, Any]:
        """Send with retries; return the response and its parsed JSON (None when the body
        is empty or `parse_json` is false)."""
        policy = self.policy
        deadline = self.clock.monotonic() + policy.max_total
        what = f"{self.platform} {method} {path}"
        last_error = "no attempt made"
        last_retry_after: float | None = None
        for attempt in range(policy.max_attempts):
            if self.limiter is not None:
                waited = await self.limiter.acquire()
                self.stats.limiter_wait_s += waited
            retry_after: float | None = None
            #: The platform may have acted on this attempt (not so for a refused connection
            #: or a throttled answer).
            maybe_done = True
            self.stats.requests += 1
            try:
                response = await self.client.request(
                    method,
                    self.url(path),
                    params=params,
                    json=json_body,
                    data=form,
                    headers=self._headers,
                    timeout=policy.timeout,
                    follow_redirects=follow_redirects,
                )
            except httpx.TimeoutException as exc:
                maybe_done = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                last_error = f"timed out after {policy.timeout:g}s ({type(exc).__name__})"
            except httpx.TransportError as exc:
                maybe_done = not isinstance(exc, httpx.ConnectError)
                last_error = f"transport error: {type(exc).__name__}: {exc}"
            else:
                status = response.status_code
                self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
                body: Any = None
                if response.content and (parse_json or status >= 400):
                    try:
                        body = response.json()
                    except ValueError:
                        if status < 400:
                            last_error = f"invalid JSON in HTTP {status} answer"
                            body = _INVALID
                        else:
                            body = None
                if status < 400 and body is not _INVALID:
                    return response, body
                if status < 400:
                    pass  # invalid JSON: retry below
                elif status in THROTTLE_STATUSES or status >= 500 or status == 408:
                    throttled = status in THROTTLE_STATUSES
                    if throttled:
                        self.stats.throttled += 1
                    if throttled or status == 408:  # refused before acting
                        maybe_done = False
                    retry_after = parse_retry_after(
                        response.headers, self.wall_clock(), throttled=throttled
                    )
                    last_retry_after = retry_after
                    last_error = f"HTTP {status}: {error_detail(body, response.text)}"
                else:
                    detail = error_detail(body, response.text)
                    message = f"{what} failed: HTTP {status}: {detail}"
                    if status == 401:
                        message = (
                            f"{self.platform} rejected the source's credentials (HTTP 401: "
                            f"{detail}); check the token/keys configured for this source"
                        )
                    raise PlatformHTTPError(
                        message,
                        status=status,
                        detail=detail,
                        body=body,
                        retryable=False,
                    )
            if not idempotent and maybe_done:
                raise OutcomeUnknown(
                    f"{what}: the platform may or may not have done it ({last_error}); "
                    "not resent blindly"
                )
            if attempt + 1 >= policy.max_attempts:
                break
            delay = policy.delay(attempt + 1, self.rng)
            if retry_after is not None:
                delay = max(delay, retry_after)
            if self.clock.monotonic() + delay > deadline:
                last_error += (
                    f" (next wait {delay:.1f}s would pass the {policy.max_total:g}s budget)"
                )
                break
            self.stats.retries += 1
            log.warning(
                "request failed; retrying",
                what=what,
                attempt=attempt + 1,
                max_attempts=policy.max_attempts,
                error=last_error,
                retry_in_s=round(delay, 2),
            )
            await self.clock.sleep(delay)
        raise ConnectorError(
            f"{what} failed after retries: {last_error}",
            retryable=True,
            retry_after=last_retry_after,
        )

    async def get_json(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        return (await self.request("GET", path, params=params))[1]

    async def post_json(
        self, path: str, body: Any, *, params: Mapping[str, Any] | None = None
    ) -> Any:
        return (await self.request("POST", path, params=params, json_body=body))[1]


_INVALID: Any = object()
