"""The weekly digest per brand: weak points, SLA figures and changes from last week.

`build_digest` is pure (aggregates in, alert content out) so its content is tested
without a broker. The scheduler publishes an `AlertRaised(kind="digest")` on the alerts
topic (the alerts service delivers it by e-mail / webhook) once per brand and week:
publish first with deterministic ids, then mark; a crash in between re-publishes the same
event, which consumers recognise, and a restart after the mark sends nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.responder.insight import queries
from services.responder.insight.models import AspectDaily, AspectQuote, DigestMark, InsightProduct
from services.responder.insight.schemas import InsightFilter, MentionStats, SlaStats
from services.responder.metrics import InsightMetrics
from shared.bus import Publisher
from shared.db import insert_ignore, session_scope
from shared.events import AlertRaised, derived_event_id, utcnow
from shared.logging import get_logger
from shared.topics import ALERTS

log = get_logger(__name__)

QUOTES_PER_WEAK_POINT = 3


@dataclass(frozen=True)
class DigestSlot:
    """One scheduled digest moment and the week of mentions it reports on."""

    week: str  # ISO week of the moment, e.g. "2026-W14"
    at: datetime
    day_from: date
    day_to: date

    @property
    def previous(self) -> tuple[date, date]:
        return self.day_from - timedelta(days=7), self.day_to - timedelta(days=7)


@dataclass(frozen=True)
class WeakPoint:
    sku: str
    product: str
    aspect: str
    negatives: int
    quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BrandWeek:
    """A brand's figures over one week, read from the aggregates."""

    mentions: MentionStats
    sla: SlaStats
    weak_points: tuple[WeakPoint, ...] = field(default_factory=tuple)


def latest_slot(now: datetime, *, weekday: int, hour: int, tz: str) -> DigestSlot:
    """The most recent scheduled moment at or before `now` (local weekday and hour)."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    at = datetime.combine(day, time(hour), tzinfo=zone)
    if at > local:
        day -= timedelta(days=7)
        at = datetime.combine(day, time(hour), tzinfo=zone)
    iso = day.isocalendar()
    return DigestSlot(
        week=f"{iso.year}-W{iso.week:02d}",
        at=at,
        day_from=day - timedelta(days=7),
        day_to=day - timedelta(days=1),
    )


def _change(now: float | None, before: float | None, digits: int = 2) -> float | None:
    if now is None or before is None:
        return None
    return round(now - before, digits)


def build_digest(
    *, brand: str, slot: DigestSlot, current: BrandWeek, previous: BrandWeek, top: int = 5
) -> tuple[str, dict[str, Any]]:
    """Title and details of one brand's weekly digest (pure: no I/O)."""
    before = {(w.sku, w.aspect): w.negatives for w in previous.weak_points}
    weak: list[dict[str, Any]] = [
        {
            "sku": w.sku,
            "product": w.product,
            "aspect": w.aspect,
            "negatives": w.negatives,
            "change": w.negatives - before.get((w.sku, w.aspect), 0),
            "quotes": list(w.quotes[:QUOTES_PER_WEAK_POINT]),
        }
        for w in current.weak_points[:top]
    ]
    m, pm = current.mentions, previous.mentions
    s, ps = current.sla, previous.sla
    changes = {
        "mentions": m.mentions - pm.mentions,
        "negative": m.negative - pm.negative,
        "rating_avg": _change(m.rating_avg, pm.rating_avg),
        "sla_compliance": _change(s.compliance, ps.compliance, 4),
        "avg_answer_hours": _change(s.avg_answer_hours, ps.avg_answer_hours),
        "sla_breached": s.sla_breached - ps.sla_breached,
    }
    lines = [
        f"Weekly insights for {brand}, {slot.day_from.isoformat()} – {slot.day_to.isoformat()}",
        f"Mentions: {m.mentions} ({changes['mentions']:+d} vs last week), "
        f"negative: {m.negative} ({changes['negative']:+d})",
    ]
    if s.compliance is not None:
        lines.append(
            f"Answered within SLA: {s.compliance:.0%} ({s.sla_met} met, {s.sla_breached} breached)"
        )
    if s.avg_answer_hours is not None:
        lines.append(f"Average answer time: {s.avg_answer_hours:.1f} h")
    if weak:
        lines.append("Top weak points:")
        for w in weak:
            lines.append(
                f"- {w['product'] or w['sku'] or 'no product'}: {w['aspect']} — "
                f"{w['negatives']} negative ({w['change']:+d})"
            )
            lines.extend(f'    "{q}"' for q in w["quotes"])
    details = {
        "brand": brand,
        "week": slot.week,
        "period": {"from": slot.day_from.isoformat(), "to": slot.day_to.isoformat()},
        "mentions": m.model_dump(),
        "sla": s.model_dump(),
        "weak_points": weak,
        "previous": {"mentions": pm.model_dump(), "sla": ps.model_dump()},
        "changes": changes,
        "text": "\n".join(lines),
        # Flat key → text pairs: what the alerts service shows in e-mail and webhook bodies.
        "fields": {
            "Brand": brand,
            "Week": slot.week,
            "Mentions": f"{m.mentions} ({changes['mentions']:+d})",
            "Negative": f"{m.negative} ({changes['negative']:+d})",
            "Within SLA": f"{s.compliance:.0%}" if s.compliance is not None else "—",
            "Average answer, h": (
                f"{s.avg_answer_hours:.1f}" if s.avg_answer_hours is not None else "—"
            ),
            "Top weak point": (f"{weak[0]['aspect']} ({weak[0]['negatives']})" if weak else "—"),
        },
    }
    title = (
        f"Weekly insights for {brand} ({slot.week}): {m.mentions} mentions, {m.negative} negative"
    )
    return title, details


