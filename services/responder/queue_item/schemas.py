"""Queue item shapes on the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LintIssueRead(BaseModel):
    code: str
    severity: str
    message: str
    span: tuple[int, int] | None = None


class QueueItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    mention_id: str
    platform: str
    source_id: str
    external_id: str
    kind: str
    text: str
    pros: str | None
    cons: str | None
    rating: int | None
    author: str | None
    product_sku: str | None
    product_name: str | None
    brand: str | None
    url: str | None
    published_at: datetime
    sentiment: str
    sentiment_score: float
    language: str
    aspects: list[dict[str, Any]]
    rating_contradiction: bool
    state: str
    due_at: datetime
    sla_state: str = "ok"
    draft_text: str
    draft_script: str | None
    draft_similarity: float | None
    assignee_id: str | None
    assignee_name: str | None
    reply_id: str | None
    reply_text: str | None
    reply_error: str | None
    approved_by: str | None
    answered_at: datetime | None


class QueuePage(BaseModel):
    items: list[QueueItemRead]
    total: int
    limit: int
    offset: int


class DraftUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=10000)


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The text to publish; the current draft when omitted.
    text: str | None = Field(default=None, min_length=1, max_length=10000)


class LintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=64)
    text: str = Field(max_length=20000)
    kind: str = Field(default="review", pattern=r"^(review|question|mention)$")


class DraftRead(BaseModel):
    mention_id: str
    draft_text: str
    draft_script: str | None
    draft_similarity: float | None
    lint: list[LintIssueRead]


class ApproveResult(BaseModel):
    mention_id: str
    reply_id: str
    state: str
    lint: list[LintIssueRead]
