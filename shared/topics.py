"""Topic names, one place. A prefix isolates environments (and tests) on one broker."""

from __future__ import annotations

from dataclasses import dataclass

MENTIONS_RAW = "mentions.raw"
MENTIONS_CLASSIFIED = "mentions.classified"
#: A review gone from its platform (deleted by the customer or the platform).
MENTIONS_DELETED = "mentions.deleted"
ASSIGNMENTS = "assignments"
REPLIES_APPROVED = "replies.approved"
REPLIES_PUBLISHED = "replies.published"
REPLIES_FAILED = "replies.failed"
#: Posted, not shown yet (platform moderation, or an outcome not known): `reply.pending`.
REPLIES_PENDING = "replies.pending"
SLA = "sla"
ALERTS = "alerts"
SOURCES = "sources"

ALL_TOPICS: tuple[str, ...] = (
    MENTIONS_RAW,
    MENTIONS_CLASSIFIED,
    MENTIONS_DELETED,
    ASSIGNMENTS,
    REPLIES_APPROVED,
    REPLIES_PUBLISHED,
    REPLIES_FAILED,
    REPLIES_PENDING,
    SLA,
    ALERTS,
    SOURCES,
)

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class Topics:
    """Resolves logical topic names to the broker's names under a prefix."""

    prefix: str = ""

    def name(self, logical: str) -> str:
        return f"{self.prefix}{logical}"

    def dlq(self, logical: str) -> str:
        return f"{self.prefix}{logical}{DLQ_SUFFIX}"

    def all_with_dlq(self) -> list[str]:
        names = [self.name(t) for t in ALL_TOPICS]
        names += [self.dlq(t) for t in ALL_TOPICS]
        return names
