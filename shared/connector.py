"""The one contract every platform integration implements, and a small registry.

Ingest knows only these protocols; each platform (Wildberries, Ozon, Yandex Market, HTML
monitors, feeds, app stores, the demo source) is a module under
`services/ingest/connectors/` registered by its platform name.

Every connector fetches (`Connector`). What it can do beyond that is a `Capability` it
declares in `capabilities`, each with a small protocol: replying, editing, answering
questions, reading an answer back in detail (`check`), hiding unmoderated answers,
walking its history for a date range, telling deleted items, reporting its HTTP call
statistics, knowing when its credential expires. `register` checks a connector's
declaration against its methods when the module is imported, and callers reach a
capability only through its accessor (`replying(connector)`, ...), never by probing
attributes: what a connector says it can do is what ingest uses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
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


class Capability(StrEnum):
    """What a connector can do beyond fetching; declared in its `capabilities`."""

    #: `Replying`: post an answer and read it back (shown or not).
    reply = "reply"
    #: Replaces its earlier answer when asked (`ReplyRequest.edit`); needs `reply`.
    edit = "edit"
    #: Answers questions as well as reviews; needs `reply`.
    questions = "questions"
    #: `ReplyChecking`: says published / pending / rejected / missing; needs `reply`.
    check = "check"
    #: Lists an answer only after moderation and a post has no idempotency: after a lost
    #: answer, "not shown" does not mean "not posted" (Ozon); needs `reply`.
    hides_unmoderated = "hides_unmoderated"
    #: `HistoryWalking`: its own walk over a date range (a history import).
    history = "history"
    #: `DeletionChecking`: tells which items the platform no longer has.
    deletions = "deletions"
    #: `CallStatsReporting`: throttled answers and limiter waits of its HTTP calls.
    call_stats = "call_stats"
    #: `CredentialExpiring`: when its credential stops working.
    credential_expiry = "credential_expiry"


@runtime_checkable
class Connector(Protocol):
    """A platform integration.

    `fetch` must be restartable from any cursor it returned (at-least-once: a page may be
    fetched again after a crash; mention ids make that harmless).
    """

    platform: str
    source_id: str

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    async def fetch(self, cursor: str | None) -> FetchResult: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class Replying(Protocol):
    """`post_reply` must be safe to call once per reply id (the caller checks its own
    record first); `confirm_reply` reads the platform back: is the answer there?"""

    async def post_reply(self, request: ReplyRequest) -> ReplyResult: ...

    async def confirm_reply(self, request: ReplyRequest) -> bool: ...


@runtime_checkable
class ReplyChecking(Protocol):
    """What the platform shows of our answer, moderation states included."""

    async def check_reply(self, request: ReplyRequest) -> ReplyCheck: ...


@dataclass(frozen=True)
class HistoryStart:
    cursor: str | None
    #: The walk starts at the range's first day and stops past its last (else it reads
    #: every page and the caller keeps what lies inside the range).
    by_date: bool


@runtime_checkable
class HistoryWalking(Protocol):
    """How a history import walks this platform: where to start, when to stop."""

    def history_start(
        self, start: datetime, end: datetime, *, include_answered: bool
    ) -> HistoryStart:
        """The first cursor of a walk over `start` (inclusive) .. `end` (exclusive); `end`
        for a platform whose filter needs both bounds (Yandex Market's windows)."""
        ...

    def history_next(
        self, page: FetchResult, end: datetime, *, include_answered: bool
    ) -> tuple[str | None, bool]:
        """The cursor after `page` and whether to fetch it."""
        ...


@runtime_checkable
class DeletionChecking(Protocol):
    async def missing_ids(self, kind: MentionKind, external_ids: list[str]) -> set[str] | None:
        """Which of these items the platform no longer has; None: cannot tell now."""
        ...


@dataclass(frozen=True)
class CallCounts:
    """Totals since the connector was made; the poller exports the increase."""

    throttled: int = 0
    limiter_wait_s: float = 0.0


@runtime_checkable
class CallStatsReporting(Protocol):
    def call_stats(self) -> CallCounts: ...


@runtime_checkable
class CredentialExpiring(Protocol):
    def credential_expires_at(self) -> datetime | None:
        """When the credential stops working (may raise ConnectorError if unreadable)."""
        ...

    def credential_warning(self, now: datetime) -> str | None:
        """A reason to renew the credential soon (shown on the source), or None."""
        ...


#: The protocol each capability needs implemented (the others are declarations only).
PROTOCOLS: dict[Capability, type] = {
    Capability.reply: Replying,
    Capability.check: ReplyChecking,
    Capability.history: HistoryWalking,
    Capability.deletions: DeletionChecking,
    Capability.call_stats: CallStatsReporting,
    Capability.credential_expiry: CredentialExpiring,
}
#: Capabilities that mean nothing without `reply`.
NEEDS_REPLY = frozenset(
    {Capability.edit, Capability.questions, Capability.check, Capability.hides_unmoderated}
)


class ConnectorContractError(TypeError):
    """A connector declares a capability it does not implement (raised at import)."""


def not_supported(method: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a base class's refusing default: it does not count as an implementation."""
    method.__not_supported__ = True  # type: ignore[attr-defined]
    return method


def protocol_methods(protocol: type) -> list[str]:
    return sorted(
        name for name, value in vars(protocol).items() if callable(value) and name[0] != "_"
    )


def contract_problems(cls: type) -> list[str]:
    """What is wrong with a connector class's declaration (empty: nothing)."""
    declared = getattr(cls, "capabilities", None)
    if not isinstance(declared, frozenset) or not all(isinstance(c, Capability) for c in declared):
        return ["`capabilities` must be a frozenset of Capability"]
    problems: list[str] = []
    for capability in sorted(declared):
        protocol = PROTOCOLS.get(capability)
        if protocol is not None:
            missing = [
                name
                for name in protocol_methods(protocol)
                if not callable(method := getattr(cls, name, None))
                or getattr(method, "__not_supported__", False)
            ]
            if missing:
                problems.append(
                    f"declares {capability} but does not implement {', '.join(missing)}"
                )
        if capability in NEEDS_REPLY and Capability.reply not in declared:
            problems.append(f"declares {capability} but not {Capability.reply}")
    return problems


def _has(connector: Connector, capability: Capability) -> bool:
    return capability in connector.capabilities


def replying(connector: Connector) -> Replying | None:
    """The connector as a replier, if it declares `reply`."""
    if _has(connector, Capability.reply) and isinstance(connector, Replying):
        return connector
    return None


def reply_checking(connector: Connector) -> ReplyChecking | None:
    if _has(connector, Capability.check) and isinstance(connector, ReplyChecking):
        return connector
    return None


def history_walking(connector: Connector) -> HistoryWalking | None:
    if _has(connector, Capability.history) and isinstance(connector, HistoryWalking):
        return connector
    return None


def deletion_checking(connector: Connector) -> DeletionChecking | None:
    if _has(connector, Capability.deletions) and isinstance(connector, DeletionChecking):
        return connector
    return None


def call_stats_reporting(connector: Connector) -> CallStatsReporting | None:
    if _has(connector, Capability.call_stats) and isinstance(connector, CallStatsReporting):
        return connector
    return None


def credential_expiring(connector: Connector) -> CredentialExpiring | None:
    if _has(connector, Capability.credential_expiry) and isinstance(connector, CredentialExpiring):
        return connector
    return None


def hides_unmoderated(connector: Connector) -> bool:
    return _has(connector, Capability.hides_unmoderated)


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
    """The connector's own detailed check where it declares `check`; otherwise
    `confirm_reply` (shown or not). ReplyNotSupported for a monitor-only connector."""
    checking = reply_checking(connector)
    if checking is not None:
        return await checking.check_reply(request)
    replier = replying(connector)
    if replier is None:
        raise ReplyNotSupported(connector.platform)
    return ReplyCheck("published" if await replier.confirm_reply(request) else "missing")


#: Builds a connector from its config and the shared HTTP client (made once by ingest).
ConnectorFactory = Callable[[SourceConfig, "httpx.AsyncClient"], Connector]

_REGISTRY: dict[str, ConnectorFactory] = {}


def register(platform: str) -> Callable[[ConnectorFactory], ConnectorFactory]:
    """Register a factory; the connector class it is annotated to return is checked:
    every declared capability must be implemented (ConnectorContractError otherwise)."""

    def decorator(factory: ConnectorFactory) -> ConnectorFactory:
        check_connector_class(platform, connector_class_of(platform, factory))
        _REGISTRY[platform] = factory
        return factory

    return decorator


def connector_class_of(platform: str, factory: ConnectorFactory) -> type:
    """The class a factory is annotated to return: what the registry checks."""
    made = getattr(factory, "__annotations__", {}).get("return")
    try:
        if isinstance(made, str):  # postponed annotations: resolved where the factory lives
            made = eval(made, getattr(factory, "__globals__", {}))
    except NameError as exc:
        raise ConnectorContractError(
            f"connector {platform!r}: the factory's return type cannot be read ({exc})"
        ) from None
    if not isinstance(made, type):
        raise ConnectorContractError(
            f"connector {platform!r}: annotate the factory with the connector class it makes"
        )
    return made


def check_connector_class(platform: str, cls: type) -> None:
    problems = contract_problems(cls)
    if problems:
        raise ConnectorContractError(
            f"connector {platform!r} ({cls.__name__}): " + "; ".join(problems)
        )


def factory_for(platform: str) -> ConnectorFactory:
    try:
        return _REGISTRY[platform]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"unknown platform {platform!r} (known: {known})") from None


def registered_platforms() -> list[str]:
    return sorted(_REGISTRY)
