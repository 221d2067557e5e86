"""Reading the insight aggregates: sums over small daily rollups, never over mentions.

Each question picks the coarsest table that still carries the filtered dimensions (the
product filter needs the per-SKU tables), so the overview stays fast at a million mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.responder.insight.models import (
    AspectDaily,
    AspectQuote,
    InsightCrisis,
    InsightOwner,
    InsightProduct,
    MentionDaily,
    OwnerDaily,
    OwnerProductDaily,
    ProductDaily,
    SlaDaily,
)
from services.responder.insight.schemas import (
    AspectRow,
    BrandRow,
    CrisisDayRow,
    DayRow,
    InsightFilter,
    MentionStats,
    Overview,
    OwnerRow,
    PlatformInsight,
    PlatformRow,
    ProductInsight,
    ProductRow,
    QuoteRow,
    Range,
    SlaDayRow,
    SlaPlatformRow,
    SlaStats,
    TeamInsight,
)
from services.responder.insight.service import ANSWER_COUNTS, MENTION_COUNTS, QUOTES_PER_BUCKET


def _range(f: InsightFilter) -> Range:
    return Range(
        day_from=f.day_from,
        day_to=f.day_to,
        platform=f.platform,
        brand=f.brand,
        product=f.product,
    )


def _where(model: Any, f: InsightFilter, *, platform: str | None = None) -> list[Any]:
    conds: list[Any] = [model.day >= f.day_from, model.day <= f.day_to]
    platform = platform or f.platform
    if platform:
        conds.append(model.platform == platform)
    if f.brand:
        conds.append(model.brand == f.brand)
    if f.product and hasattr(model, "sku"):
        conds.append(model.sku == f.product)
    return conds


def _sums(model: Any, columns: Sequence[str]) -> list[ColumnElement[Any]]:
    return [func.coalesce(func.sum(getattr(model, c)), 0).label(c) for c in columns]


def _mention_stats(values: dict[str, Any]) -> dict[str, Any]:
    count = int(values.get("rating_count") or 0)
    return {
        "mentions": int(values.get("mentions") or 0),
        "positive": int(values.get("positive") or 0),
        "neutral": int(values.get("neutral") or 0),
        "negative": int(values.get("negative") or 0),
        "rating_count": count,
        "rating_avg": round(int(values["rating_sum"]) / count, 2) if count else None,
    }


def _sla_stats(values: dict[str, Any]) -> dict[str, Any]:
    v = {c: int(values.get(c) or 0) for c in ANSWER_COUNTS}
    decided = v["sla_met"] + v["sla_breached"]
    return {
        "answerable": v["answerable"],
        "answered": v["answered"],
        "answered_1h": v["answered_1h"],
        "answered_4h": v["answered_4h"],
        "answered_24h": v["answered_24h"],
        "sla_met": v["sla_met"],
        "sla_breached": v["sla_breached"],
        "compliance": round(v["sla_met"] / decided, 4) if decided else None,
        "avg_answer_hours": (
            round(v["answer_seconds"] / v["answered"] / 3600, 2) if v["answered"] else None
        ),
    }


def _mention_table(f: InsightFilter) -> Any:
    return ProductDaily if f.product else MentionDaily


def _sla_table(f: InsightFilter) -> Any:
    return OwnerProductDaily if f.product else SlaDaily


async def _grouped(session: AsyncSession, stmt: Select[Any]) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in (await session.execute(stmt)).all()]


async def mentions_by(
    session: AsyncSession, f: InsightFilter, dim: str, *, platform: str | None = None
) -> list[dict[str, Any]]:
    model = _mention_table(f)
    column = getattr(model, dim)
    stmt = (
        select(column.label(dim), *_sums(model, MENTION_COUNTS))
        .where(*_where(model, f, platform=platform))
        .group_by(column)
        .having(func.sum(model.mentions) > 0)  # rows an edit emptied stay at zero
        .order_by(column)
    )
    return [{dim: r[dim], **_mention_stats(r)} for r in await _grouped(session, stmt)]


async def sla_by(
    session: AsyncSession, f: InsightFilter, dim: str | None, *, platform: str | None = None
) -> list[dict[str, Any]]:
    model = _sla_table(f)
    if dim is None:
        stmt = select(*_sums(model, ANSWER_COUNTS)).where(*_where(model, f, platform=platform))
        return [_sla_stats(r) for r in await _grouped(session, stmt)]
    column = getattr(model, dim)
    stmt = (
        select(column.label(dim), *_sums(model, ANSWER_COUNTS))
        .where(*_where(model, f, platform=platform))
        .group_by(column)
        .having(func.sum(model.answerable) > 0)
        .order_by(column)
    )
    return [{dim: r[dim], **_sla_stats(r)} for r in await _grouped(session, stmt)]


async def top_products(
    session: AsyncSession, f: InsightFilter, *, platform: str | None = None, limit: int = 10
) -> list[ProductRow]:
    total = func.sum(ProductDaily.mentions)
    stmt = (
        select(ProductDaily.sku.label("sku"), *_sums(ProductDaily, MENTION_COUNTS))
        .where(*_where(ProductDaily, f, platform=platform), ProductDaily.sku != "")
        .group_by(ProductDaily.sku)
        .having(total > 0)
        .order_by(total.desc(), ProductDaily.sku)
        .limit(limit)
    )
    rows = await _grouped(session, stmt)
    names = await _product_names(session, [r["sku"] for r in rows])
    return [
        ProductRow(
            sku=r["sku"],
            name=names.get(r["sku"], ("", ""))[0],
            brand=names.get(r["sku"], ("", ""))[1],
            **_mention_stats(r),
        )
        for r in rows
    ]


async def _product_names(session: AsyncSession, skus: list[str]) -> dict[str, tuple[str, str]]:
    if not skus:
        return {}
    rows = await session.execute(
        select(InsightProduct.sku, InsightProduct.name, InsightProduct.brand).where(
            InsightProduct.sku.in_(skus)
        )
    )
    return {sku: (name, brand) for sku, name, brand in rows.all()}


async def crises_by_day(session: AsyncSession, f: InsightFilter) -> list[CrisisDayRow]:
    conds: list[Any] = [InsightCrisis.day >= f.day_from, InsightCrisis.day <= f.day_to]
    if f.brand:
        conds.append(func.lower(InsightCrisis.brand) == f.brand.casefold())
    if f.product:
        conds.append(InsightCrisis.sku == f.product)
    stmt = (
        select(InsightCrisis.day, func.count())
        .where(*conds)
        .group_by(InsightCrisis.day)
        .order_by(InsightCrisis.day)
    )
    return [CrisisDayRow(day=d, crises=int(n)) for d, n in (await session.execute(stmt)).all()]


def _totals(rows: Sequence[dict[str, Any]]) -> MentionStats:
    keys = ("mentions", "positive", "neutral", "negative", "rating_count")
    total = {k: sum(int(r[k]) for r in rows) for k in keys}
    rating_sum = sum((r["rating_avg"] or 0) * r["rating_count"] for r in rows)
    avg = round(rating_sum / total["rating_count"], 2) if total["rating_count"] else None
    return MentionStats(**total, rating_avg=avg)


async def overview(session: AsyncSession, f: InsightFilter) -> Overview:
    """Mentions by platform, the sentiment trend, SLA compliance, crises, top products."""
    by_platform = await mentions_by(session, f, "platform")
    trend = await mentions_by(session, f, "day")
    sla_platform = await sla_by(session, f, "platform")
    sla_total = await sla_by(session, f, None)
    return Overview(
        range=_range(f),
        totals=_totals(by_platform),
        sla=SlaStats(**sla_total[0]),
        by_platform=[PlatformRow(**r) for r in by_platform],
        sentiment_trend=[DayRow(**r) for r in trend],
        sla_by_platform=[SlaPlatformRow(**r) for r in sla_platform],
        crises=await crises_by_day(session, f),
        top_products=await top_products(session, f),
    )


async def aspect_rows(
    session: AsyncSession, f: InsightFilter, *, platform: str | None = None
) -> list[AspectRow]:
    stmt = (
        select(
            AspectDaily.aspect.label("aspect"),
            *_sums(AspectDaily, ("positive", "neutral", "negative")),
        )
        .where(*_where(AspectDaily, f, platform=platform))
        .group_by(AspectDaily.aspect)
        .having(func.sum(AspectDaily.positive + AspectDaily.neutral + AspectDaily.negative) > 0)
    )
    return [AspectRow(**r) for r in await _grouped(session, stmt)]


async def product(session: AsyncSession, sku: str, f: InsightFilter) -> ProductInsight:
    """One product: praise vs complaints per aspect with quotes, weak points, rating trend."""
    pf = InsightFilter(f.day_from, f.day_to, f.platform, f.brand, sku)
    by_platform = await mentions_by(session, pf, "platform")
    totals = _totals(by_platform)
    aspects = await aspect_rows(session, pf)
    quotes = await _quotes(session, sku, f)
    for row in aspects:
        row.praise_quotes = quotes.get((row.aspect, "positive"), [])
        row.complaint_quotes = quotes.get((row.aspect, "negative"), [])
        row.negative_share = round(row.negative / totals.negative, 4) if totals.negative else None
    aspects.sort(key=lambda a: (-(a.positive + a.negative + a.neutral), a.aspect))
    weak = sorted((a for a in aspects if a.negative > 0), key=lambda a: (-a.negative, a.aspect))
    names = await _product_names(session, [sku])
    name, brand = names.get(sku, ("", ""))
    return ProductInsight(
        range=_range(pf),
        sku=sku,
        name=name,
        brand=brand,
        totals=totals,
        aspects=aspects,
        weak_points=weak,
        rating_trend=[DayRow(**r) for r in await mentions_by(session, pf, "day")],
        by_platform=[PlatformRow(**r) for r in by_platform],
        quotes=[
            QuoteRow(aspect=a, polarity=p, quote=q)
            for (a, p), texts in sorted(quotes.items())
            for q in texts
        ],
    )


async def _quotes(
    session: AsyncSession, sku: str, f: InsightFilter
) -> dict[tuple[str, str], list[str]]:
    conds: list[Any] = [AspectQuote.sku == sku]
    if f.platform:
        conds.append(AspectQuote.platform == f.platform)
    if f.brand:
        conds.append(AspectQuote.brand == f.brand)
    rows = await session.execute(
        select(AspectQuote.aspect, AspectQuote.polarity, AspectQuote.quote)
        .where(*conds)
        .order_by(AspectQuote.published_at.desc(), AspectQuote.mention_id)
    )
    out: dict[tuple[str, str], list[str]] = {}
    for aspect, polarity, quote in rows.all():
        bucket = out.setdefault((aspect, polarity), [])
        if len(bucket) < QUOTES_PER_BUCKET:
            bucket.append(quote)
    return out


async def platform(session: AsyncSession, name: str, f: InsightFilter) -> PlatformInsight:
    """One platform: its trend, brands, products, SLA and the complaints heard there."""
    pf = InsightFilter(f.day_from, f.day_to, name, f.brand, f.product)
    by_brand = await mentions_by(session, pf, "brand")
    complaints = [a for a in await aspect_rows(session, pf) if a.negative > 0]
    complaints.sort(key=lambda a: (-a.negative, a.aspect))
    return PlatformInsight(
        range=_range(pf),
        platform=name,
        totals=_totals(by_brand),
        sla=SlaStats(**(await sla_by(session, pf, None))[0]),
        sentiment_trend=[DayRow(**r) for r in await mentions_by(session, pf, "day")],
        sla_trend=[SlaDayRow(**r) for r in await sla_by(session, pf, "day")],
        by_brand=[BrandRow(**r) for r in by_brand],
        top_products=await top_products(session, pf),
        complaints=complaints[:20],
    )


async def team(session: AsyncSession, f: InsightFilter) -> TeamInsight:
    """Answer times and SLA compliance per owner ("" = not assigned)."""
    model: Any = OwnerProductDaily if f.product else OwnerDaily
    stmt = (
        select(model.owner_id.label("owner_id"), *_sums(model, ANSWER_COUNTS))
        .where(*_where(model, f))
        .group_by(model.owner_id)
        .having(func.sum(model.answerable) > 0)  # an owner whose items all moved away
        .order_by(model.owner_id)
    )
    rows = await _grouped(session, stmt)
    ids = [r["owner_id"] for r in rows if r["owner_id"]]
    names: dict[str, str] = {}
    if ids:
        result = await session.execute(
            select(InsightOwner.owner_id, InsightOwner.owner_name).where(
                InsightOwner.owner_id.in_(ids)
            )
        )
        names = {owner_id: name for owner_id, name in result.all()}
    owners = [
        OwnerRow(
            owner_id=r["owner_id"],
            owner_name=names.get(r["owner_id"], r["owner_id"]) or "(unassigned)",
            **_sla_stats(r),
        )
        for r in rows
    ]
    return TeamInsight(
        range=_range(f),
        sla=SlaStats(**(await sla_by(session, f, None))[0]),
        owners=owners,
        sla_by_platform=[SlaPlatformRow(**r) for r in await sla_by(session, f, "platform")],
    )


async def brands_between(session: AsyncSession, day_from: date, day_to: date) -> list[str]:
    """Brands with mentions in a period (the digest goes to each)."""
    rows = await session.execute(
        select(MentionDaily.brand)
        .where(MentionDaily.day >= day_from, MentionDaily.day <= day_to, MentionDaily.brand != "")
        .group_by(MentionDaily.brand)
        .having(func.sum(MentionDaily.mentions) > 0)
        .order_by(MentionDaily.brand)
    )
    return [b for (b,) in rows.all()]
