"""Keeping the insight aggregates current from events.

The core is pure: `contribution(state)` says what one mention adds to every aggregate
table; `delta(old, new)` is what must change when its state changes. The async functions
load the mention's row (locked), change its state from one event, and apply the delta with
additive upserts. A replay yields the same state, hence an empty delta: nothing counts
twice. An edited review (same mention id, new revision) moves its counts.

No commits here: the Kafka handler commits at its boundary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.responder.db import Base
from services.responder.insight.models import (
    AspectDaily,
    AspectQuote,
    InsightCrisis,
    InsightMention,
    InsightOwner,
    InsightProduct,
    MentionDaily,
    OwnerDaily,
    OwnerProductDaily,
    ProductDaily,
    SlaDaily,
)
from shared.db import insert_ignore
from shared.events import AlertRaised, Classification, Mention, MentionKind, Sentiment, SlaState

#: Example quotes kept per (product, aspect, polarity): enough to show, bounded in size.
QUOTES_PER_BUCKET = 5
QUOTE_CHARS = 280

MENTION_COUNTS = ("mentions", "positive", "neutral", "negative", "rating_sum", "rating_count")
ASPECT_COUNTS = ("positive", "neutral", "negative")
ANSWER_COUNTS = (
    "answerable",
    "answered",
    "answer_seconds",
    "answered_1h",
    "answered_4h",
    "answered_24h",
    "sla_met",
    "sla_breached",
)


@dataclass(frozen=True)
class TableSpec:
    model: type[Base]
    keys: tuple[str, ...]
    counts: tuple[str, ...]


#: Every additive aggregate, by the name used in contributions.
TABLES: dict[str, TableSpec] = {
    "mentions_daily": TableSpec(MentionDaily, ("day", "platform", "brand"), MENTION_COUNTS),
    "product_daily": TableSpec(ProductDaily, ("day", "platform", "brand", "sku"), MENTION_COUNTS),
    "aspect_daily": TableSpec(
        AspectDaily, ("day", "platform", "brand", "sku", "aspect"), ASPECT_COUNTS
    ),
    "sla_daily": TableSpec(SlaDaily, ("day", "platform", "brand"), ANSWER_COUNTS),
    "owner_daily": TableSpec(OwnerDaily, ("day", "platform", "brand", "owner_id"), ANSWER_COUNTS),
    "owner_product_daily": TableSpec(
        OwnerProductDaily, ("day", "platform", "brand", "sku", "owner_id"), ANSWER_COUNTS
    ),
}

#: {table: {key tuple: {column: count}}}; keys hold ISO day strings (JSON-friendly).
Contribution = dict[str, dict[tuple[str, ...], dict[str, int]]]


@dataclass(frozen=True)
class MentionState:
    """What the aggregates are computed from: plain data, no session."""

    classified: bool = False
    platform: str = ""
    brand: str = ""
    sku: str = ""
    kind: str = MentionKind.review.value
    published_at: datetime | None = None
    sentiment: str = ""
    rating: int | None = None
    #: ((aspect, polarity), ...) distinct pairs.
    aspects: tuple[tuple[str, str], ...] = ()
    owner_id: str = ""
    due_at: datetime | None = None
    answered_at: datetime | None = None
    sla_met: bool = False
    sla_breached: bool = False


def sla_outcome(state: MentionState) -> str | None:
    """'met', 'breached' or None (still open): from SLA events and the answer time."""
    late = (
        state.answered_at is not None
        and state.due_at is not None
        and state.answered_at > state.due_at
    )
    on_time = (
        state.answered_at is not None
        and state.due_at is not None
        and state.answered_at <= state.due_at
    )
    if state.sla_breached or late:
        return "breached"
    if state.sla_met or on_time:
        return "met"
    return None


def contribution(state: MentionState) -> Contribution:
    """Everything one mention adds to the aggregates, given what is known of it."""
    out: Contribution = {}
    if not state.classified or state.published_at is None:
        return out
    day = state.published_at.date().isoformat()
    counts = {"mentions": 1}
    if state.sentiment in ("positive", "neutral", "negative"):
        counts[state.sentiment] = 1
    if state.rating is not None:
        counts["rating_sum"] = state.rating
        counts["rating_count"] = 1
    out["mentions_daily"] = {(day, state.platform, state.brand): dict(counts)}
    out["product_daily"] = {(day, state.platform, state.brand, state.sku): dict(counts)}
    aspects: dict[tuple[str, ...], dict[str, int]] = {}
    for aspect, polarity in state.aspects:
        if polarity in ASPECT_COUNTS:
            key = (day, state.platform, state.brand, state.sku, aspect)
            aspects.setdefault(key, {})[polarity] = 1
    if aspects:
        out["aspect_daily"] = aspects
    if state.kind == MentionKind.mention.value:
        return out  # media mentions are monitored, never answered
    answer = {"answerable": 1}
    if state.answered_at is not None:
        seconds = max(0, int((state.answered_at - state.published_at).total_seconds()))
        answer["answered"] = 1
        answer["answer_seconds"] = seconds
        answer["answered_1h"] = int(seconds <= 3600)
        answer["answered_4h"] = int(seconds <= 4 * 3600)
        answer["answered_24h"] = int(seconds <= 24 * 3600)
    outcome = sla_outcome(state)
    if outcome is not None:
        answer[f"sla_{outcome}"] = 1
    answer = {k: v for k, v in answer.items() if v}
    out["sla_daily"] = {(day, state.platform, state.brand): dict(answer)}
    out["owner_daily"] = {(day, state.platform, state.brand, state.owner_id): dict(answer)}
    out["owner_product_daily"] = {
        (day, state.platform, state.brand, state.sku, state.owner_id): dict(answer)
    }
    return out


def merge(into: Contribution, other: Contribution, sign: int = 1) -> Contribution:
    """Add `other` (times `sign`) into `into`, dropping counts that cancel out."""
    for table, rows in other.items():
        target = into.setdefault(table, {})
        for key, counts in rows.items():
            cell = target.setdefault(key, {})
            for column, value in counts.items():
                total = cell.get(column, 0) + sign * value
                if total:
                    cell[column] = total
                else:
                    cell.pop(column, None)
            if not cell:
                del target[key]
        if not target:
            del into[table]
    return into


def delta(old: Contribution, new: Contribution) -> Contribution:
    """What the aggregates must change when a mention's contribution goes old → new."""
    return merge(merge({}, new), old, sign=-1)


