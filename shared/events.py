"""Event contracts: the envelope and one payload model per event type.

Every service speaks only these models on Kafka. A payload's `type` string is the
discriminator written into the envelope; `schema_version` lets a consumer refuse a
message it does not understand (to the DLQ) instead of guessing.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

#: Namespace for deterministic mention ids (UUIDv5 of "platform:external_id").
MENTION_NAMESPACE = uuid.UUID("6f1d3a52-0c8e-5b4e-9a57-0f6f2d0b7a11")


def mention_id_for(platform: str, external_id: str) -> uuid.UUID:
    """The one id of a mention everywhere: a re-poll or a redelivery maps to the same id."""
    return uuid.uuid5(MENTION_NAMESPACE, f"{platform}:{external_id}")


def derived_event_id(*parts: object) -> uuid.UUID:
    """A deterministic event id, so re-publishing after a crash is recognised downstream."""
    return uuid.uuid5(MENTION_NAMESPACE, ":".join(str(p) for p in parts))


def utcnow() -> datetime:
    return datetime.now(UTC)


class Sentiment(StrEnum):
    positive = "positive"
    neutral = "neutral"
    negative = "negative"


class MentionKind(StrEnum):
    review = "review"
    question = "question"
    mention = "mention"  # media / RSS / site mention: monitor-only


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Product(_Model):
    sku: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=500)
    brand: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=200)


class Mention(_Model):
    """A customer's text about the seller, as ingest saw it on a platform."""

    mention_id: uuid.UUID
    platform: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    source_id: str = Field(min_length=1, max_length=128)
    external_id: str = Field(min_length=1, max_length=256)
    kind: MentionKind = MentionKind.review
    text: str = Field(max_length=20000)
    pros: str | None = Field(default=None, max_length=10000)
    cons: str | None = Field(default=None, max_length=10000)
    rating: int | None = Field(default=None, ge=1, le=5)
    author: str | None = Field(default=None, max_length=200)
    product: Product = Field(default_factory=Product)
    url: str | None = Field(default=None, max_length=2000)
    published_at: datetime
    language_hint: str | None = Field(default=None, max_length=8)
    #: The seller had already answered it on the platform when ingest read it (a history
    #: import of answered reviews): it informs, it needs no reply.
    answered: bool = False
    #: Hash of the content (text, pros, cons, rating): an edit gives a new revision.
    revision: str = ""
    #: The platform id (`external_id`) of the earlier review this one adds to: a
    #: customer's addition to their review, which the platform lists under a new id
    #: (Wildberries' supplemented reviews). Written only when set, so every other mention
    #: stays readable by consumers that do not know the field.
    supplements: str | None = Field(default=None, min_length=1, max_length=256)

    @model_serializer(mode="wrap")
    def _without_absent_link(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        if isinstance(data, dict) and data.get("supplements") is None:
            data.pop("supplements", None)
        return data

    @field_validator("published_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("published_at must carry a time zone offset")
        return value

    def model_post_init(self, __context: Any) -> None:
        if not self.revision:
            object.__setattr__(self, "revision", content_revision(self))

    @property
    def full_text(self) -> str:
        """Text plus pros/cons, as the classifier and the drafter read it."""
        parts = [self.text]
        if self.pros:
            parts.append(self.pros)
        if self.cons:
            parts.append(self.cons)
        return "\n".join(p for p in parts if p)


def content_revision(mention: Mention) -> str:
    digest = hashlib.sha256()
    for part in (mention.text, mention.pros or "", mention.cons or "", str(mention.rating)):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


class Aspect(_Model):
    #: One of `shared.aspects.ASPECTS`.
    aspect: str
    polarity: Sentiment
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    #: The trigger word as the customer wrote it («запах», "strap").
    text: str
    #: The clause it stands in, for a blamed aspect the complaint in the customer's words
    #: («через неделю отвалилась кнопка»); empty in events of schema version 1.
    clause: str = ""


class QuestionSpan(_Model):
    """A question the customer asks inside a review (or the whole question mention)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Classification(_Model):
    # Readers ignore fields they do not know: a producer may add signals before every
    # consumer is upgraded (additive changes keep the schema version readable).
    model_config = ConfigDict(extra="ignore", frozen=True)

    sentiment: Sentiment
    score: float = Field(ge=0.0, le=1.0)
    scores: dict[str, float] = Field(default_factory=dict)
    text_sentiment: Sentiment | None = None
    language: str = "other"
    aspects: list[Aspect] = Field(default_factory=list)
    #: Stars and text disagree (5 stars with a complaint, 1 star with praise).
    rating_contradiction: bool = False
    model: str = ""
    # --- signals for the drafts (schema version 2; absent in version 1 = defaults) ---
    #: The signals below were read by the producer, not defaulted: an empty `questions`
    #: then means "nothing asked" (a rhetorical «Это как вообще??» included), and readers
    #: must not guess questions of their own.
    signals: bool = False
    #: Questions inside the text, in text order.
    questions: list[QuestionSpan] = Field(default_factory=list)
    #: Praise words used ironically next to a complaint («ну спасибо, подарок мечты 👍»).
    sarcasm: bool = False
    #: 1–2 stars under a clearly positive text with no complaint: the star is likely a slip.
    rating_slip: bool = False
    #: 4–5 stars with a complaint cue in the text: positive, with a remark to acknowledge.
    remark: bool = False


# --- payloads: one per event type -------------------------------------------------------


class Payload(_Model):
    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    #: Versions this reader decodes (older additive versions fill defaults).
    accepted_versions: ClassVar[frozenset[int]] = frozenset({1})

    def key(self) -> bytes | None:
        """Kafka key: the mention id, so one mention's events stay ordered in one partition."""
        mention_id = getattr(self, "mention_id", None)
        return str(mention_id).encode() if mention_id is not None else None


class MentionReceived(Payload):
    event_type: ClassVar[str] = "mention.received"
    mention: Mention

    def key(self) -> bytes:
        return str(self.mention.mention_id).encode()


class MentionClassified(Payload):
    event_type: ClassVar[str] = "mention.classified"
    #: 2 adds the draft signals to Classification (questions, sarcasm, rating slip,
    #: remark, complaint clauses); version 1 messages still decode, with defaults.
    schema_version: ClassVar[int] = 2
    accepted_versions: ClassVar[frozenset[int]] = frozenset({1, 2})
    mention: Mention
    classification: Classification

    def key(self) -> bytes:
        return str(self.mention.mention_id).encode()


class AssignmentMade(Payload):
    event_type: ClassVar[str] = "assignment.made"
    mention_id: uuid.UUID
    owner_id: str
    owner_name: str
    team: str | None = None
    rule: str | None = None


class ReplyApproved(Payload):
    event_type: ClassVar[str] = "reply.approved"
    reply_id: uuid.UUID
    mention_id: uuid.UUID
    platform: str
    source_id: str
    external_id: str
    kind: MentionKind
    text: str = Field(min_length=1, max_length=10000)
    approved_by: str
    #: Replace an answer already published (platforms that allow editing).
    edit: bool = False


class ReplyPublished(Payload):
    event_type: ClassVar[str] = "reply.published"
    reply_id: uuid.UUID
    mention_id: uuid.UUID
    platform: str
    external_reply_id: str | None = None
    published_at: datetime


class ReplyFailed(Payload):
    event_type: ClassVar[str] = "reply.failed"
    reply_id: uuid.UUID
    mention_id: uuid.UUID
    platform: str
    error: str
    retryable: bool = False


class MentionDeleted(Payload):
    """The platform no longer has the review (deleted by its author or by the platform):
    its open queue item closes as such. Own topic `mentions.deleted`."""

    event_type: ClassVar[str] = "mention.deleted"
    mention_id: uuid.UUID
    platform: str
    source_id: str
    external_id: str
    detected_at: datetime
    reason: str = "deleted by the customer or the platform"


class ReplyPending(Payload):
    """Posted, but the platform does not show the answer yet (own topic `replies.pending`,
    so readers of published/failed are untouched). Later a `reply.published` or a
    `reply.failed` (rejected by moderation, or never shown) settles it.

    `pending_moderation`: the platform took it (returned an id, or shows it as in
    moderation). `outcome_unknown`: the post's answer was lost and the platform hides
    unmoderated answers, so it is not posted again; ingest keeps looking.
    """

    event_type: ClassVar[str] = "reply.pending"
    reply_id: uuid.UUID
    mention_id: uuid.UUID
    platform: str
    state: Literal["pending_moderation", "outcome_unknown"] = "pending_moderation"
    external_reply_id: str | None = None
    detail: str = ""
    posted_at: datetime


class SlaState(StrEnum):
    due_soon = "due_soon"
    breached = "breached"
    met = "met"


class SlaChanged(Payload):
    event_type: ClassVar[str] = "sla.changed"
    mention_id: uuid.UUID
    state: SlaState
    platform: str
    due_at: datetime
    lead_seconds: int | None = None
    owner_id: str | None = None
    sentiment: Sentiment | None = None


class AlertRaised(Payload):
    event_type: ClassVar[str] = "alert.raised"
    alert_id: uuid.UUID
    kind: Literal["escalation", "crisis", "source_unhealthy", "digest"]
    severity: Literal["info", "warning", "critical"] = "warning"
    title: str
    mention_id: uuid.UUID | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class SourceHealthChanged(Payload):
    event_type: ClassVar[str] = "source.health_changed"
    source_id: str
    platform: str
    healthy: bool
    error: str | None = None

    def key(self) -> bytes:
        return self.source_id.encode()


PAYLOAD_TYPES: dict[str, type[Payload]] = {
    cls.event_type: cls
    for cls in (
        MentionReceived,
        MentionClassified,
        AssignmentMade,
        ReplyApproved,
        ReplyPublished,
        ReplyFailed,
        ReplyPending,
        MentionDeleted,
        SlaChanged,
        AlertRaised,
        SourceHealthChanged,
    )
}

P = TypeVar("P", bound=Payload)


class Envelope(BaseModel, Generic[P]):
    """What travels on Kafka: metadata around one payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    trace_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    payload: P


class EventDecodeError(ValueError):
    """A message that can never be handled: wrong JSON, unknown type, invalid payload."""


def make_envelope(
    payload: Payload,
    *,
    producer: str,
    trace_id: str | None = None,
    event_id: uuid.UUID | None = None,
) -> Envelope[Any]:
    kwargs: dict[str, Any] = {}
    if trace_id:
        kwargs["trace_id"] = trace_id
    if event_id:
        kwargs["event_id"] = event_id
    return Envelope[Any](
        type=payload.event_type,
        schema_version=payload.schema_version,
        producer=producer,
        payload=payload,
        **kwargs,
    )


def encode(envelope: Envelope[Any]) -> bytes:
    return envelope.model_dump_json().encode()


def decode(raw: bytes | None) -> Envelope[Any]:
    """Parse bytes into an envelope with its typed payload, or raise EventDecodeError.

    Every failure becomes EventDecodeError, whatever raised it: one hostile record must
    reach the dead-letter topic, never stop a consumer.
    """
    if raw is None:
        raise EventDecodeError("empty message (no value)")
    try:
        return _decode(raw)
    except EventDecodeError:
        raise
    except Exception as exc:  # RecursionError (deep nesting), ValueError (huge int), ...
        raise EventDecodeError(f"cannot decode: {type(exc).__name__}: {exc}"[:1000]) from exc


class _Head(BaseModel):
    """The two fields that choose the payload's class (the rest is skipped unread)."""

    model_config = ConfigDict(extra="ignore")

    type: Any = None
    schema_version: Any = 1


@functools.cache
def _envelope_of(payload_cls: type[Payload]) -> type[Envelope[Any]]:
    # `Envelope[cls]` looks the parametrised class up on every use; once per type is enough.
    return Envelope[payload_cls]  # type: ignore[valid-type]


def _decode_fast(raw: bytes) -> Envelope[Any] | None:
    """A well-formed message validated straight from its bytes by pydantic's JSON parser
    (about half the CPU of `json.loads` and validating the dicts, on every message every
    consumer reads); None for anything else, which the checking path then names."""
    try:
        head = _Head.model_validate_json(raw)
        payload_cls = PAYLOAD_TYPES.get(head.type) if isinstance(head.type, str) else None
        if payload_cls is None or head.schema_version not in payload_cls.accepted_versions:
            return None
        return _envelope_of(payload_cls).model_validate_json(raw)
    except Exception:
        return None


def _decode(raw: bytes) -> Envelope[Any]:
    import json

    fast = _decode_fast(raw)
    if fast is not None:
        return fast
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EventDecodeError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EventDecodeError("envelope must be a JSON object")
    type_name = data.get("type")
    payload_cls = PAYLOAD_TYPES.get(type_name) if isinstance(type_name, str) else None
    if payload_cls is None:
        raise EventDecodeError(f"unknown event type: {type_name!r}")
    version = data.get("schema_version", 1)
    if version not in payload_cls.accepted_versions:
        raise EventDecodeError(
            f"{type_name} schema_version {version!r} not supported "
            f"(expected one of {sorted(payload_cls.accepted_versions)})"
        )
    try:
        return _envelope_of(payload_cls).model_validate(data)
    except ValueError as exc:
        raise EventDecodeError(f"invalid {type_name}: {exc}") from exc
