"""The one contract every platform integration implements, and a small registry.

Ingest's poller knows only this protocol; each platform (Wildberries, Ozon, Yandex
Market, HTML monitors, feeds, app stores, the demo source) is a module under
`services/ingest/connectors/` registered by its platform name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from shared.events import Mention, MentionKind

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class FetchResult:
    """One page of mentions and the cursor to resume after it.

    The poller advances the stored cursor to `next_cursor` only after every mention of
    `mentions` is acknowledged by Kafka; `has_more` asks for the next page at once.
    """

    mentions: Sequence[Mention]
    next_cursor: str | None
    has_more: bool = False


def answer_digest(text: str) -> str:
    """How our own answers are recognised on the platform: sha256 of the stripped text."""
    return hashlib.sha256(text.strip().encode()).hexdigest()


@dataclass(frozen=True)
class ReplyRequest:
    reply_id: str
    external_id: str
    kind: MentionKind
    text: str
    edit: bool = False
    #: Digests (`answer_digest`) of the answers we posted to this item before: a seller
    #: answer on the platform that is none of them was written elsewhere (the cabinet).
    own_answers: frozenset[str] = frozenset()

    def is_own(self, text: str) -> bool:
        return answer_digest(text) in self.own_answers


#: What a platform shows of an answer we posted: shown; held in moderation; rejected by
#: moderation; not there at all.
ReplyState = Literal["published", "pending", "rejected", "missing"]


@dataclass(frozen=True)
class ReplyCheck:
    state: ReplyState
    #: The platform's words (a rejection reason), for the person who wrote the reply.
    detail: str = ""


@dataclass(frozen=True)
class ReplyResult:
    external_reply_id: str | None
    published_at: datetime


class ConnectorError(Exception):
    """A platform call failed. `retryable` says whether trying later can help."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class ReplyNotSupported(ConnectorError):
    """Monitor-only sources (HTML pages, feeds) cannot answer."""

    def __init__(self, platform: str) -> None:
        super().__init__(f"{platform} is monitor-only: replies are not supported", retryable=False)


class AlreadyAnswered(ConnectorError):
    """The item already carries the seller's answer on the platform (written in the
    seller's cabinet or by another tool) and the reply is not an explicit edit.

    Its own kind, so callers never have to guess it from the message: posting would put
    a second public answer under the review, or (an upsert) overwrite a person's answer.
    """

    def __init__(self, platform: str, what: str = "review", detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"{platform}: the {what} is already answered on the platform{extra}; "
            "our reply was not posted. Approve it as an edit to replace that answer",
            retryable=False,
        )
        self.platform = platform


@runtime_checkable
class Connector(Protocol):
    """A platform integration.

    `fetch` must be restartable from any cursor it returned (at-least-once: a page may be
    fetched again after a crash; mention ids make that harmless). `post_reply` must be
    safe to call once per reply id; the caller checks its own record first.
    `confirm_reply` reads the platform back to check the answer is really there.
    """

    platform: str
    source_id: str
    can_reply: bool

    async def fetch(self, cursor: str | None) -> FetchResult: ...

    async def post_reply(self, request: ReplyRequest) -> ReplyResult: ...

    async def confirm_reply(self, request: ReplyRequest) -> bool: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class SourceConfig:
    """One configured source: which platform, its credentials and its options."""

    source_id: str
    platform: str
    poll_interval_s: float = 60.0
    enabled: bool = True
    options: Mapping[str, Any] = field(default_factory=dict)
    credentials: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # never print credentials
        return (
            f"SourceConfig(source_id={self.source_id!r}, platform={self.platform!r}, "
            f"credentials=<{len(self.credentials)} hidden>)"
        )


async def check_reply(connector: Connector, request: ReplyRequest) -> ReplyCheck:
    """The connector's own moderation-aware `check_reply` where it has one; otherwise
    `confirm_reply` (shown or not)."""
    own = getattr(connector, "check_reply", None)
    if own is not None:
        result: ReplyCheck = await own(request)
        return result
    return ReplyCheck("published" if await connector.confirm_reply(request) else "missing")


#: Builds a connector from its config and the shared HTTP client (made once by ingest).
ConnectorFactory = Callable[[SourceConfig, "httpx.AsyncClient"], Connector]

_REGISTRY: dict[str, ConnectorFactory] = {}


def register(platform: str) -> Callable[[ConnectorFactory], ConnectorFactory]:
    def decorator(factory: ConnectorFactory) -> ConnectorFactory:
        _REGISTRY[platform] = factory
        return factory

    return decorator


def factory_for(platform: str) -> ConnectorFactory:
    try:
        return _REGISTRY[platform]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"unknown platform {platform!r} (known: {known})") from None


def registered_platforms() -> list[str]:
    return sorted(_REGISTRY)
