"""SSRF guard for every outbound URL: webhook subscriptions and channels' hook URLs.

Such a URL is attacker-controlled input: without a check, "deliver a webhook"
becomes "make the server request its own admin port or the cloud metadata service".
We resolve the host and refuse if *any* address is not publicly routable (a name with
one public and one private address is still a way in), unless configuration allows
private destinations or allowlists the host / network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Never a valid destination, even when private destinations are allowed.
_ALWAYS_REFUSED = ("unspecified", "multicast")


async def default_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True)
class DestinationCheck:
    allowed: bool
    reason: str
    host: str | None = None
    port: int | None = None
    #: Addresses the host resolved to (checked); connect to one of these, not a re-resolve.
    addresses: tuple[str, ...] = ()


def ip_category(ip: IPAddress) -> str | None:
    """Why `ip` is not a public unicast address (None when it is)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: ipaddress.IPv4Address | None = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip.teredo:
            embedded = ip.teredo[1]
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = ip_category(embedded)
            return f"{inner} (IPv4 embedded in IPv6)" if inner else None
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("multicast", ip.is_multicast),
        ("link-local", ip.is_link_local),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("not globally routable", not ip.is_global),
    )
    for name, hit in checks:
        if hit:
            return name
    return None


def _parse_allowlist(entries: Iterable[str]) -> tuple[set[str], list[Network]]:
    hosts: set[str] = set()
    nets: list[Network] = []
    for entry in entries:
        entry = entry.strip()
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.rstrip(".").lower())
    return hosts, nets


async def check_destination(
    url: str,
    *,
    allow_private: bool = False,
    allowlist: Iterable[str] = (),
    resolver: Resolver | None = None,
) -> DestinationCheck:
    """Decide whether `url` may be requested; `reason` says why not, in plain words.

    `allowlist` holds host names (exact match) or IP networks ("10.1.0.0/16"). With
    `allow_private`, private/loopback/link-local targets pass; unspecified and multicast
    addresses never do.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return DestinationCheck(False, f"invalid URL: {exc}")
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return DestinationCheck(
            False, f"scheme {scheme or '(none)'!r} not allowed: http or https only"
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return DestinationCheck(False, "URL has no host")
    port = port or (443 if scheme == "https" else 80)
    hosts, nets = _parse_allowlist(allowlist)
    if host in hosts:
        return DestinationCheck(True, "host is allowlisted", host, port)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = await (resolver or default_resolver)(host, port)
        except (OSError, UnicodeError) as exc:
            return DestinationCheck(False, f"cannot resolve host {host!r}: {exc}", host, port)
        if not addresses:
            return DestinationCheck(False, f"host {host!r} has no addresses", host, port)
    for raw in addresses:
        try:
            ip = ipaddress.ip_address(raw.split("%", 1)[0])
        except ValueError:
            return DestinationCheck(False, f"resolver returned a non-IP {raw!r}", host, port)
        if any(ip in net for net in nets):
            continue
        category = ip_category(ip)
        if category is None:
            continue
        if allow_private and not category.startswith(_ALWAYS_REFUSED):
            continue
        where = host if host == raw else f"{host} resolves to {raw}"
        return DestinationCheck(
            False,
            f"destination {where} is {category}; refused (SSRF guard)",
            host,
            port,
            tuple(addresses),
        )
    return DestinationCheck(True, "ok", host, port, tuple(addresses))


def pinned_target(url: str, check: DestinationCheck) -> tuple[str, dict[str, str], dict[str, Any]]:
    """URL rewritten to the checked IP, plus Host header and SNI for the original name.

    Connecting to the address that was checked, not to a second resolution of the name,
    closes the DNS-rebinding window between check and request."""
    if not check.addresses or not check.host:
        return url, {}, {}
    try:
        ipaddress.ip_address(check.host)
        return url, {}, {}  # literal IP: nothing to pin
    except ValueError:
        pass
    ip = check.addresses[0]
    parsed = httpx.URL(url)
    host_header = check.host if parsed.port is None else f"{check.host}:{parsed.port}"
    pinned = parsed.copy_with(host=ip)
    extensions = {"sni_hostname": check.host} if parsed.scheme == "https" else {}
    return str(pinned), {"Host": host_header}, extensions
