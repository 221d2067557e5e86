"""An escalation's status: the column the list filters on and the ticker picks due rows by."""

from __future__ import annotations

from enum import StrEnum


class EscalationStatus(StrEnum):
    """open → acknowledged (someone took it) | closed (the SLA was met first)."""

    open = "open"
    acknowledged = "acknowledged"
    closed = "closed"
