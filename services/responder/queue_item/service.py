"""Queue items over a session: open from a classified mention, list, draft, approve.

No commits here: the caller (a Kafka handler or a request) commits at its boundary.
"""

from __future__ import annotations

import base64
import inspect
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Select, func, insert, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.responder.queue_item.models import ItemAssignment, QueueAction, QueueItem
from services.responder.queue_item.states import CaseState, FollowUpState, QueueState
from services.responder.users import StaffRole
from shared.db import UTCDateTime
from shared.events import Aspect, Classification, Mention, MentionKind, Product, Sentiment, utcnow
from shared.http import Conflict, DomainError, NotFound


@dataclass(frozen=True)
class AnswerOut:
    """A draft's answer to one question of the review.

    ``fact_id`` set: the text is the seller fact's wording, proposed for an agent to
    confirm; unset: ``text`` holds the ``{answer}`` placeholder a person replaces.
    """

    question: str
    fact_id: str | None
    text: str


@dataclass(frozen=True)
class DraftOut:
    text: str
    script_id: str | None
    similarity: float | None
    #: positive / neutral / negative / question / follow_up, or a contradiction script's
    #: family: what "another draft" keeps.
    family: str | None = None
    #: (move, the text it wrote), in order; None when it cannot be told apart.
    parts: tuple[tuple[str, str], ...] | None = None
    #: The draft's answer parts, one per question it answers (or leaves to a person).
    answers: tuple[AnswerOut, ...] = ()
    #: Ids of the seller facts the draft's text states, and the topics of all that applied.
    facts_used: tuple[str, ...] = ()
    fact_topics: tuple[str, ...] = ()
    #: Seller facts proposed as answers to the review's questions (see
    #: ``services.responder.fact.flows.FactPlan.uses``), for the agent to confirm.
    facts: tuple[dict[str, Any], ...] = ()


class Drafter(Protocol):
    """Writes a draft: (mention, classification, recent replies, seed) → draft, possibly as
    a coroutine (it reads the seller facts and asks for embeddings first); ``family`` keeps
    the family of the draft it replaces (None: the engine chooses)."""

    def __call__(
        self,
        mention: Mention,
        classification: Classification,
        recent: Sequence[str],
        seed: int,
        /,
        *,
        family: str | None = None,
    ) -> DraftOut | Awaitable[DraftOut]: ...


async def run_drafter(
    drafter: Drafter,
    mention: Mention,
    classification: Classification,
    recent: Sequence[str],
    seed: int,
    *,
    family: str | None = None,
) -> DraftOut:
    draft = (
        drafter(mention, classification, recent, seed, family=family)
        if family is not None
        else drafter(mention, classification, recent, seed)
    )
    return await draft if inspect.isawaitable(draft) else draft


#: Writes a resolved case's public follow-up: (mention, classification, resolution note,
#: recent replies, seed) → draft.
FollowUpDrafter = Callable[[Mention, Classification, str, Sequence[str], int], DraftOut]

#: States in which the item still waits for the team.
WAITING_STATES = (QueueState.open, QueueState.failed)


@dataclass(frozen=True)
class OpenResult:
    #: None for an item of a bulk batch, written by `insert_new_items` with the batch.
    item: QueueItem | None
    outcome: str  # opened | updated | duplicate


#: Same-product texts (replies and open drafts) the anti-template check compares with.
RECENT_LIMIT = 30
#: Shop-wide: the latest replies approved or published on the platform, any product.
SHOP_RECENT_LIMIT = 50
REPLIED_STATES = (QueueState.approved, QueueState.published)


async def product_recent(
    session: AsyncSession, *, platform: str, product_sku: str | None, limit: int = RECENT_LIMIT
) -> list[str]:
    """Recent answers and drafts for the same product and platform, newest first
    (ix_queue_items_recent)."""
    stmt = (
        select(func.coalesce(QueueItem.reply_text, QueueItem.draft_text))
        .where(QueueItem.platform == platform)
        .order_by(QueueItem.updated_at.desc())
        .limit(limit)
    )
    if product_sku:
        stmt = stmt.where(QueueItem.product_sku == product_sku)
    rows = await session.execute(stmt)
    return [text for (text,) in rows.all() if text]


