"""Insight API shapes: the filter every endpoint takes, and each endpoint's tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel


@dataclass(frozen=True)
class InsightFilter:
    """Days are the mentions' publication days (UTC), both ends included."""

    day_from: date
    day_to: date
    platform: str | None = None
    brand: str | None = None
    product: str | None = None


class MentionStats(BaseModel):
    mentions: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    rating_count: int = 0
    rating_avg: float | None = None


class PlatformRow(MentionStats):
    platform: str


class BrandRow(MentionStats):
    brand: str


class DayRow(MentionStats):
    day: date


class ProductRow(MentionStats):
    sku: str
    name: str = ""
    brand: str = ""


class SlaStats(BaseModel):
    answerable: int = 0
    answered: int = 0
    answered_1h: int = 0
    answered_4h: int = 0
    answered_24h: int = 0
    sla_met: int = 0
    sla_breached: int = 0
    #: met / (met + breached); None while nothing was decided.
    compliance: float | None = None
    avg_answer_hours: float | None = None


class SlaPlatformRow(SlaStats):
    platform: str


class SlaDayRow(SlaStats):
    day: date


class OwnerRow(SlaStats):
    owner_id: str
    owner_name: str


class CrisisDayRow(BaseModel):
    day: date
    crises: int


class AspectRow(BaseModel):
    aspect: str
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    #: Share of the product's negative mentions that blame this aspect.
    negative_share: float | None = None
    praise_quotes: list[str] = []
    complaint_quotes: list[str] = []


class QuoteRow(BaseModel):
    aspect: str
    polarity: str
    quote: str


class Range(BaseModel):
    day_from: date
    day_to: date
    platform: str | None = None
    brand: str | None = None
    product: str | None = None


class Overview(BaseModel):
    range: Range
    totals: MentionStats
    sla: SlaStats
    by_platform: list[PlatformRow]
    sentiment_trend: list[DayRow]
    sla_by_platform: list[SlaPlatformRow]
    crises: list[CrisisDayRow]
    top_products: list[ProductRow]


class ProductInsight(BaseModel):
    range: Range
    sku: str
    name: str
    brand: str
    totals: MentionStats
    aspects: list[AspectRow]
    weak_points: list[AspectRow]
    rating_trend: list[DayRow]
    by_platform: list[PlatformRow]
    quotes: list[QuoteRow]


class PlatformInsight(BaseModel):
    range: Range
    platform: str
    totals: MentionStats
    sla: SlaStats
    sentiment_trend: list[DayRow]
    sla_trend: list[SlaDayRow]
    by_brand: list[BrandRow]
    top_products: list[ProductRow]
    complaints: list[AspectRow]


class TeamInsight(BaseModel):
    range: Range
    sla: SlaStats
    owners: list[OwnerRow]
    sla_by_platform: list[SlaPlatformRow]


#: The tables each endpoint can export as CSV (the first is the default).
CSV_TABLES: dict[str, tuple[str, ...]] = {
    "overview": ("by_platform", "sentiment_trend", "sla_by_platform", "crises", "top_products"),
    "product": ("aspects", "weak_points", "rating_trend", "by_platform", "quotes"),
    "platform": ("sentiment_trend", "sla_trend", "by_brand", "top_products", "complaints"),
    "team": ("owners", "sla_by_platform"),
}
