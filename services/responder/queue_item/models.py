"""A review waiting for (or having received) an answer, with its 24-hour clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.responder.db import Base
from shared.db import UTCDateTime


class QueueItem(Base):
    __tablename__ = "queue_items"
    #: The anti-template check reads the latest replies of one product on one platform.
    __table_args__ = (
        Index("ix_queue_items_recent", "platform", "product_sku", "updated_at"),
        #: The shop-wide anti-template check: the latest replies given on one platform
        #: (partial: only rows that carry a reply, so a backward scan finds them at once).
        Index(
            "ix_queue_items_replied",
            "platform",
            "updated_at",
            postgresql_where=text("reply_text IS NOT NULL"),
            sqlite_where=text("reply_text IS NOT NULL"),
        ),
        #: The queue list: one state, by deadline, keyset on (due_at, mention_id).
        Index("ix_queue_items_state_due", "state", "due_at", "mention_id"),
        #: "My items": one assignee's queue by deadline.
        Index("ix_queue_items_assignee_due", "state", "assignee_id", "due_at"),
        # Text search: on PostgreSQL a pg_trgm GIN index on `text`
        # (ix_queue_items_text_trgm), made by migration 3c1f0d7a9e42 only there.
    )

    mention_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), index=True)
    source_id: Mapped[str] = mapped_column(String(128))
    external_id: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))
    revision: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    pros: Mapped[str | None] = mapped_column(Text, nullable=True)
    cons: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author: Mapped[str | None] = mapped_column(String(200), nullable=True)
    product_sku: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    product_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The platform id of the earlier review this one adds to (a customer's addition,
    #: listed by the platform under a new id), or None (migration a4c2e9d17b35).
    supplements: Mapped[str | None] = mapped_column(String(256), nullable=True)

    sentiment: Mapped[str] = mapped_column(String(16), index=True)
    sentiment_score: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(8))
    aspects: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rating_contradiction: Mapped[bool] = mapped_column(Boolean, default=False)

    #: A `QueueState`: open → approved → published; failed returns to the queue;
    #: closed = monitor-only; dismissed = the team decided not to answer (with a reason;
    #: required for negatives).
    state: Mapped[str] = mapped_column(String(16), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    draft_text: Mapped[str] = mapped_column(Text, default="")
    draft_script: Mapped[str | None] = mapped_column(String(100), nullable=True)
    draft_similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    draft_seed: Mapped[int] = mapped_column(Integer, default=0)
    #: Seller facts the draft proposes as answers: [{id, topic, question, wording, method,
    #: score}] (migration 5e2a8c4d1f07).
    draft_facts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    #: What the draft was based on, so "another draft" keeps it and approval can check it:
    #: the full classification (signals included; NULL on rows written before it was kept,
    #: then rebuilt from the columns above), the family the engine chose, the moves in
    #: order with the text each one put in the draft, the question answers it carries
    #: ([{question, fact_id, text}]) and the ids of the seller facts its text states.
    classification: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    draft_family: Mapped[str | None] = mapped_column(String(32), nullable=True)
    draft_parts: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    draft_answers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    draft_facts_used: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    #: Topics of the seller facts that applied when drafting (the lint's content rules
    #: allow what a fact backs: an exchange, certificates, a term in days).
    draft_fact_topics: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    #: The engine's text as drafted (agents' edits change `draft_text`, not this): what the
    #: approved reply is compared with to learn how much agents edit.
    draft_generated: Mapped[str | None] = mapped_column(Text, nullable=True)
    assignee_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    assignee_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reply_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    dismiss_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    dismissed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Negatives: contacted_privately → resolved → public_follow_up (see QueueAction).
    case_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: What was done, as the owner wrote it when resolving the case; the follow-up says it.
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The public follow-up: drafted (from a resolution script, then edited) → approved →
    #: published, or failed (with the platform's reason) and approved again.
    follow_up_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    follow_up_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    follow_up_script: Mapped[str | None] = mapped_column(String(100), nullable=True)
    follow_up_similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    follow_up_seed: Mapped[int] = mapped_column(Integer, default=0)
    #: The engine's follow-up as drafted (edits change `follow_up_text`), for the learning.
    follow_up_generated: Mapped[str | None] = mapped_column(Text, nullable=True)
    follow_up_reply_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    follow_up_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlaMark(Base):
    """An SLA event already published for an item: each one goes out once."""

    __tablename__ = "sla_marks"
    __table_args__ = (UniqueConstraint("mention_id", "mark"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mention_id: Mapped[str] = mapped_column(String(36), index=True)
    #: "due_soon:<lead seconds>", "breached", "met"
    mark: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ItemAssignment(Base):
    """Who owns a mention, as the alerts service decided.

    Kept apart from the item because the assignment may arrive before the classified
    mention does (two topics, no order between them).
    """

    __tablename__ = "item_assignments"

    mention_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(100))
    owner_name: Mapped[str] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(100), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QueueAction(Base):
    """Who did what to an item, and when: edits, approvals, dismissals, assignments, and
    the steps of a negative review's case (``action == "case"``, ``step`` set)."""

    __tablename__ = "queue_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mention_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DraftEdit(Base):
    """How far an approved reply is from the engine's draft: one row per approval.

    ``verdict`` is unchanged / light / rewritten (see queue_item.edits for the thresholds);
    the insights read acceptance (unchanged + light) per script, family and platform.
    """

    __tablename__ = "draft_edits"
    __table_args__ = (Index("ix_draft_edits_created", "created_at"),)

    reply_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mention_id: Mapped[str] = mapped_column(String(36), index=True)
    #: reply (the first answer) or follow_up (a resolved case's public follow-up); one row
    #: per item and target: approving again (after a platform's refusal) replaces it.
    target: Mapped[str] = mapped_column(String(16), default="reply")
    platform: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    script_id: Mapped[str] = mapped_column(String(100), default="")
    family: Mapped[str] = mapped_column(String(32), default="")
    moves: Mapped[list[str]] = mapped_column(JSON, default=list)
    distance: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(16))
    approved_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DraftMoveEdit(Base):
    """One move of an approved draft: its sentence against the closest part of the reply."""

    __tablename__ = "draft_move_edits"
    __table_args__ = (Index("ix_draft_move_edits_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reply_id: Mapped[str] = mapped_column(String(36), index=True)
    target: Mapped[str] = mapped_column(String(16), default="reply")
    platform: Mapped[str] = mapped_column(String(64))
    script_id: Mapped[str] = mapped_column(String(100), default="")
    family: Mapped[str] = mapped_column(String(32), default="")
    move: Mapped[str] = mapped_column(String(32))
    draft: Mapped[str] = mapped_column(Text)
    #: The closest sentence of the published reply (what the agent made of it).
    published: Mapped[str] = mapped_column(Text)
    distance: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhrasingSuggestion(Base):
    """A sentence an agent wrote, offered as a new phrasing of a move; an owner decides.

    pending → approved | rejected. Approved ones are exported in the scripts' YAML format.
    """

    __tablename__ = "phrasing_suggestions"
    __table_args__ = (Index("ix_phrasing_suggestions_state", "state", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mention_id: Mapped[str] = mapped_column(String(36), index=True)
    language: Mapped[str] = mapped_column(String(8))
    move: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    #: The draft's sentence it replaces, when the agent rewrote one.
    replaces: Mapped[str | None] = mapped_column(Text, nullable=True)
    script_id: Mapped[str] = mapped_column(String(100), default="")
    family: Mapped[str] = mapped_column(String(32), default="")
    platform: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    suggested_by: Mapped[str] = mapped_column(String(200))
    reviewed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