async def shop_recent(
    session: AsyncSession, *, platform: str, limit: int = SHOP_RECENT_LIMIT
) -> list[str]:
    """The latest replies approved or published on the platform across the whole shop,
    newest first: a backward scan of the partial index ix_queue_items_replied."""
    rows = await session.execute(
        select(QueueItem.reply_text)
        .where(
            QueueItem.platform == platform,
            QueueItem.reply_text.is_not(None),
            QueueItem.state.in_(REPLIED_STATES),
        )
        .order_by(QueueItem.updated_at.desc())
        .limit(limit)
    )
    return [text for (text,) in rows.all() if text]


def merge_recent(product: Sequence[str], shop: Sequence[str]) -> list[str]:
    """The product's texts first, then the shop's, each text once."""
    seen: set[str] = set()
    out: list[str] = []
    for text in (*product, *shop):
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


async def recent_replies(
    session: AsyncSession, *, platform: str, product_sku: str | None, limit: int = RECENT_LIMIT
) -> list[str]:
    """What a new draft must not read like: the product's recent replies and drafts and
    the shop's latest replies on the platform (a sentence repeated across products reads
    as a template on the shop's cards too), oldest first as the draft engine reads them
    (the product's newest last: they weigh most)."""
    product = await product_recent(session, platform=platform, product_sku=product_sku, limit=limit)
    return merge_recent(product, await shop_recent(session, platform=platform))[::-1]


@dataclass
class BatchContext:
    """What a batch of classified mentions needs from the database: the items, the
    assignments, and one recent-replies query per product and one per platform.

    Recent replies are kept per (platform, product) and grow with the batch's own drafts,
    so two reviews of one product in one batch are not answered alike either.
    """

    items: dict[str, QueueItem]
    assignments: dict[str, ItemAssignment]
    recent: dict[tuple[str, str | None], list[str]]
    #: Shop-wide replies per platform, newest first (not grown by the batch's drafts).
    shop: dict[str, list[str]] = field(default_factory=dict)
    #: With `bulk`: the batch's new items as column values, written in one multi-row
    #: INSERT by `insert_new_items` (an ORM object per item costs more than its draft's
    #: storage should); None: new items are ORM objects added to the session.
    new_rows: dict[str, dict[str, Any]] | None = None


async def load_batch_context(
    session: AsyncSession, mentions: Sequence[Mention], *, bulk: bool = False
) -> BatchContext:
    ids = list({str(m.mention_id) for m in mentions})
    items = {
        i.mention_id: i
        for i in (await session.execute(select(QueueItem).where(QueueItem.mention_id.in_(ids))))
        .scalars()
        .all()
    }
    assignments = {
        a.mention_id: a
        for a in (
            await session.execute(select(ItemAssignment).where(ItemAssignment.mention_id.in_(ids)))
        )
        .scalars()
        .all()
    }
    keys = {(m.platform, m.product.sku) for m in mentions}
    recent = await recent_replies_for(session, keys)
    shop = {p: await shop_recent(session, platform=p) for p in {m.platform for m in mentions}}
    return BatchContext(
        items=items,
        assignments=assignments,
        recent=recent,
        shop=shop,
        new_rows={} if bulk else None,
    )


async def insert_new_items(session: AsyncSession, batch: BatchContext) -> None:
    """The batch's new items (`BatchContext.new_rows`) in one multi-row INSERT."""
    if batch.new_rows:
        await session.execute(insert(QueueItem), list(batch.new_rows.values()))
        batch.new_rows.clear()