def contribution_to_json(value: Contribution) -> dict[str, Any]:
    return {table: [[list(k), c] for k, c in rows.items()] for table, rows in value.items()}


def contribution_from_json(value: Mapping[str, Any] | None) -> Contribution:
    return {table: {tuple(k): dict(c) for k, c in rows} for table, rows in (value or {}).items()}


def state_of(row: InsightMention) -> MentionState:
    return MentionState(
        classified=row.classified,
        platform=row.platform,
        brand=row.brand,
        sku=row.sku,
        kind=row.kind,
        published_at=row.published_at,
        sentiment=row.sentiment,
        rating=row.rating,
        aspects=tuple((a, p) for a, p, *_ in row.aspects or []),
        owner_id=row.owner_id,
        due_at=row.due_at,
        answered_at=row.answered_at,
        sla_met=row.sla_met,
        sla_breached=row.sla_breached,
    )


def _row_values(spec: TableSpec, key: tuple[str, ...], counts: Mapping[str, int]) -> dict[str, Any]:
    values: dict[str, Any] = dict(zip(spec.keys, key, strict=True))
    values["day"] = date.fromisoformat(values["day"])
    for column in spec.counts:
        values[column] = counts.get(column, 0)
    return values


async def apply_delta(session: AsyncSession, change: Contribution) -> None:
    """Add a delta to the aggregate tables: one additive upsert per table (keys sorted,
    so concurrent writers lock rows in the same order)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    for name in sorted(change):
        spec = TABLES[name]
        rows = [_row_values(spec, key, counts) for key, counts in sorted(change[name].items())]
        if not rows:
            continue
        table: Any = spec.model.__table__
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(spec.keys),
            set_={c: table.c[c] + stmt.excluded[c] for c in spec.counts},
        )
        await session.execute(stmt, rows)


# --- per-event state changes --------------------------------------------------------------


async def _locked_row(session: AsyncSession, mention_id: str) -> InsightMention:
    """The mention's row, created if new, locked until commit (PostgreSQL) so two
    consumers of different topics cannot interleave their read-modify-write."""
    await insert_ignore(
        session,
        InsightMention,
        {"mention_id": mention_id, "aspects": [], "contribution": {}},
        conflict_on=["mention_id"],
    )
    stmt = (
        select(InsightMention)
        .where(InsightMention.mention_id == mention_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one()


async def _refresh(session: AsyncSession, row: InsightMention) -> Contribution:
    """Move the row's aggregates from what it last added to what it adds now."""
    new = contribution(state_of(row))
    change = delta(contribution_from_json(row.contribution), new)
    if change:
        await apply_delta(session, change)
        row.contribution = contribution_to_json(new)
    return change


_SENTENCE_END = re.compile(r"[.!?\n]")


def quote_for(full_text: str, start: int, end: int, span: str) -> str:
    """The sentence around an aspect's span: what the customer actually said about it."""
    if 0 <= start < end <= len(full_text) and full_text[start:end].strip():
        left = max((m.end() for m in _SENTENCE_END.finditer(full_text, 0, start)), default=0)
        right_match = _SENTENCE_END.search(full_text, end)
        right = right_match.end() if right_match else len(full_text)
        text = full_text[left:right].strip()
    else:
        text = (span or full_text).strip()
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def normalise_aspect(name: str) -> str:
    return " ".join(name.split()).casefold()[:100]


