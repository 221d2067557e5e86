"""The webhook API's request and response shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.alerts.webhook.signing import validate_secret
from shared.events import (
    AlertRaised,
    AssignmentMade,
    MentionClassified,
    ReplyFailed,
    ReplyPublished,
    SlaChanged,
)
from shared.topics import (
    ALERTS,
    ASSIGNMENTS,
    MENTIONS_CLASSIFIED,
    REPLIES_FAILED,
    REPLIES_PUBLISHED,
    SLA,
)

#: What consumers can subscribe to: every event the alerts service sees, by its topic.
EVENT_TYPES_BY_TOPIC: dict[str, str] = {
    MENTIONS_CLASSIFIED: MentionClassified.event_type,
    ASSIGNMENTS: AssignmentMade.event_type,
    SLA: SlaChanged.event_type,
    ALERTS: AlertRaised.event_type,
    REPLIES_PUBLISHED: ReplyPublished.event_type,
    REPLIES_FAILED: ReplyFailed.event_type,
}
EVENT_TYPES: frozenset[str] = frozenset(EVENT_TYPES_BY_TOPIC.values())


def _check_pattern(pattern: str) -> str:
    if pattern == "*" or pattern in EVENT_TYPES:
        return pattern
    if pattern.endswith(".*") and any(t.startswith(pattern[:-1]) for t in EVENT_TYPES):
        return pattern
    known = ", ".join(sorted(EVENT_TYPES))
    raise ValueError(f"unknown event type {pattern!r}: use '*', one of {known}, or 'prefix.*'")


class WebhookSubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000)
    event_types: list[str] = Field(default_factory=lambda: ["*"], min_length=1, max_length=50)
    #: Omit to have one generated; either way it is shown only in the creation answer.
    secret: str | None = Field(default=None, max_length=200, repr=False)
    description: str = Field(default="", max_length=500)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        return [_check_pattern(v) for v in value]

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        return None if value is None else validate_secret(value)


class WebhookSubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: datetime


class WebhookSubscriptionCreated(WebhookSubscriptionRead):
    #: Shown once: store it to verify signatures.
    secret: str


class WebhookDeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: str
    event_id: str
    event_type: str
    occurred_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_latency_s: float | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


class WebhookAttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    ok: bool
    status_code: int | None
    latency_s: float
    error: str | None
    response_excerpt: str
    manual: bool


class WebhookDeliveryDetail(WebhookDeliveryRead):
    attempt_log: list[WebhookAttemptRead] = []


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: datetime = Field(alias="from")
    to: datetime | None = None

    @field_validator("from_", "to")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a time zone offset")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> ReplayIn:
        if self.to is not None and self.to <= self.from_:
            raise ValueError("'to' must be after 'from'")
        return self


class ReplayResult(BaseModel):
    subscription_id: str
    topics: list[str]
    #: Records read from Kafka in the range, events the subscription wants, new deliveries.
    scanned: int
    matched: int
    enqueued: int
    #: True when the count or time bound stopped the replay before `to`.
    truncated: bool