async def recent_replies_for(
    session: AsyncSession, keys: set[tuple[str, str | None]], limit: int = RECENT_LIMIT
) -> dict[tuple[str, str | None], list[str]]:
    """`recent_replies` for every (platform, product) of a batch, oldest first, in one
    query (a window over the recent-replies index) instead of one per product."""
    recent: dict[tuple[str, str | None], list[str]] = {key: [] for key in keys}
    for platform, sku in keys:
        if sku is None:  # no product: the platform's latest replies (rare)
            replies = await product_recent(session, platform=platform, product_sku=None)
            recent[(platform, None)] = list(reversed(replies))
    with_sku = [key for key in keys if key[1] is not None]
    if not with_sku:
        return recent
    rank = (
        func.row_number()
        .over(
            partition_by=(QueueItem.platform, QueueItem.product_sku),
            order_by=QueueItem.updated_at.desc(),
        )
        .label("rank")
    )
    text = func.coalesce(QueueItem.reply_text, QueueItem.draft_text).label("text")
    ranked = (
        select(QueueItem.platform, QueueItem.product_sku, text, rank)
        .where(tuple_(QueueItem.platform, QueueItem.product_sku).in_(with_sku))
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.platform, ranked.c.product_sku, ranked.c.text)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.platform, ranked.c.product_sku, ranked.c.rank.desc())
    )
    for platform, sku, reply in rows.all():
        if reply:
            recent[(platform, sku)].append(reply)  # oldest first; new drafts are appended
    return recent


async def open_item(
    session: AsyncSession,
    *,
    mention: Mention,
    classification: Classification,
    due_at: datetime,
    drafter: Drafter,
    batch: BatchContext | None = None,
) -> OpenResult:
    """Create the item, or update it when the customer edited the review."""
    if batch is None:
        batch = await load_batch_context(session, [mention])
    mention_id = str(mention.mention_id)
    item = batch.items.get(mention_id)
    pending = batch.new_rows.get(mention_id) if batch.new_rows is not None else None
    now = utcnow()
    if item is not None and item.revision == mention.revision:
        return OpenResult(item, "duplicate")
    if pending is not None and pending["revision"] == mention.revision:
        return OpenResult(None, "duplicate")
    recent_list = batch.recent.setdefault((mention.platform, mention.product.sku), [])
    product = recent_list[-RECENT_LIMIT:][::-1]
    is_new = item is None and pending is None
    seed = uuid.UUID(mention_id).int % 1_000_000 + (len(product) if is_new else 0)
    # oldest first, as the engine reads them (the product's newest last: they weigh most);
    # both bounded, so what each attempt is compared with does not grow with the history
    shop = batch.shop.get(mention.platform, [])[:SHOP_RECENT_LIMIT]
    recent = merge_recent(product, shop)[::-1]
    draft = await run_drafter(drafter, mention, classification, recent, seed)
    fields: dict[str, Any] = {
        "platform": mention.platform,
        "source_id": mention.source_id,
        "external_id": mention.external_id,
        "kind": mention.kind.value,
        "revision": mention.revision,
        "text": mention.text,
        "pros": mention.pros,
        "cons": mention.cons,
        "rating": mention.rating,
        "author": mention.author,
        "product_sku": mention.product.sku,
        "product_name": mention.product.name,
        "brand": mention.product.brand,
        "url": mention.url,
        "published_at": mention.published_at,
        "supplements": mention.supplements,
        "sentiment": classification.sentiment.value,
        "sentiment_score": classification.score,
        "language": classification.language,
        "aspects": [a.model_dump(mode="json") for a in classification.aspects],
        "rating_contradiction": classification.rating_contradiction,
        "classification": classification.model_dump(mode="json"),
        "updated_at": now,
    }
    recent_list.append(draft.text)
    if batch.new_rows is not None and item is None:
        assignment = batch.assignments.get(mention_id)
        if assignment is not None and pending is None:
            fields["assignee_id"] = assignment.owner_id
            fields["assignee_name"] = assignment.owner_name
        return _open_row(
            batch.new_rows, pending, mention, mention_id, due_at, seed, now, fields, draft
        )
    if item is None:
        assignment = batch.assignments.get(mention_id)
        if assignment is not None:
            fields["assignee_id"] = assignment.owner_id
            fields["assignee_name"] = assignment.owner_name
        item = QueueItem(
            mention_id=mention_id,
            state=QueueState.closed if mention.kind is MentionKind.mention else QueueState.open,
            due_at=due_at,
            draft_seed=seed,
            created_at=now,
            **fields,
        )
        apply_draft(item, draft)
        session.add(item)
        batch.items[mention_id] = item
        return OpenResult(item, "opened")
    for key, value in fields.items():
        setattr(item, key, value)
    if item.state in WAITING_STATES:  # an answer in flight or out keeps its text
        apply_draft(item, draft)
    return OpenResult(item, "updated")