def aspects_of(mention: Mention, classification: Classification) -> list[list[str]]:
    """Distinct (aspect, polarity) pairs with the first quote for each."""
    seen: dict[tuple[str, str], str] = {}
    full = mention.full_text
    for a in classification.aspects:
        name = normalise_aspect(a.aspect)
        if not name:
            continue
        key = (name, a.polarity.value)
        if key not in seen:
            seen[key] = quote_for(full, a.start, a.end, a.text)
    return [[aspect, polarity, quote] for (aspect, polarity), quote in seen.items()]


async def _sync_quotes(session: AsyncSession, rows: Sequence[InsightMention]) -> None:
    """Replace these mentions' quotes with their current ones; keep each bucket bounded.

    A batch at once: one delete, the inserts, one ranked query for what overflows."""
    if not rows:
        return
    await session.execute(
        delete(AspectQuote).where(AspectQuote.mention_id.in_([r.mention_id for r in rows]))
    )
    buckets: set[tuple[str, str, str]] = set()
    for row in rows:
        if not row.classified or row.published_at is None or row.kind == MentionKind.mention.value:
            continue
        for aspect, polarity, quote in row.aspects or []:
            if polarity == Sentiment.neutral.value or not quote:
                continue
            session.add(
                AspectQuote(
                    mention_id=row.mention_id,
                    aspect=aspect,
                    polarity=polarity,
                    sku=row.sku,
                    platform=row.platform,
                    brand=row.brand,
                    quote=quote,
                    published_at=row.published_at,
                )
            )
            buckets.add((row.sku, aspect, polarity))
    if not buckets:
        return
    await session.flush()
    bucket = (AspectQuote.sku, AspectQuote.aspect, AspectQuote.polarity)
    rank = (
        func.row_number()
        .over(
            partition_by=bucket,
            order_by=(AspectQuote.published_at.desc(), AspectQuote.mention_id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(AspectQuote.mention_id, AspectQuote.aspect, AspectQuote.polarity, rank)
        .where(tuple_(*bucket).in_(sorted(buckets)))
        .subquery()
    )
    stale = (
        await session.execute(
            select(ranked.c.mention_id, ranked.c.aspect, ranked.c.polarity).where(
                ranked.c.rank > QUOTES_PER_BUCKET
            )
        )
    ).all()
    if stale:
        await session.execute(
            delete(AspectQuote).where(
                tuple_(AspectQuote.mention_id, AspectQuote.aspect, AspectQuote.polarity).in_(
                    [tuple(r) for r in stale]
                )
            )
        )


async def _remember_products(session: AsyncSession, mentions: Sequence[Mention]) -> None:
    """Each product's display name and brand, the latest mention's winning (one read)."""
    skus = sorted({m.product.sku for m in mentions if m.product.sku})
    if not skus:
        return
    known = {
        p.sku: p
        for p in (await session.execute(select(InsightProduct).where(InsightProduct.sku.in_(skus))))
        .scalars()
        .all()
    }
    for mention in mentions:
        sku = mention.product.sku or ""
        if not sku:
            continue
        product = known.get(sku)
        if product is None:
            known[sku] = InsightProduct(
                sku=sku, name=mention.product.name or "", brand=mention.product.brand or ""
            )
            session.add(known[sku])
        else:
            product.name = mention.product.name or product.name
            product.brand = mention.product.brand or product.brand


@dataclass(frozen=True)
class Classified:
    """One classified mention as the aggregates take it (an event of a Kafka batch)."""

    mention: Mention
    classification: Classification
    occurred_at: datetime
    due_at: datetime | None


async def _locked_rows(
    session: AsyncSession, mention_ids: Sequence[str]
) -> dict[str, InsightMention]:
    """`_locked_row` for a batch: one insert, one locking read (ids sorted: concurrent
    writers lock in the same order)."""
    ids = sorted(set(mention_ids))
    await insert_ignore(
        session,
        InsightMention,
        [{"mention_id": i, "aspects": [], "contribution": {}} for i in ids],
        conflict_on=["mention_id"],
    )
    stmt = (
        select(InsightMention)
        .where(InsightMention.mention_id.in_(ids))
        .order_by(InsightMention.mention_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.mention_id: row for row in (await session.execute(stmt)).scalars().all()}


async def record_classified_many(
    session: AsyncSession, events: Sequence[Classified]
) -> list[Contribution]:
    """A batch of (possibly edited or replayed) classified mentions, in order; returns
    each one's delta. The deltas are summed and applied once (additive upserts), the
    quotes and products written once: a few statements per batch, not per mention."""
    rows = await _locked_rows(session, [str(e.mention.mention_id) for e in events])
    total: Contribution = {}
    quoted: dict[str, InsightMention] = {}
    products: list[Mention] = []
    changes: list[Contribution] = []
    for event in events:
        mention, classification = event.mention, event.classification
        row = rows[str(mention.mention_id)]
        if row.classified_at is not None and event.occurred_at < row.classified_at:
            changes.append({})  # an older revision replayed after a newer one: it stands
            continue
        changed_content = (
            not row.classified
            or row.revision != mention.revision
            or row.classified_at != event.occurred_at
        )
        row.classified = True
        row.classified_at = event.occurred_at
        row.revision = mention.revision
        row.platform = mention.platform
        row.brand = mention.product.brand or ""
        row.sku = mention.product.sku or ""
        row.kind = mention.kind.value
        row.published_at = mention.published_at
        row.sentiment = classification.sentiment.value
        row.rating = mention.rating
        row.aspects = aspects_of(mention, classification)
        if row.due_at is None and event.due_at is not None:
            row.due_at = event.due_at  # an SLA event's deadline, when it came first, stays
        new = contribution(state_of(row))
        change = delta(contribution_from_json(row.contribution), new)
        if change:
            row.contribution = contribution_to_json(new)
            merge(total, change)
        if changed_content:
            quoted[row.mention_id] = row
            products.append(mention)
        changes.append(change)
    if total:
        await apply_delta(session, total)
    await _sync_quotes(session, list(quoted.values()))
    await _remember_products(session, products)
    return changes


async def record_classified(
    session: AsyncSession,
    *,
    mention: Mention,
    classification: Classification,
    occurred_at: datetime,
    due_at: datetime | None,
) -> Contribution:
    """A (possibly edited or replayed) classified mention; returns the delta applied."""
    (change,) = await record_classified_many(
        session, [Classified(mention, classification, occurred_at, due_at)]
    )
    return change


async def record_assignment(
    session: AsyncSession,
    *,
    mention_id: str,
    owner_id: str,
    owner_name: str,
    occurred_at: datetime,
) -> Contribution:
    """The mention's owner: its answer figures move to that owner (the latest one wins)."""
    row = await _locked_row(session, mention_id)
    if row.assigned_at is not None and occurred_at < row.assigned_at:
        return {}
    row.assigned_at = occurred_at
    row.owner_id = owner_id[:100]
    owner = await session.get(InsightOwner, row.owner_id)
    if owner is None:
        session.add(InsightOwner(owner_id=row.owner_id, owner_name=owner_name[:200]))
    elif owner.owner_name != owner_name:
        owner.owner_name = owner_name[:200]
    return await _refresh(session, row)


async def record_answer(
    session: AsyncSession, *, mention_id: str, published_at: datetime
) -> Contribution:
    """Our reply went public: the first publication is the answer time."""
    row = await _locked_row(session, mention_id)
    if row.answered_at is None or published_at < row.answered_at:
        row.answered_at = published_at
    return await _refresh(session, row)


async def record_sla(
    session: AsyncSession,
    *,
    mention_id: str,
    state: SlaState,
    due_at: datetime,
    owner_id: str | None,
) -> Contribution:
    """The SLA tracker's verdict (breached / met); due-soon warnings only fix the deadline."""
    row = await _locked_row(session, mention_id)
    row.due_at = due_at
    if state is SlaState.breached:
        row.sla_breached = True
    elif state is SlaState.met:
        row.sla_met = True
    if owner_id and row.assigned_at is None and not row.owner_id:
        row.owner_id = owner_id[:100]
    return await _refresh(session, row)


def _crisis_target(details: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(dimension, key, brand, sku) from the crisis detector's evidence, when present."""
    key = str(details.get("key") or "")[:300]
    dimension = str(details.get("dimension") or key.partition(":")[0])[:32]
    brand = str(details.get("brand") or "")
    sku = str(details.get("sku") or "")
    kind, _, value = key.partition(":")
    if kind == "brand" and not brand:
        brand = value
    elif kind == "product" and not sku:
        sku = value
    return dimension, key, brand[:200], sku[:200]


async def record_crisis(session: AsyncSession, *, alert: AlertRaised, raised_at: datetime) -> bool:
    """A crisis alert, once per alert id; returns whether it was new."""
    dimension, key, brand, sku = _crisis_target(alert.details)
    return bool(
        await insert_ignore(
            session,
            InsightCrisis,
            {
                "alert_id": str(alert.alert_id),
                "day": raised_at.date(),
                "raised_at": raised_at,
                "severity": alert.severity,
                "title": alert.title[:500],
                "dimension": dimension,
                "key": key,
                "brand": brand,
                "sku": sku,
            },
            conflict_on=["alert_id"],
        )
    )
