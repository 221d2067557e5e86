"""Pieces every connector shares: cursor codec, dedup memory, item validation, the base
class. Kept apart from `http.py` because they are about platform *data*, not transport."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import ValidationError

from services.ingest.connectors.http import (
    LIMITERS,
    Clock,
    LimiterRegistry,
    PlatformHTTP,
    PlatformHTTPError,
    RetryPolicy,
)
from shared.connector import (
    CallCounts,
    Capability,
    ConnectorError,
    FetchResult,
    ReplyCheck,
    ReplyNotSupported,
    ReplyRequest,
    ReplyResult,
    SourceConfig,
    not_supported,
)
from shared.events import Mention, MentionKind, Product, mention_id_for
from shared.logging import get_logger
from shared.reply_limits import reply_limit

log = get_logger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class FetchPage(FetchResult):
    """A FetchResult that also says how many platform items were unusable.

    A malformed item is skipped instead of failing the page: one broken review must not
    block a source forever. Each skip is logged with its reason when it happens; the
    poller does not read these fields, they tell the page's caller what was left out.
    """

    skipped: int = 0
    skipped_reasons: tuple[str, ...] = field(default_factory=tuple)


class BadItem(ValueError):
    """One platform item is malformed; the page goes on without it."""


class BadResponse(ConnectorError):
    """The platform's answer does not have the documented shape at all.

    Not retryable: a changed contract does not heal by itself; the poller marks the
    source unhealthy and a human looks at the message (it names the missing part).
    """

    def __init__(self, platform: str, where: str, problem: str) -> None:
        super().__init__(f"{platform}: unexpected answer from {where}: {problem}", retryable=False)


# --- field access ------------------------------------------------------------------------


def req(item: Mapping[str, Any], key: str, kind: type[T] | tuple[type, ...]) -> T:
    """A required field of the given type, or BadItem naming it."""
    if key not in item or item[key] is None:
        raise BadItem(f"missing field {key!r}")
    value = item[key]
    if (
        isinstance(value, bool)
        and kind is not bool
        and not (isinstance(kind, tuple) and bool in kind)
    ):
        raise BadItem(f"field {key!r} has type bool")
    if not isinstance(value, kind):
        raise BadItem(f"field {key!r} has type {type(value).__name__}")
    return value  # type: ignore[return-value]


def opt_str(item: Mapping[str, Any], key: str) -> str | None:
    """An optional text field; empty strings become None, non-strings are a bad item."""
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise BadItem(f"field {key!r} has type {type(value).__name__}")
    return value


def opt_dict(item: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = item.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadItem(f"field {key!r} has type {type(value).__name__}")
    return value


def rating_or_none(value: Any) -> int | None:
    """1..5 stars or None (platforms use 0 for 'no rating')."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    stars = int(value)
    return stars if 1 <= stars <= 5 else None