def _open_row(
    rows: dict[str, dict[str, Any]],
    pending: dict[str, Any] | None,
    mention: Mention,
    mention_id: str,
    due_at: datetime,
    seed: int,
    now: datetime,
    fields: dict[str, Any],
    draft: DraftOut,
) -> OpenResult:
    """`open_item` for a bulk batch: the new item as column values (the same values the
    ORM path gives it), or an edit of one opened earlier in the same batch."""
    if pending is not None:
        pending.update(fields)
        if pending["state"] in WAITING_STATES:
            pending.update(draft_fields(draft))
        return OpenResult(None, "updated")
    rows[mention_id] = {
        "mention_id": mention_id,
        "state": QueueState.closed if mention.kind is MentionKind.mention else QueueState.open,
        "due_at": due_at,
        "draft_seed": seed,
        "created_at": now,
        "assignee_id": None,  # every row has the same columns (one multi-row INSERT)
        "assignee_name": None,
        **fields,
        **draft_fields(draft),
    }
    return OpenResult(None, "opened")


def draft_fields(draft: DraftOut) -> dict[str, Any]:
    """The item's columns that show this draft, and what it was based on."""
    return {
        "draft_text": draft.text,
        "draft_generated": draft.text,
        "draft_script": draft.script_id,
        "draft_similarity": draft.similarity,
        "draft_family": draft.family,
        "draft_parts": [list(p) for p in draft.parts] if draft.parts is not None else None,
        "draft_answers": [
            {"question": a.question, "fact_id": a.fact_id, "text": a.text} for a in draft.answers
        ],
        "draft_facts_used": list(draft.facts_used),
        "draft_fact_topics": list(draft.fact_topics),
        "draft_facts": list(draft.facts),
    }


def apply_draft(item: QueueItem, draft: DraftOut) -> None:
    """The item shows this draft, and keeps what it was based on."""
    for key, value in draft_fields(draft).items():
        setattr(item, key, value)


