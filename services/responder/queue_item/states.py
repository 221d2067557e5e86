"""The states a queue item, its negative-review case and its public follow-up move through.

StrEnums whose values are what the columns store, so code names a state once and the
stored rows (and the API's strings) stay as they were.
"""

from __future__ import annotations

from enum import StrEnum


class QueueState(StrEnum):
    """The first answer: open → approved → pending (platform moderation) → published.

    failed returns to the queue; closed = monitor-only (a mention, nothing to answer);
    dismissed = the team decided not to answer; deleted = the platform removed the review.
    """

    open = "open"
    approved = "approved"
    pending = "pending"
    published = "published"
    failed = "failed"
    closed = "closed"
    dismissed = "dismissed"
    deleted = "deleted"


class CaseState(StrEnum):
    """A negative review's case, in the order its steps must be taken."""

    contacted_privately = "contacted_privately"
    resolved = "resolved"
    public_follow_up = "public_follow_up"


class FollowUpState(StrEnum):
    """The public follow-up: drafted → approved → pending → published; failed is editable."""

    drafted = "drafted"
    approved = "approved"
    pending = "pending"
    published = "published"
    failed = "failed"
