"""From a person's contacts to destinations (what the outbox stores) and channels (what sends).

Both read the channel registry (`services/alerts/channel/`): no list of channels here.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.alerts.channel.contract import Channel, Transports, spec_for
from services.alerts.owner.schemas import Contacts
from services.alerts.ssrf import check_destination


@dataclass(frozen=True)
class Destination:
    """One channel to one place, as plain data: what the outbox stores per notification."""

    #: A registered channel's kind.
    channel: str
    #: Telegram chat id, hook URL (Slack, Teams, generic) or e-mail address.
    target: str


def destinations_for(contacts: Contacts, transports: Transports) -> list[Destination]:
    """One destination per configured contact, in `Contacts.channels()` order; a contact
    whose transport is not configured (no bot token / SMTP) is skipped."""
    out: list[Destination] = []
    for kind in contacts.channels():
        spec, target = spec_for(kind), contacts.target(kind)
        if spec is not None and target is not None and spec.configured(transports):
            out.append(Destination(kind, target))
    return out


async def open_channel(destination: Destination, transports: Transports) -> Channel | str:
    """The channel that sends to `destination`, or why it cannot be used.

    A URL target passes the SSRF check first and the channel is bound to the address it
    was checked at (sending by host name later would let DNS answer differently)."""
    kind = destination.channel
    spec = spec_for(kind)
    if spec is None:
        return f"{kind} is not a known channel"
    pin = None
    if spec.outbound_url:
        pin = await check_destination(
            destination.target,
            allow_private=transports.allow_private,
            allowlist=list(transports.allowlist),
        )
        if not pin.allowed:
            return f"destination refused: {pin.reason}"
    channel = spec.build(destination.target, transports, pin)
    return channel if channel is not None else f"{kind} is not configured"