async def record_assignment(
    session: AsyncSession, *, mention_id: str, owner_id: str, owner_name: str, team: str | None
) -> None:
    """Keep the owner; show it on the item now or when the item opens."""
    assignment = await session.get(ItemAssignment, mention_id)
    if assignment is None:
        assignment = ItemAssignment(mention_id=mention_id)
        session.add(assignment)
    assignment.owner_id = owner_id
    assignment.owner_name = owner_name
    assignment.team = team
    assignment.updated_at = utcnow()
    item = await session.get(QueueItem, mention_id)
    if item is not None:
        item.assignee_id = owner_id
        item.assignee_name = owner_name


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the last row of the previous page, in (due_at, mention_id) order."""

    due_at: datetime
    mention_id: str

    def encode(self) -> str:
        raw = f"{self.due_at.isoformat()}|{self.mention_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            due, mention_id = raw.split("|", 1)
            due_at = datetime.fromisoformat(due)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError("not a cursor from this API") from exc
        if due_at.tzinfo is None or not mention_id or len(mention_id) > 36:
            raise ValueError("not a cursor from this API")
        return cls(due_at, mention_id)


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = None
    platform: str | None = None
    sentiment: Sentiment | None = None
    assignee_id: str | None = None
    brand: str | None = None
    product: str | None = None
    #: "breached" (deadline passed) or "due_soon" (deadline within ``soon`` of ``now``).
    sla: str | None = None
    now: datetime | None = None
    soon: timedelta = timedelta(hours=4)
    q: str | None = None
    limit: int = 50
    offset: int = 0
    after: Cursor | None = None


def _filtered(stmt: Select[Any], f: QueueFilter) -> Select[Any]:
    if f.state:
        stmt = stmt.where(QueueItem.state == f.state)
    if f.platform:
        stmt = stmt.where(QueueItem.platform == f.platform)
    if f.sentiment:
        stmt = stmt.where(QueueItem.sentiment == f.sentiment.value)
    if f.assignee_id:
        stmt = stmt.where(QueueItem.assignee_id == f.assignee_id)
    if f.brand:
        stmt = stmt.where(QueueItem.brand == f.brand)
    if f.product:
        stmt = stmt.where(QueueItem.product_sku == f.product)
    if f.sla:
        now = f.now or utcnow()
        if f.sla == "breached":
            stmt = stmt.where(QueueItem.due_at <= now)
        elif f.sla == "due_soon":
            stmt = stmt.where(QueueItem.due_at > now, QueueItem.due_at <= now + f.soon)
        else:
            raise ValueError(f"unknown sla filter {f.sla!r}")
    if f.q:
        stmt = stmt.where(QueueItem.text.ilike(search_pattern(f.q), escape="\\"))
    return stmt


def search_pattern(q: str) -> str:
    """`q` as a literal substring for (I)LIKE: its %, _ and \\ match themselves.

    On PostgreSQL `ILIKE '%word%'` is answered by the pg_trgm GIN index on the text (for
    words of 3+ characters); SQLite scans (and folds case for ASCII letters only).
    """
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: Counting stops here: an exact count of 100k rows costs more than the page itself.
COUNT_CAP = 1_000


async def count_items(session: AsyncSession, f: QueueFilter) -> tuple[int, bool]:
    """How many items match, up to COUNT_CAP; and whether there are more."""
    capped = _filtered(select(QueueItem.mention_id), f).limit(COUNT_CAP + 1).subquery()
    total = int(await session.scalar(select(func.count()).select_from(capped)) or 0)
    return min(total, COUNT_CAP), total > COUNT_CAP


async def list_items(
    session: AsyncSession, f: QueueFilter, *, count: bool = True
) -> tuple[list[QueueItem], int | None, bool]:
    """Items by deadline, soonest first; how many match (up to COUNT_CAP; None when
    ``count`` is false); whether the count was capped.

    With ``f.after`` the page starts after that row (keyset: a row-value range scan on
    the (state, due_at, mention_id) index, as fast on page 2,000 as on page 1).
    """
    total, capped = await count_items(session, f) if count else (None, False)
    rows = await session.execute(list_query(f))
    return list(rows.scalars()), total, capped


def list_query(f: QueueFilter) -> Select[Any]:
    """The page's query: filtered, by deadline, from the keyset position or the offset."""
    stmt = _filtered(select(QueueItem), f).order_by(QueueItem.due_at, QueueItem.mention_id)
    if f.after is not None:
        stmt = stmt.where(
            tuple_(QueueItem.due_at, QueueItem.mention_id)
            > tuple_(literal(f.after.due_at, UTCDateTime()), literal(f.after.mention_id))
        )
    else:
        stmt = stmt.offset(f.offset)
    return stmt.limit(f.limit)


async def get_item(session: AsyncSession, mention_id: str) -> QueueItem:
    item = await session.get(QueueItem, mention_id)
    if item is None:
        raise NotFound(f"no queue item {mention_id}")
    return item


def ensure_waiting(item: QueueItem) -> None:
    if item.state not in WAITING_STATES:
        raise Conflict(f"item is {item.state}: it no longer waits for an answer")


def mark_approved(item: QueueItem, *, text: str, user: str) -> str:
    ensure_waiting(item)
    reply_id = str(uuid.uuid4())
    item.state = QueueState.approved
    item.reply_id = reply_id
    item.reply_text = text
    item.reply_error = None
    item.approved_by = user
    item.updated_at = utcnow()
    return reply_id


def record_action(
    session: AsyncSession,
    item: QueueItem,
    *,
    action: str,
    actor: str,
    role: str,
    note: str | None = None,
    step: str | None = None,
) -> QueueAction:
    row = QueueAction(
        mention_id=item.mention_id,
        action=action,
        step=step,
        note=note,
        actor=actor,
        actor_role=role,
        created_at=utcnow(),
    )
    session.add(row)
    return row


