"""Queue item shapes on the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from services.responder.queue_item.states import CaseState
from shared.events import mention_id_for


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
    #: A customer's addition to an earlier review: that review's platform id, and the
    #: mention id of its queue item (the same id everywhere, derived from the platform's).
    supplements: str | None = None
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
    #: Seller facts proposed as answers to the review's questions, for the agent to
    #: confirm: [{id, topic, question, wording, method (embedding|keyword), score}].
    draft_facts: list[dict[str, Any]] = Field(default_factory=list)
    assignee_id: str | None
    assignee_name: str | None
    reply_id: str | None
    reply_text: str | None
    reply_error: str | None
    approved_by: str | None
    answered_at: datetime | None
    dismiss_reason: str | None = None
    dismissed_by: str | None = None
    case_state: str | None = None
    #: The resolved case: what was done, and the public follow-up drafted from it.
    resolution: str | None = None
    follow_up_state: str | None = None
    follow_up_text: str | None = None
    follow_up_script: str | None = None
    follow_up_similarity: float | None = None
    follow_up_reply_id: str | None = None
    follow_up_error: str | None = None
    #: What the draft was based on: its family (kept by "another draft"), the questions
    #: of the review (character spans of `text`), the draft's answer parts, the seller
    #: facts it states, and what a person must still do before approval.
    draft_family: str | None = None
    questions: list[QuestionRead] = Field(default_factory=list)
    answers: list[AnswerRead] = Field(default_factory=list)
    facts_used: list[str] = Field(default_factory=list)
    needs_input: list[str] = Field(default_factory=list)
    #: What the classifier noticed that the agent should know: sarcasm, rating_slip, remark.
    signals: list[str] = Field(default_factory=list)
    #: Who did what, oldest first (only on the single-item read).
    actions: list[ActionRead] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def supplements_mention_id(self) -> str | None:
        """The queue item of the review this one adds to (it may not be in the queue)."""
        if self.supplements is None:
            return None
        return str(mention_id_for(self.platform, self.supplements))

    @field_validator("draft_facts", mode="before")
    @classmethod
    def _no_facts(cls, value: Any) -> Any:
        return [] if value is None else value


class QuestionRead(BaseModel):
    start: int
    end: int
    text: str


class AnswerRead(BaseModel):
    question: str
    #: Set: the answer is this seller fact's wording, to be confirmed before approval.
    fact_id: str | None
    text: str
    needs_confirmation: bool


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    step: str | None
    note: str | None
    actor: str
    actor_role: str
    created_at: datetime


class QueuePage(BaseModel):
    items: list[QueueItemRead]
    #: How many match, counted up to a cap (``total_capped`` says the cap was hit);
    #: null on keyset pages (``after``), which skip the count.
    total: int | None
    total_capped: bool = False
    limit: int
    offset: int
    #: Pass as ``after`` for the next page (keyset); null on the last page.
    next_cursor: str | None = None


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Why the review gets no answer; required for negative reviews.
    reason: str | None = Field(default=None, max_length=1000)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee_id: str = Field(min_length=1, max_length=100, pattern=r"\S")
    assignee_name: str = Field(min_length=1, max_length=200, pattern=r"\S")


class CaseStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: CaseState
    note: str | None = Field(default=None, max_length=4000)
    #: Required with ``resolved``: what was done. The public follow-up is drafted from it.
    resolution: str | None = Field(default=None, max_length=1000)


class FollowUpRead(BaseModel):
    """A resolved case's public follow-up: the draft with its lint, or what went out."""

    mention_id: str
    follow_up_state: str | None
    follow_up_text: str
    follow_up_script: str | None
    follow_up_similarity: float | None
    follow_up_reply_id: str | None
    lint: list[LintIssueRead]


class ActionResult(BaseModel):
    mention_id: str
    state: str
    assignee_id: str | None
    assignee_name: str | None
    dismiss_reason: str | None
    case_state: str | None
    action: ActionRead
    resolution: str | None = None
    follow_up_state: str | None = None
    #: The follow-up drafted when the case is resolved (edit it, then approve it).
    follow_up: FollowUpRead | None = None


class DraftUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=10000)


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The text to publish; the current draft when omitted.
    text: str | None = Field(default=None, min_length=1, max_length=10000)
    #: Seller facts the agent checked: every answer proposed from a fact must be listed.
    confirmed_facts: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=50
    )


class ItemLintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=20000)


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
    draft_family: str | None = None
    answers: list[AnswerRead] = Field(default_factory=list)


class SuggestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The sentence to offer as a phrasing, as the agent wrote it.
    text: str = Field(min_length=3, max_length=500)
    #: The move it phrases (greeting, thanks, apology...); must be one of the draft's
    #: moves or a known move.
    move: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    #: The draft's sentence it replaces, when the agent rewrote one.
    replaces: str | None = Field(default=None, max_length=2000)


class SuggestionReview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approved", "rejected"]
    note: str | None = Field(default=None, max_length=1000)


class SuggestionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    mention_id: str
    language: str
    move: str
    text: str
    replaces: str | None
    script_id: str
    family: str
    platform: str
    state: str
    suggested_by: str
    reviewed_by: str | None
    review_note: str | None
    created_at: datetime
    reviewed_at: datetime | None


class ApproveResult(BaseModel):
    mention_id: str
    reply_id: str
    state: str
    lint: list[LintIssueRead]
