"""What a notification channel is, and the one registry of channels.

A channel module declares itself once with `register(ChannelSpec(...))`: its kind (the
outbox's `channel` column), the contact key a person's directory entry uses and what a
target must look like, whether the target is an outbound URL, and how to build it from
the shared transports. The directory's `Contacts` schema, the destinations of a person
and the sending all read this registry, so adding a channel is one module (plus its
test) in this package: the package imports every module in it.

A URL target is checked against the SSRF policy before every send (the dispatcher checks
each destination once per wave, just before its concurrent sends) and the channel is
built with the check's result (`pin`), so it connects to the address that was approved:
a builder of a URL channel never sees an unchecked URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field

from services.alerts.ssrf import DestinationCheck


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
    """Sends one notification; never raises for delivery problems (failures are data)."""

    name: str

    async def send(self, notification: Notification) -> DeliveryResult: ...


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


@dataclass(frozen=True)
class Transports:
    """What channels are built with: made once from the settings."""

    client: httpx.AsyncClient
    timeout_s: float = 10.0
    telegram_token: str | None = field(default=None, repr=False)
    telegram_base_url: str = "https://api.telegram.org"
    smtp: SmtpSettings | None = None
    #: The SSRF policy every URL target passes before each send (or wave of sends).
    allow_private: bool = False
    allowlist: tuple[str, ...] = ()


#: (target, transports, the SSRF check of a URL target or None) → the channel, or None
#: when its transport is not configured.
Builder = Callable[[str, Transports, DestinationCheck | None], Channel | None]


def always(transports: Transports) -> bool:
    return True


@dataclass(frozen=True)
class ChannelSpec:
    kind: str
    #: The key in a person's `contacts`, and what its value must look like.
    contact_key: str
    pattern: str
    build: Builder
    max_length: int = 2000
    #: The target is a URL: SSRF-checked before each send (or wave), the channel pinned to it.
    outbound_url: bool = False
    #: Whether the shared transports can send it (a bot token, an SMTP server).
    configured: Callable[[Transports], bool] = always
    #: Order in which a person's channels are tried (lower first).
    order: int = 100
    #: Earlier names still read: kinds in stored outbox rows, keys in stored directories.
    former_kinds: tuple[str, ...] = ()
    former_keys: tuple[str, ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.kind, *self.former_kinds)

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.contact_key, *self.former_keys)


_REGISTRY: dict[str, ChannelSpec] = {}


def register(spec: ChannelSpec) -> ChannelSpec:
    """Add a channel; a kind or contact key used twice, or a URL target that would skip
    the SSRF check, is a programming error (raised at import)."""
    if spec.pattern.startswith("^https?://") and not spec.outbound_url:
        raise ValueError(f"channel {spec.kind!r}: a URL target needs outbound_url=True")
    for other in _REGISTRY.values():
        if set(spec.kinds) & set(other.kinds) or set(spec.keys) & set(other.keys):
            raise ValueError(f"channel {spec.kind!r} clashes with {other.kind!r}")
    _REGISTRY[spec.kind] = spec
    return spec


def specs() -> list[ChannelSpec]:
    """Every registered channel, in the order a person's channels are tried."""
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.kind))


def spec_for(kind: str) -> ChannelSpec | None:
    """The channel of that kind, also under a former name (an outbox row stored before a
    rename)."""
    spec = _REGISTRY.get(kind)
    if spec is None:
        spec = next((s for s in _REGISTRY.values() if kind in s.former_kinds), None)
    return spec