async def item_actions(session: AsyncSession, mention_id: str) -> list[QueueAction]:
    rows = await session.execute(
        select(QueueAction)
        .where(QueueAction.mention_id == mention_id)
        .order_by(QueueAction.created_at, QueueAction.id)
    )
    return list(rows.scalars())


def mark_dismissed(item: QueueItem, *, reason: str | None, user: str) -> None:
    """Not answering is a decision: a negative review is never hidden without a reason."""
    ensure_waiting(item)
    reason = (reason or "").strip() or None
    if item.sentiment == Sentiment.negative.value and reason is None:
        raise DomainError(
            "reason: a negative review cannot be dismissed without a reason",
            code="reason_required",
            status_code=422,
        )
    item.state = QueueState.dismissed
    item.dismiss_reason = reason
    item.dismissed_by = user
    item.updated_at = utcnow()


def mark_assigned(item: QueueItem, *, assignee_id: str, assignee_name: str) -> None:
    item.assignee_id = assignee_id
    item.assignee_name = assignee_name
    item.updated_at = utcnow()


#: A negative review's case, in order; each step may be recorded once.
CASE_STEPS = tuple(CaseState)
#: Closing the case is a manager's call.
CASE_STEP_ROLE = {
    CaseState.contacted_privately: StaffRole.agent,
    CaseState.resolved: StaffRole.manager,
    CaseState.public_follow_up: StaffRole.agent,
}


def advance_case(item: QueueItem, step: CaseState) -> None:
    if item.sentiment != Sentiment.negative.value:
        raise DomainError(
            "the case workflow is for negative reviews", code="not_negative", status_code=422
        )
    if item.state == QueueState.closed:
        raise Conflict("monitor-only mentions have no case")
    done = CASE_STEPS.index(item.case_state) + 1 if item.case_state else 0
    wanted = CASE_STEPS.index(step)
    if wanted != done:
        expected = CASE_STEPS[done] if done < len(CASE_STEPS) else None
        raise Conflict(
            f"step {step} is out of order: "
            + (f"the next step is {expected}" if expected else "the case is complete")
        )
    item.case_state = step
    item.updated_at = utcnow()


#: Longest resolution note the follow-up can carry (every platform's cap is above it but
#: Google Play's 350 characters, which the lint then reports).
RESOLUTION_MAX = 1000
#: The first answer is out (or deliberately not given): a follow-up may go after it.
FOLLOW_UP_AFTER = (QueueState.published, QueueState.dismissed)


def mark_resolved(item: QueueItem, *, resolution: str | None) -> str:
    """The owner's summary of what was done is required: the public follow-up states it."""
    text = " ".join((resolution or "").split())
    if not text:
        raise DomainError(
            "resolution: say what was done to resolve the case (the public follow-up states it)",
            code="resolution_required",
            status_code=422,
        )
    if len(text) > RESOLUTION_MAX:
        raise DomainError(
            f"resolution: at most {RESOLUTION_MAX} characters (has {len(text)})",
            code="resolution_too_long",
            status_code=422,
        )
    advance_case(item, CaseState.resolved)
    item.resolution = text
    return text


async def draft_follow_up(
    session: AsyncSession, item: QueueItem, *, drafter: FollowUpDrafter, seed_step: int = 0
) -> DraftOut:
    """Draft (or re-draw) the public follow-up from a resolution script.

    Compared with the recent replies of the product on the platform and with the item's
    own first answer, so the follow-up neither repeats the shop's other replies nor itself.
    """
    assert item.resolution is not None
    recent = await recent_replies(session, platform=item.platform, product_sku=item.product_sku)
    avoid = recent + [t for t in (item.reply_text, item.follow_up_text) if t]
    seed = uuid.UUID(item.mention_id).int % 1_000_000 + item.follow_up_seed + seed_step
    draft = drafter(item_mention(item), item_classification(item), item.resolution, avoid, seed)
    item.follow_up_seed += seed_step
    item.follow_up_state = FollowUpState.drafted
    item.follow_up_text = draft.text
    item.follow_up_generated = draft.text
    item.follow_up_script = draft.script_id
    item.follow_up_similarity = draft.similarity
    item.follow_up_error = None
    item.updated_at = utcnow()
    return draft


