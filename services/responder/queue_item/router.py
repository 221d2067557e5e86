"""The reply queue API: list, read, edit the draft, regenerate, lint, approve, dismiss,
assign, and the case workflow of negative reviews.

The case: contacted_privately → resolved (owner+, with the resolution: what was done) →
the public follow-up is drafted from a resolution script → edited and approved by an agent
(→ ``replies.approved``; the step public_follow_up). The follow-up has its own reply id, so
ingest's posted-reply record does not take it for a repeat of the first answer; where a
review holds one answer (Wildberries, Google Play...) it goes out as an edit.

Roles: an agent works the queue (edit, regenerate, approve, dismiss, case contact and
follow-up); an owner can also assign and close (resolve) cases; an admin can do all; the
API token acts as admin. Each change is recorded in ``queue_actions`` (who, role, when).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.responder.auth import Principal, require_role
from services.responder.deps import Context, ResponderContext, Staff
from services.responder.draft.family import blamed_aspects, draft_family
from services.responder.lint import LintContext, truth_for
from services.responder.lint.policy import policy_for
from services.responder.lint.rules import lint_reply
from services.responder.queue_item.learning import record_draft_edit
from services.responder.queue_item.models import QueueItem
from services.responder.queue_item.schemas import (
    ActionRead,
    ActionResult,
    AnswerRead,
    ApproveIn,
    ApproveResult,
    AssignIn,
    CaseStepIn,
    DismissIn,
    DraftRead,
    DraftUpdate,
    FollowUpRead,
    ItemLintIn,
    LintIn,
    LintIssueRead,
    QuestionRead,
    QueueItemRead,
    QueuePage,
)
from services.responder.queue_item.service import (
    CASE_STEP_ROLE,
    WAITING_STATES,
    Cursor,
    QueueFilter,
    advance_case,
    apply_draft,
    draft_follow_up,
    ensure_follow_up_open,
    ensure_waiting,
    get_item,
    item_actions,
    item_classification,
    item_mention,
    list_items,
    mark_approved,
    mark_assigned,
    mark_dismissed,
    mark_follow_up_approved,
    mark_resolved,
    recent_replies,
    record_action,
    run_drafter,
    sla_state,
)
from services.responder.queue_item.states import CaseState, QueueState
from services.responder.users import StaffRole
from shared.db import session_scope
from shared.events import Classification, MentionKind, ReplyApproved, Sentiment, utcnow
from shared.http import DomainError
from shared.topics import REPLIES_APPROVED

router = APIRouter(prefix="/api", tags=["queue"])


def lint_context(item: QueueItem) -> LintContext:
    """What the content rules need to know of the review, as the engine tells them when it
    drafts: the family, the stars, the platform's truth, the topics of the seller facts that
    apply, whether the review names its problem and whether it asks something."""
    classification = item_classification(item)
    family = item.draft_family or draft_family(item_mention(item), classification)
    complaint = family == "negative" or (
        family in ("neutral", "positive_remark") and bool(blamed_aspects(classification))
    )
    topics = {str(u.get("topic")) for u in item.draft_facts or [] if u.get("topic")}
    return LintContext(
        family=family,
        rating=item.rating,
        truth=truth_for(item.platform),
        fact_topics=frozenset(topics | set(item.draft_fact_topics or [])),
        problem_named=complaint,
        asks=bool(classification.questions) or item.kind == MentionKind.question.value,
    )


def lint_text(
    text: str, platform: str, kind: str, *, item: QueueItem | None = None
) -> list[LintIssueRead]:
    """The platform's rules, and with `item` the content rules that depend on the review
    (its stars, the draft's family, the seller facts), in words an agent acts on."""
    context = lint_context(item) if item is not None else None
    issues = lint_reply(text, policy_for(platform), kind=kind, context=context)
    questions = [a.get("question", "") for a in (item.draft_answers or [])] if item else []
    out: list[LintIssueRead] = []
    for i in issues:
        message = i.message
        if i.code == "unfilled_slot" and i.span and text[i.span[0] : i.span[1]] == "{answer}":
            message = answer_missing_message(questions)
        out.append(LintIssueRead(code=i.code, severity=i.severity, message=message, span=i.span))
    return out


def answer_missing_message(questions: list[str]) -> str:
    asked = next((q for q in questions if q and q != "{answer}"), "")
    quoted = f" «{shorten(asked)}»" if asked else ""
    return (
        f"The customer asked a question{quoted}: write the answer in place of {{answer}} "
        "before approving."
    )


def shorten(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def lint_clean(
    text: str, platform: str, kind: str, *, item: QueueItem | None = None
) -> list[LintIssueRead]:
    """The lint before approval: errors refuse it (422 listing them), warnings go back."""
    issues = lint_text(text, platform, kind, item=item)
    if any(i.severity == "error" for i in issues):
        raise DomainError(
            "the reply breaks the platform's rules: "
            + "; ".join(i.message for i in issues if i.severity == "error"),
            code="lint_failed",
            status_code=422,
        )
    return issues


def answers_read(item: QueueItem) -> list[AnswerRead]:
    """The draft's answer parts, then each seller fact proposed as an answer that the
    draft's text does not already carry: every fact one is confirmed before approval."""
    out = [
        AnswerRead(
            question=str(a.get("question") or ""),
            fact_id=a.get("fact_id"),
            text=str(a.get("text") or ""),
            needs_confirmation=bool(a.get("fact_id")),
        )
        for a in (item.draft_answers or [])
    ]
    carried = {a.fact_id for a in out if a.fact_id}
    for use in item.draft_facts or []:
        fact_id = str(use.get("id") or "")
        if fact_id and fact_id not in carried:
            carried.add(fact_id)
            out.append(
                AnswerRead(
                    question=str(use.get("question") or ""),
                    fact_id=fact_id,
                    text=str(use.get("wording") or ""),
                    needs_confirmation=True,
                )
            )
    return out


def facts_used(item: QueueItem) -> list[str]:
    """Ids of the seller facts the draft states or proposes, each once."""
    ids = [*(item.draft_facts_used or []), *(a.fact_id for a in answers_read(item) if a.fact_id)]
    return list(dict.fromkeys(str(i) for i in ids if i))


def check_fact_confirmations(item: QueueItem, confirmed: list[str]) -> None:
    """Every answer proposed from a seller fact is confirmed by the agent, and nothing
    else is claimed confirmed (a typo must not pass for a confirmation)."""
    proposed = {a.fact_id: a.question for a in answers_read(item) if a.fact_id}
    unknown = sorted(set(confirmed) - set(proposed))
    if unknown:
        raise DomainError(
            "confirmed_facts: the draft proposes no answer from seller fact " + ", ".join(unknown),
            code="unknown_fact",
            status_code=422,
        )
    missing = [f for f in proposed if f not in confirmed]
    if missing:
        raise DomainError(
            "confirm the answers proposed from seller facts before approving: "
            + "; ".join(f"fact {f} answers «{shorten(proposed[f])}»" for f in missing)
            + " (check the wording and tick confirm, or edit the answer)",
            code="facts_unconfirmed",
            status_code=409,
        )


STATES = "^(" + "|".join(QueueState) + ")$"


def due_soon_window(ctx: Context) -> timedelta:
    return timedelta(hours=max(ctx.settings.responder_sla_leads_hours, default=0))


def to_read(item: QueueItem, ctx: Context, *, detail: bool = False) -> QueueItemRead:
    """The item; with `detail` (one item's page) also what its draft was based on."""
    read = QueueItemRead.model_validate(item)
    soon = due_soon_window(ctx)
    state = sla_state(item, utcnow(), soon) if item.state in WAITING_STATES else "answered"
    update: dict[str, Any] = {"sla_state": state}
    if detail:
        classification = item_classification(item)
        update |= {
            "questions": [
                QuestionRead(start=q.start, end=q.end, text=q.text)
                for q in classification.questions
            ],
            "signals": signals_of(classification),
            "answers": answers_read(item),
            "facts_used": facts_used(item),
            "needs_input": ["answer"] if "{answer}" in item.draft_text else [],
        }
    return read.model_copy(update=update)


#: The classifier's signals an agent is told about, in words.
SIGNALS: dict[str, str] = {
    "sarcasm": "Praise words used ironically next to a complaint: answer the complaint.",
    "rating_slip": "Low stars under a clearly positive text: the star may be a slip.",
    "remark": "High stars with a remark in the text: acknowledge the remark.",
}


def signals_of(classification: Classification) -> list[str]:
    return [name for name in SIGNALS if getattr(classification, name)]


def parse_cursor(after: str | None) -> Cursor | None:
    if not after:
        return None
    try:
        return Cursor.decode(after)
    except ValueError as exc:
        raise RequestValidationError(
            [{"loc": ("query", "after"), "msg": str(exc), "type": "value_error"}]
        ) from exc


@router.get("/queue", response_model=QueuePage)
async def get_queue(
    ctx: Context,
    _: Staff,
    state: Annotated[str | None, Query(pattern=STATES)] = QueueState.open,
    platform: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: Sentiment | None = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    product: Annotated[str | None, Query(max_length=200, description="product SKU")] = None,
    sla: Annotated[
        str | None, Query(pattern=r"^(breached|due_soon)$", description="deadline state")
    ] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    after: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> QueuePage:
    """Items by deadline, soonest first. Page with ``after`` = the previous ``next_cursor``
    (keyset, fast at any depth); ``offset`` still works for small jumps."""
    cursor = parse_cursor(after)
    f = QueueFilter(
        state=state,
        platform=platform,
        sentiment=sentiment,
        assignee_id=assignee,
        brand=brand,
        product=product,
        sla=sla,
        now=utcnow(),
        soon=due_soon_window(ctx),
        q=q,
        limit=limit,
        offset=offset,
        after=cursor,
    )
    async with session_scope(ctx.runtime.sessions) as session:
        # The count is for the first page; keyset pages skip it (the client has it).
        items, total, capped = await list_items(session, f, count=cursor is None)
    next_cursor = (
        Cursor(items[-1].due_at, items[-1].mention_id).encode() if len(items) == limit else None
    )
    return QueuePage(
        items=[to_read(i, ctx) for i in items],
        total=total,
        total_capped=capped,
        limit=limit,
        offset=offset,
        next_cursor=next_cursor,
    )


@router.get("/queue/{mention_id}", response_model=QueueItemRead)
async def get_queue_item(mention_id: str, ctx: Context, _: Staff) -> QueueItemRead:
    """One item with its draft and its history (who did what, the case steps)."""
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        actions = await item_actions(session, mention_id)
    read = to_read(item, ctx, detail=True)
    return read.model_copy(update={"actions": [ActionRead.model_validate(a) for a in actions]})


@router.put("/queue/{mention_id}/draft", response_model=DraftRead)
async def update_draft(
    mention_id: str, draft_in: DraftUpdate, ctx: Context, user: Staff
) -> DraftRead:
    """Save an edited draft; answers with its lint."""
    require_role(user, StaffRole.agent, "editing a draft")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_waiting(item)
        item.draft_text = draft_in.text
        item.updated_at = utcnow()
        record_action(session, item, action="edit", actor=user.name, role=user.role)
    return draft_read(item)


def draft_read(item: QueueItem) -> DraftRead:
    return DraftRead(
        mention_id=item.mention_id,
        draft_text=item.draft_text,
        draft_script=item.draft_script,
        draft_similarity=item.draft_similarity,
        lint=lint_text(item.draft_text, item.platform, item.kind, item=item),
        draft_family=item.draft_family,
        answers=answers_read(item),
    )


@router.post("/queue/{mention_id}/regenerate", response_model=DraftRead)
async def regenerate_draft(mention_id: str, ctx: Context, user: Staff) -> DraftRead:
    """A different draft from other phrasings, of the same family as the one it replaces
    (the family the first draft was based on is kept with the item)."""
    require_role(user, StaffRole.agent, "regenerating a draft")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_waiting(item)
        recent = await recent_replies(session, platform=item.platform, product_sku=item.product_sku)
        mention = item_mention(item)
        classification = item_classification(item)
        previous = item.draft_text
        draft = None
        for step in range(1, 6):  # a new seed; re-roll in the rare case the text repeats
            draft = await run_drafter(
                ctx.drafter,
                mention,
                classification,
                [*recent, previous],
                item.draft_seed + step,
                family=item.draft_family,
            )
            if draft.text != previous:
                break
        assert draft is not None
        item.draft_seed += step
        kept_family, kept_facts = item.draft_family, item.draft_facts
        apply_draft(item, draft)
        item.draft_family = draft.family or kept_family
        # Rows written before the classification was kept have no question spans: a
        # re-draft that finds none keeps the facts the first draft proposed.
        item.draft_facts = list(draft.facts) or kept_facts
        item.updated_at = utcnow()
        record_action(session, item, action="regenerate", actor=user.name, role=user.role)
    return draft_read(item)


@router.post("/lint", response_model=list[LintIssueRead])
async def lint(lint_in: LintIn, _: Staff) -> list[LintIssueRead]:
    """Check a text against the platform's rules (used by the editor as you type)."""
    return lint_text(lint_in.text, lint_in.platform, lint_in.kind)


@router.post("/queue/{mention_id}/lint", response_model=list[LintIssueRead])
async def lint_item_text(
    mention_id: str, lint_in: ItemLintIn, ctx: Context, _: Staff
) -> list[LintIssueRead]:
    """Check the text an agent is writing for this review: the platform's rules and the
    content rules that depend on the review (its stars, the draft's family, the facts)."""
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
    return lint_text(lint_in.text, item.platform, item.kind, item=item)


@router.post("/queue/{mention_id}/approve", response_model=ApproveResult)
async def approve_item(
    mention_id: str, approve_in: ApproveIn, ctx: Context, user: Staff
) -> ApproveResult:
    """Approve the reply: ingest posts it to the platform.

    Refused (422) while the lint finds an error, a question's `{answer}` placeholder
    included; refused (409) until every answer proposed from a seller fact is listed in
    `confirmed_facts`. The approved text is compared with the engine's draft (learning)."""
    require_role(user, StaffRole.agent, "approving a reply")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_waiting(item)
        if item.kind == MentionKind.mention.value:
            raise DomainError("monitor-only mentions cannot be answered", code="not_answerable")
        text = (approve_in.text if approve_in.text is not None else item.draft_text).strip()
        issues = lint_clean(text, item.platform, item.kind, item=item)
        check_fact_confirmations(item, approve_in.confirmed_facts)
        reply_id = mark_approved(item, text=text, user=user.name)
        note = (
            "confirmed seller facts: " + ", ".join(approve_in.confirmed_facts)
            if approve_in.confirmed_facts
            else None
        )
        record_action(session, item, action="approve", note=note, actor=user.name, role=user.role)
        await record_draft_edit(session, item, reply_id=reply_id, text=text, approved_by=user.name)
        await session.flush()
        # Published before the commit: if Kafka refuses, nothing is marked approved.
        await publish_approved(ctx, item, reply_id=reply_id, text=text, approved_by=user.name)
    ctx.metrics.approvals.labels(platform=item.platform).inc()
    return ApproveResult(mention_id=mention_id, reply_id=reply_id, state=item.state, lint=issues)


async def recorded(
    session: AsyncSession,
    item: QueueItem,
    user: Principal,
    *,
    action: str,
    note: str | None = None,
    step: str | None = None,
) -> ActionResult:
    """Record who did what to the item (the audit trail) and answer with the new state."""
    row = record_action(
        session, item, action=action, note=note, step=step, actor=user.name, role=user.role
    )
    await session.flush()  # the row's id and time, for the answer
    return action_result(item, ActionRead.model_validate(row))


def action_result(item: QueueItem, action: ActionRead) -> ActionResult:
    return ActionResult(
        mention_id=item.mention_id,
        state=item.state,
        assignee_id=item.assignee_id,
        assignee_name=item.assignee_name,
        dismiss_reason=item.dismiss_reason,
        case_state=item.case_state,
        action=action,
        resolution=item.resolution,
        follow_up_state=item.follow_up_state,
        follow_up=follow_up_read(item) if item.follow_up_state else None,
    )


def follow_up_read(item: QueueItem) -> FollowUpRead:
    text = item.follow_up_text or ""
    return FollowUpRead(
        mention_id=item.mention_id,
        follow_up_state=item.follow_up_state,
        follow_up_text=text,
        follow_up_script=item.follow_up_script,
        follow_up_similarity=item.follow_up_similarity,
        follow_up_reply_id=item.follow_up_reply_id,
        lint=lint_text(text, item.platform, item.kind),
    )


@router.post("/queue/{mention_id}/dismiss", response_model=ActionResult)
async def dismiss_item(
    mention_id: str, dismiss_in: DismissIn, ctx: Context, user: Staff
) -> ActionResult:
    """Leave the review unanswered, saying why (a negative needs a reason: 422 otherwise)."""
    require_role(user, StaffRole.agent, "dismissing an item")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        mark_dismissed(item, reason=dismiss_in.reason, user=user.name)
        return await recorded(session, item, user, action="dismiss", note=item.dismiss_reason)


@router.post("/queue/{mention_id}/assign", response_model=ActionResult)
async def assign_item(
    mention_id: str, assign_in: AssignIn, ctx: Context, user: Staff
) -> ActionResult:
    """Give the item to a member of the team (owner or admin)."""
    require_role(user, StaffRole.manager, "assigning an item")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        mark_assigned(
            item,
            assignee_id=assign_in.assignee_id.strip(),
            assignee_name=assign_in.assignee_name.strip(),
        )
        note = f"{item.assignee_name} ({item.assignee_id})"
        return await recorded(session, item, user, action="assign", note=note)


@router.post("/queue/{mention_id}/case", response_model=ActionResult)
async def case_step(
    mention_id: str, step_in: CaseStepIn, ctx: Context, user: Staff
) -> ActionResult:
    """A negative review's case, step by step: contacted_privately → resolved (owner+, with
    ``resolution``: what was done; the public follow-up is drafted from it and returned) →
    public_follow_up, taken by approving the follow-up (``/follow-up/approve``). Steps go
    in order, each once; each is recorded with who and when."""
    require_role(user, CASE_STEP_ROLE[step_in.step], f"the case step {step_in.step}")
    if step_in.resolution is not None and step_in.step != CaseState.resolved:
        raise DomainError(
            f"resolution: only with the step resolved (not {step_in.step})",
            code="resolution_unexpected",
            status_code=422,
        )
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        note = (step_in.note or "").strip() or None
        if step_in.step == CaseState.resolved:
            resolution = mark_resolved(item, resolution=step_in.resolution)
            record_action(
                session,
                item,
                action="case",
                step=CaseState.resolved,
                note=resolution if note is None else f"{resolution}\n{note}",
                actor=user.name,
                role=user.role,
            )
            draft = await draft_follow_up(session, item, drafter=ctx.follow_up_drafter)
            return await recorded(
                session, item, user, action="follow_up_draft", note=draft_note(draft.script_id)
            )
        if step_in.step == CaseState.public_follow_up and item.case_state == CaseState.resolved:
            raise DomainError(
                "the public follow-up is taken by approving its draft: "
                f"POST /api/queue/{mention_id}/follow-up/approve",
                code="approve_follow_up",
                status_code=409,
            )
        advance_case(item, step_in.step)
        return await recorded(session, item, user, action="case", step=step_in.step, note=note)


def draft_note(script_id: str | None) -> str:
    return f"script {script_id}" if script_id else "no script matched: write it by hand"


@router.put("/queue/{mention_id}/follow-up", response_model=FollowUpRead)
async def update_follow_up(
    mention_id: str, draft_in: DraftUpdate, ctx: Context, user: Staff
) -> FollowUpRead:
    """Save the edited public follow-up of a resolved case; answers with its lint."""
    require_role(user, StaffRole.agent, "editing the follow-up")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_follow_up_open(item)
        item.follow_up_text = draft_in.text
        item.updated_at = utcnow()
        record_action(session, item, action="follow_up_edit", actor=user.name, role=user.role)
    return follow_up_read(item)


@router.post("/queue/{mention_id}/follow-up/regenerate", response_model=FollowUpRead)
async def regenerate_follow_up(mention_id: str, ctx: Context, user: Staff) -> FollowUpRead:
    """A different follow-up from the resolution scripts' other phrasings."""
    require_role(user, StaffRole.agent, "regenerating the follow-up")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_follow_up_open(item)
        previous = item.follow_up_text
        for _ in range(5):  # a new seed; re-roll in the rare case the text repeats
            draft = await draft_follow_up(session, item, drafter=ctx.follow_up_drafter, seed_step=1)
            if draft.text != previous:
                break
        record_action(
            session,
            item,
            action="follow_up_regenerate",
            note=draft_note(item.follow_up_script),
            actor=user.name,
            role=user.role,
        )
    return follow_up_read(item)


@router.post("/queue/{mention_id}/follow-up/approve", response_model=ApproveResult)
async def approve_follow_up(
    mention_id: str, approve_in: ApproveIn, ctx: Context, user: Staff
) -> ApproveResult:
    """Approve the public follow-up (the case's last step): ingest posts it, as an edit of
    the first answer where the platform keeps one answer per review, else as a new one."""
    require_role(user, StaffRole.agent, "approving the follow-up")
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        ensure_follow_up_open(item)
        current = item.follow_up_text or ""
        text = (approve_in.text if approve_in.text is not None else current).strip()
        issues = lint_clean(text, item.platform, item.kind)
        first_out = item.state == QueueState.published
        advancing = item.case_state == CaseState.resolved
        reply_id = mark_follow_up_approved(item, text=text)
        if advancing:
            record_action(
                session,
                item,
                action="case",
                step=CaseState.public_follow_up,
                actor=user.name,
                role=user.role,
            )
        record_action(
            session,
            item,
            action="follow_up_approve",
            note=reply_id,
            actor=user.name,
            role=user.role,
        )
        await record_draft_edit(
            session,
            item,
            reply_id=reply_id,
            text=text,
            approved_by=user.name,
            target="follow_up",
        )
        await session.flush()
        # Published before the commit: if Kafka refuses, nothing is marked approved.
        await publish_approved(
            ctx,
            item,
            reply_id=reply_id,
            text=text,
            approved_by=user.name,
            edit=first_out and policy_for(item.platform).follow_up == "replace",
        )
    ctx.metrics.approvals.labels(platform=item.platform).inc()
    return ApproveResult(
        mention_id=mention_id, reply_id=reply_id, state=item.follow_up_state or "", lint=issues
    )


async def publish_approved(
    ctx: ResponderContext,
    item: QueueItem,
    *,
    reply_id: str,
    text: str,
    approved_by: str,
    edit: bool = False,
) -> None:
    """`replies.approved` for ingest to post; the first answer and the follow-up alike."""
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
            approved_by=approved_by,
            edit=edit,
        ),
    )