async def brand_week(
    session: AsyncSession, *, brand: str, day_from: date, day_to: date, top: int = 5
) -> BrandWeek:
    """A brand's figures for one period, from the aggregates."""
    f = InsightFilter(day_from, day_to, brand=brand)
    rows = await queries.mentions_by(session, f, "brand")
    mentions = (
        MentionStats(**{k: v for k, v in rows[0].items() if k != "brand"})
        if rows
        else MentionStats()
    )
    sla = SlaStats(**(await queries.sla_by(session, f, None))[0])
    negatives = func.sum(AspectDaily.negative)
    result = await session.execute(
        select(AspectDaily.sku, AspectDaily.aspect, negatives)
        .where(
            AspectDaily.brand == brand,
            AspectDaily.day >= day_from,
            AspectDaily.day <= day_to,
        )
        .group_by(AspectDaily.sku, AspectDaily.aspect)
        .having(negatives > 0)
        .order_by(negatives.desc(), AspectDaily.sku, AspectDaily.aspect)
        .limit(top)
    )
    weak_rows = result.all()
    skus = sorted({sku for sku, _, _ in weak_rows if sku})
    names: dict[str, str] = {}
    if skus:
        found = await session.execute(
            select(InsightProduct.sku, InsightProduct.name).where(InsightProduct.sku.in_(skus))
        )
        names = {sku: name for sku, name in found.all()}
    weak: list[WeakPoint] = []
    for sku, aspect, count in weak_rows:
        quotes = await session.execute(
            select(AspectQuote.quote)
            .where(
                AspectQuote.sku == sku,
                AspectQuote.aspect == aspect,
                AspectQuote.polarity == "negative",
                AspectQuote.brand == brand,
            )
            .order_by(AspectQuote.published_at.desc(), AspectQuote.mention_id)
            .limit(QUOTES_PER_WEAK_POINT)
        )
        weak.append(
            WeakPoint(
                sku=sku,
                product=names.get(sku, ""),
                aspect=aspect,
                negatives=int(count),
                quotes=tuple(q for (q,) in quotes.all()),
            )
        )
    return BrandWeek(mentions=mentions, sla=sla, weak_points=tuple(weak))


async def send_due_digests(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    now: datetime,
    weekday: int,
    hour: int,
    tz: str,
    top: int = 5,
    metrics: InsightMetrics | None = None,
) -> list[str]:
    """Publish this week's digest for every brand not yet sent; returns the brands sent."""
    slot = latest_slot(now, weekday=weekday, hour=hour, tz=tz)
    prev_from, prev_to = slot.previous
    async with session_scope(sessions) as session:
        brands = await queries.brands_between(session, prev_from, slot.day_to)
        done = await session.execute(select(DigestMark.brand).where(DigestMark.week == slot.week))
        sent_before = {b for (b,) in done.all()}
    sent: list[str] = []
    for brand in brands:
        if brand in sent_before:
            continue
        async with session_scope(sessions) as session:
            current = await brand_week(
                session, brand=brand, day_from=slot.day_from, day_to=slot.day_to, top=top
            )
            previous = await brand_week(
                session, brand=brand, day_from=prev_from, day_to=prev_to, top=50
            )
        title, details = build_digest(
            brand=brand, slot=slot, current=current, previous=previous, top=top
        )
        alert_id = derived_event_id("digest", brand, slot.week)
        await publisher.publish(
            ALERTS,
            AlertRaised(
                alert_id=alert_id, kind="digest", severity="info", title=title, details=details
            ),
            event_id=derived_event_id("digest-event", brand, slot.week),
        )
        async with session_scope(sessions) as session:
            await insert_ignore(
                session,
                DigestMark,
                {"brand": brand, "week": slot.week, "alert_id": str(alert_id), "sent_at": utcnow()},
                conflict_on=["brand", "week"],
            )
        if metrics is not None:
            metrics.digests.labels(outcome="sent").inc()
        sent.append(brand)
        log.info("weekly digest sent", brand=brand, week=slot.week)
    return sent


async def run_digest_scheduler(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    weekday: int,
    hour: int,
    tz: str,
    interval_s: float,
    top: int = 5,
    metrics: InsightMetrics | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Check forever; a failed pass is logged and the next one tries again."""
    while True:
        try:
            await send_due_digests(
                sessions=sessions,
                publisher=publisher,
                now=clock(),
                weekday=weekday,
                hour=hour,
                tz=tz,
                top=top,
                metrics=metrics,
            )
        except Exception:
            log.exception("weekly digest pass failed")
            if metrics is not None:
                metrics.digests.labels(outcome="failed").inc()
        await asyncio.sleep(interval_s)