def ensure_follow_up_open(item: QueueItem) -> None:
    """The follow-up can be edited and approved while drafted, or again after a failure."""
    if item.follow_up_state is None:
        raise Conflict("no follow-up yet: the case must be resolved first")
    if item.follow_up_state not in (FollowUpState.drafted, FollowUpState.failed):
        raise Conflict(f"the follow-up is {item.follow_up_state}: it can no longer change")


def mark_follow_up_approved(item: QueueItem, *, text: str) -> str:
    """Approve the follow-up (the case's last step); answers the new reply id."""
    ensure_follow_up_open(item)
    if item.state not in FOLLOW_UP_AFTER:
        raise Conflict(
            f"the first answer is {item.state}: approve and publish it (or dismiss the "
            "review with a reason) before the public follow-up"
        )
    if item.case_state == CaseState.resolved:
        advance_case(item, CaseState.public_follow_up)
    reply_id = str(uuid.uuid4())
    item.follow_up_state = FollowUpState.approved
    item.follow_up_text = text
    item.follow_up_reply_id = reply_id
    item.follow_up_error = None
    item.updated_at = utcnow()
    return reply_id


def sla_state(item: QueueItem, now: datetime, soon: timedelta) -> str:
    if now >= item.due_at:
        return "breached"
    if item.due_at - now <= soon:
        return "due_soon"
    return "ok"


def item_mention(item: QueueItem) -> Mention:
    """The mention as the drafter needs it, rebuilt from the stored item."""
    return Mention(
        mention_id=uuid.UUID(item.mention_id),
        platform=item.platform,
        source_id=item.source_id,
        external_id=item.external_id,
        kind=MentionKind(item.kind),
        text=item.text,
        pros=item.pros,
        cons=item.cons,
        rating=item.rating,
        author=item.author,
        product=Product(sku=item.product_sku, name=item.product_name, brand=item.brand),
        url=item.url,
        published_at=item.published_at,
        revision=item.revision,
    )


def item_classification(item: QueueItem) -> Classification:
    """The classification the draft was based on, signals included; rows written before
    it was kept are rebuilt from the old columns (no questions, sarcasm, slip, remark)."""
    if item.classification:
        try:
            return Classification.model_validate(item.classification)
        except ValueError:
            pass  # a stored shape this version cannot read: fall back to the columns
    return Classification(
        sentiment=Sentiment(item.sentiment),
        score=item.sentiment_score,
        language=item.language,
        aspects=[Aspect.model_validate(a) for a in item.aspects],
        rating_contradiction=item.rating_contradiction,
    )


@dataclass(frozen=True)
class QueueSummary:
    """The header of the queue page: what waits, what is urgent, how today went."""

    open: int
    due_soon: int
    breached: int
    answered_today: int
    answered_today_in_time: int

    @property
    def in_time_ratio(self) -> float | None:
        if not self.answered_today:
            return None
        return self.answered_today_in_time / self.answered_today


async def queue_summary(session: AsyncSession, *, now: datetime, soon: timedelta) -> QueueSummary:
    """Four indexed counts (state + due_at; answered_at for today's answers)."""
    waiting = select(func.count(QueueItem.mention_id)).where(QueueItem.state.in_(WAITING_STATES))
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    answered = select(func.count(QueueItem.mention_id)).where(
        QueueItem.state == QueueState.published, QueueItem.answered_at >= midnight
    )
    return QueueSummary(
        open=int(await session.scalar(waiting) or 0),
        due_soon=int(
            await session.scalar(
                waiting.where(QueueItem.due_at > now, QueueItem.due_at <= now + soon)
            )
            or 0
        ),
        breached=int(await session.scalar(waiting.where(QueueItem.due_at <= now)) or 0),
        answered_today=int(await session.scalar(answered) or 0),
        answered_today_in_time=int(
            await session.scalar(answered.where(QueueItem.answered_at <= QueueItem.due_at)) or 0
        ),
    )
