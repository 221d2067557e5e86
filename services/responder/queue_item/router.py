"""The reply queue API: list, read, edit the draft, regenerate, lint, approve."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from services.responder.deps import Context, User
from services.responder.lint.policy import policy_for
from services.responder.lint.rules import lint_reply
from services.responder.queue_item.models import QueueItem
from services.responder.queue_item.schemas import (
    ApproveIn,
    ApproveResult,
    DraftRead,
    DraftUpdate,
    LintIn,
    LintIssueRead,
    QueueItemRead,
    QueuePage,
)
from services.responder.queue_item.service import (
    QueueFilter,
    ensure_waiting,
    get_item,
    item_classification,
    item_mention,
    list_items,
    mark_approved,
    recent_replies,
    sla_state,
)
from shared.db import session_scope
from shared.events import MentionKind, ReplyApproved, Sentiment, utcnow
from shared.http import DomainError
from shared.topics import REPLIES_APPROVED

router = APIRouter(prefix="/api", tags=["queue"])


def lint_text(text: str, platform: str, kind: str) -> list[LintIssueRead]:
    issues = lint_reply(text, policy_for(platform), kind=kind)
    return [
        LintIssueRead(code=i.code, severity=i.severity, message=i.message, span=i.span)
        for i in issues
    ]


def to_read(item: QueueItem, ctx: Context) -> QueueItemRead:
    read = QueueItemRead.model_validate(item)
    soon = timedelta(hours=max(ctx.settings.responder_sla_leads_hours, default=0))
    state = sla_state(item, utcnow(), soon) if item.state in ("open", "failed") else "answered"
    return read.model_copy(update={"sla_state": state})


@router.get("/queue", response_model=QueuePage)
async def get_queue(
    ctx: Context,
    _: User,
    state: Annotated[
        str | None, Query(pattern=r"^(open|approved|published|failed|closed)$")
    ] = "open",
    platform: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: Sentiment | None = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> QueuePage:
    """Items by deadline, soonest first."""
    f = QueueFilter(
        state=state,
        platform=platform,
        sentiment=sentiment,
        assignee_id=assignee,
        brand=brand,
        q=q,
        limit=limit,
        offset=offset,
    )
    async with session_scope(ctx.runtime.sessions) as session:
        items, total = await list_items(session, f)
    return QueuePage(
        items=[to_read(i, ctx) for i in items], total=total, limit=limit, offset=offset
    )


@router.get("/queue/{mention_id}", response_model=QueueItemRead)
async def get_queue_item(mention_id: str, ctx: Context, _: User) -> QueueItemRead:
    """One item with its draft."""
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
    return to_read(item, ctx)


@router.put("/queue/{mention_id}/draft", response_model=DraftRead)
async def update_draft(mention_id: str, draft_in: DraftUpdate, ctx: Context, _: User) -> DraftRead:
    """Save an edited draft; answers with its lint."""
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_waiting(item)
        item.draft_text = draft_in.text
        item.updated_at = utcnow()
    return DraftRead(
        mention_id=mention_id,
        draft_text=item.draft_text,
        draft_script=item.draft_script,
        draft_similarity=item.draft_similarity,
        lint=lint_text(item.draft_text, item.platform, item.kind),
    )


@router.post("/queue/{mention_id}/regenerate", response_model=DraftRead)
async def regenerate_draft(mention_id: str, ctx: Context, _: User) -> DraftRead:
    """A different draft from other phrasings."""
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_waiting(item)
        recent = await recent_replies(session, platform=item.platform, product_sku=item.product_sku)
        mention = item_mention(item)
        classification = item_classification(item)
        previous = item.draft_text
        draft = None
        for step in range(1, 6):  # a new seed; re-roll in the rare case the text repeats
            draft = ctx.drafter(
                mention, classification, [previous, *recent], item.draft_seed + step
            )
            if draft.text != previous:
                break
        assert draft is not None
        item.draft_seed += step
        item.draft_text = draft.text
        item.draft_script = draft.script_id
        item.draft_similarity = draft.similarity
        item.updated_at = utcnow()
    return DraftRead(
        mention_id=mention_id,
        draft_text=item.draft_text,
        draft_script=item.draft_script,
        draft_similarity=item.draft_similarity,
        lint=lint_text(item.draft_text, item.platform, item.kind),
    )


@router.post("/lint", response_model=list[LintIssueRead])
async def lint(lint_in: LintIn, _: User) -> list[LintIssueRead]:
    """Check a text against the platform's rules (used by the editor as you type)."""
    return lint_text(lint_in.text, lint_in.platform, lint_in.kind)


@router.post("/queue/{mention_id}/approve", response_model=ApproveResult)
async def approve_item(
    mention_id: str, approve_in: ApproveIn, ctx: Context, user: User
) -> ApproveResult:
    """Approve the reply: ingest posts it to the platform."""
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_waiting(item)
        if item.kind == MentionKind.mention.value:
            raise DomainError("monitor-only mentions cannot be answered", code="not_answerable")
        text = (approve_in.text if approve_in.text is not None else item.draft_text).strip()
        issues = lint_text(text, item.platform, item.kind)
        if any(i.severity == "error" for i in issues):
            raise DomainError(
                "the reply breaks the platform's rules: "
                + "; ".join(i.message for i in issues if i.severity == "error"),
                code="lint_failed",
                status_code=422,
            )
        reply_id = mark_approved(item, text=text, user=user)
        await session.flush()
        # Published before the commit: if Kafka refuses, nothing is marked approved.
        await ctx.runtime.publisher.publish(
            REPLIES_APPROVED,
            ReplyApproved(
                reply_id=reply_id,  # type: ignore[arg-type]
                mention_id=item.mention_id,  # type: ignore[arg-type]
                platform=item.platform,
                source_id=item.source_id,
                external_id=item.external_id,
                kind=MentionKind(item.kind),
                text=text,
                approved_by=user,
            ),
        )
    ctx.metrics.approvals.labels(platform=item.platform).inc()
    return ApproveResult(mention_id=mention_id, reply_id=reply_id, state=item.state, lint=issues)