_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_dt(value: Any, what: str = "date") -> datetime:
    """RFC 3339 (any fraction length, `Z` or offset) → aware datetime; naive means UTC."""
    if not isinstance(value, str) or not value:
        raise BadItem(f"{what} is not a date string: {value!r}")
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadItem(f"{what} is not an RFC 3339 date: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def epoch_dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# --- cursors -----------------------------------------------------------------------------


def encode_cursor(state: Mapping[str, Any]) -> str:
    return json.dumps(state, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def decode_cursor(platform: str, cursor: str | None) -> dict[str, Any]:
    """A connector's own JSON cursor; garbage is a non-retryable error, not a silent reset
    (a reset would re-import or skip history without anyone noticing)."""
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError as exc:
        raise ConnectorError(
            f"{platform}: cursor is not valid JSON: {exc}", retryable=False
        ) from exc
    if not isinstance(state, dict):
        raise ConnectorError(f"{platform}: cursor must be a JSON object", retryable=False)
    return state


class SeenMap:
    """What was already emitted: external id → [revision, timestamp].

    Keyed with the revision so an edited item (new text or rating) is emitted again as an
    update of the same mention. Bounded: entries older than a horizon, or beyond `cap`,
    are forgotten (the platform's own date filter keeps those from coming back).
    """

    def __init__(self, raw: Any = None, cap: int = 20000) -> None:
        self.cap = cap
        self.items: dict[str, list[Any]] = {}
        if isinstance(raw, dict):
            for key, value in raw.items():
                if isinstance(value, list) and len(value) == 2:
                    self.items[str(key)] = value

    def is_new(self, mention: Mention) -> bool:
        entry = self.items.get(mention.external_id)
        return entry is None or entry[0] != mention.revision

    def take_new(self, mentions: Iterable[Mention]) -> list[Mention]:
        """The mentions not emitted before (new, or a new revision), now remembered."""
        fresh = [m for m in mentions if self.is_new(m)]
        for m in fresh:
            self.add(m)
        return fresh

    def add(self, mention: Mention) -> None:
        self.items.pop(mention.external_id, None)
        self.items[mention.external_id] = [mention.revision, int(mention.published_at.timestamp())]

    def prune_before(self, ts: float) -> None:
        self.items = {k: v for k, v in self.items.items() if v[1] >= ts}

    def dump(self) -> dict[str, list[Any]]:
        if len(self.items) > self.cap:  # keep the newest (by time, then insertion)
            ordered = sorted(self.items.items(), key=lambda kv: kv[1][1])
            self.items = dict(ordered[-self.cap :])
        return self.items


def fetch_page(
    state: dict[str, Any],
    fresh: list[Mention],
    skipped: list[str],
    *,
    has_more: bool,
    seen: SeenMap | None = None,
) -> FetchPage:
    """What every `fetch` returns: the new mentions, the cursor (with the dedup memory
    under "seen" when given) and the items left out."""
    if seen is not None:
        state["seen"] = seen.dump()
    return FetchPage(
        mentions=fresh,
        next_cursor=encode_cursor(state),
        has_more=has_more,
        skipped=len(skipped),
        skipped_reasons=tuple(skipped),
    )


# --- base class --------------------------------------------------------------------------


class BaseConnector:
    """Common wiring: options, credentials, limiter, HTTP caller and item mapping."""

    platform: str = ""
    #: What this platform's connector can do (checked at registration); a subclass lists
    #: its own, starting from these.
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.call_stats})
    default_base_url: str = ""
    default_rate: float = 1.0
    default_burst: int = 5

    def __init__(
        self,
        config: SourceConfig,
        client: httpx.AsyncClient,
        *,
        limiters: LimiterRegistry | None = None,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.config = config
        self.source_id = config.source_id
        self.options: Mapping[str, Any] = config.options
        if limiters is None:
            limiters = LimiterRegistry(clock) if clock is not None else LIMITERS
        self.clock = clock or limiters.clock
        self.limiters = limiters
        default_rate, default_burst = self.default_limits()
        rate = float(self.options.get("rate_per_s", default_rate))
        burst = int(self.options.get("burst", default_burst))
        limiter = limiters.get(self.platform, self.limiter_account(), rate, burst)
        self.http = PlatformHTTP(
            client,
            platform=self.platform,
            base_url=str(self.options.get("base_url") or self.default_base_url),
            headers=self.auth_headers(),
            limiter=limiter,
            policy=policy or _policy_from(self.options),
            clock=self.clock,
        )

    def method_http(self, method: str, rate: float, burst: int) -> PlatformHTTP:
        """A caller for one method with a quota of its own (Play replies, Market comment
        updates): the same account, base URL, headers and retries as `self.http`, its
        own bucket (`<account>:<method>` in the shared registry). The source's options
        `<method>_rate_per_s` and `<method>_burst` override the documented quota. Its
        calls count in `self.http.stats`, which the poller exports for the source."""
        caller = PlatformHTTP(
            self.http.client,
            platform=self.platform,
            base_url=self.http.base_url,
            headers=self.auth_headers(),
            limiter=self.limiters.get(
                self.platform,
                f"{self.limiter_account()}:{method}",
                float(self.options.get(f"{method}_rate_per_s", rate)),
                int(self.options.get(f"{method}_burst", burst)),
            ),
            policy=self.http.policy,
            clock=self.clock,
        )
        caller.stats = self.http.stats
        return caller

    # hooks
    def auth_headers(self) -> dict[str, str]:
        return {}

    def default_limits(self) -> tuple[float, int]:
        """The documented rate and burst for this source, unless its options say
        `rate_per_s` / `burst` (WB: lower for a basic token)."""
        return self.default_rate, self.default_burst

    def limiter_account(self) -> str:
        """Which budget this source draws from: by default its source id."""
        return self.source_id

    def credential(self, name: str) -> str:
        value = self.config.credentials.get(name)
        if not value:
            raise ConnectorError(
                f"{self.platform} source {self.source_id!r}: credential {name!r} is not set",
                retryable=False,
            )
        return value

    def option(self, name: str) -> Any:
        value = self.options.get(name)
        if value is None or value == "":
            raise ConnectorError(
                f"{self.platform} source {self.source_id!r}: option {name!r} is not set",
                retryable=False,
            )
        return value

    def mention(
        self,
        *,
        external_id: str,
        kind: MentionKind,
        text: str,
        published_at: datetime,
        pros: str | None = None,
        cons: str | None = None,
        rating: int | None = None,
        author: str | None = None,
        product: Product | None = None,
        url: str | None = None,
        language_hint: str | None = None,
        answered: bool = False,
        supplements: str | None = None,
    ) -> Mention:
        return Mention(
            mention_id=mention_id_for(self.platform, external_id),
            platform=self.platform,
            source_id=self.source_id,
            external_id=external_id,
            kind=kind,
            text=text,
            pros=pros,
            cons=cons,
            rating=rating,
            author=author[:200] if author else None,
            product=product or Product(),
            url=url,
            published_at=published_at,
            language_hint=language_hint[:8] if language_hint else None,
            answered=answered,
            supplements=supplements,
        )

    def map_items(
        self, items: Iterable[Any], convert: Callable[[Mapping[str, Any]], Mention]
    ) -> tuple[list[Mention], list[str]]:
        """Convert platform items, skipping (and logging) the malformed ones."""
        mentions: list[Mention] = []
        skipped: list[str] = []
        for index, item in enumerate(items):
            ident = item.get("id", index) if isinstance(item, dict) else index
            try:
                if not isinstance(item, dict):
                    raise BadItem(f"item is a {type(item).__name__}, not an object")
                mentions.append(convert(item))
            except (BadItem, ValidationError, ValueError, TypeError) as exc:
                reason = f"item {ident!r}: {_short(exc)}"
                skipped.append(reason)
                log.warning(
                    "skipping a malformed item",
                    platform=self.platform,
                    source_id=self.source_id,
                    reason=reason,
                )
        return mentions, skipped

    @not_supported
    async def post_reply(self, request: ReplyRequest) -> ReplyResult:
        raise ReplyNotSupported(self.platform)

    @not_supported
    async def confirm_reply(self, request: ReplyRequest) -> bool:
        raise ReplyNotSupported(self.platform)

    def call_stats(self) -> CallCounts:
        stats = self.http.stats
        return CallCounts(throttled=stats.throttled, limiter_wait_s=stats.limiter_wait_s)

    def credential_expires_at(self) -> datetime | None:
        """When the source's credential stops working, where the credential says so."""
        return None

    def credential_warning(self, now: datetime) -> str | None:
        """A reason to renew the credential soon (shown on the source), or None."""
        expires = self.credential_expires_at()
        if expires is None:
            return None
        days = float(self.options.get("token_warn_days", 14))
        left = expires - now
        if left.total_seconds() > days * 86400:
            return None
        when = expires.strftime("%Y-%m-%d %H:%M UTC")
        if left.total_seconds() <= 0:
            return f"{self.platform}: the API token expired on {when}: issue a new one"
        return (
            f"{self.platform}: the API token expires on {when} (in {left.days} d "
            f"{left.seconds // 3600} h): issue a new one before then"
        )

    async def missing_ids(self, kind: MentionKind, external_ids: list[str]) -> set[str] | None:
        """Which of these items the platform no longer has (deleted by the customer or the
        platform); None where the platform cannot be asked (monitors, feeds)."""
        return None

    async def check_reply(self, request: ReplyRequest) -> ReplyCheck:
        """What the platform shows of our answer; platforms with moderation states say
        more than shown / not shown."""
        return ReplyCheck("published" if await self.confirm_reply(request) else "missing")

    async def aclose(self) -> None:
        """The httpx client is shared and owned by ingest: nothing to close here."""

    def refusal(self, exc: PlatformHTTPError, what: str = "review") -> PlatformHTTPError:
        """A platform's 4xx answer to a reply, worded for the person who wrote the reply
        (it travels in `replies.failed`). Rejected credentials keep their own message."""
        if exc.status == 401:
            return exc
        if exc.status == 404:
            message = (
                f"{self.platform}: the {what} no longer exists "
                "(deleted by its author or by the platform)"
            )
        else:
            message = f"{self.platform} refused the reply: {exc.detail}"
        return PlatformHTTPError(
            message, status=exc.status, detail=exc.detail, body=exc.body, retryable=False
        )

    def check_reply_length(self, text: str, kind: MentionKind) -> None:
        """The platform's length limits (`shared.reply_limits`, the lint's too)."""
        limit = reply_limit(self.platform)
        low, high = limit.bounds_for(kind.value)
        size = limit.measure(text)
        if size < low or (high is not None and size > high):
            unit = "bytes" if limit.length_unit == "bytes" else "characters"
            accepts = f"{low}..{high}" if high is not None else f"at least {low}"
            raise ConnectorError(
                f"{self.platform}: reply is {size} {unit}; the platform accepts {accepts}",
                retryable=False,
            )


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        return f"invalid {loc}: {first.get('msg')}"
    return str(exc)


def _policy_from(options: Mapping[str, Any]) -> RetryPolicy:
    spec = options.get("retry")
    if isinstance(spec, dict):
        return RetryPolicy(**spec)
    return RetryPolicy()


def require_list(platform: str, where: str, body: Any, *path: str) -> list[Any]:
    """Walk `path` into a JSON body; the value must be a list (None counts as empty)."""
    node = body
    trail = ""
    for key in path:
        trail = f"{trail}.{key}" if trail else key
        if not isinstance(node, dict):
            raise BadResponse(
                platform, where, f"{trail.rsplit('.', 1)[0] or 'body'} is not an object"
            )
        if key not in node:
            raise BadResponse(platform, where, f"{trail!r} is missing")
        node = node[key]
    if node is None:
        return []
    if not isinstance(node, list):
        raise BadResponse(platform, where, f"{trail!r} is a {type(node).__name__}, not a list")
    return node
