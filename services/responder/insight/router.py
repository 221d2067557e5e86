"""Insights API: JSON for each question, CSV of every table (guarded against injection)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel

from services.responder.deps import Context, User
from services.responder.insight import queries
from services.responder.insight.draft_quality import DraftQuality, draft_quality
from services.responder.insight.schemas import (
    CSV_TABLES,
    InsightFilter,
    Overview,
    PlatformInsight,
    ProductInsight,
    TeamInsight,
)
from shared.db import session_scope
from shared.events import utcnow

router = APIRouter(prefix="/api/insights", tags=["insights"])

#: Longest range one request may ask for (the rollups are daily).
MAX_DAYS = 3 * 366
DEFAULT_DAYS = 90
PLATFORM_PATTERN = r"^[a-z0-9_\-]+$"

#: Spreadsheet apps run cells that start with these as formulas (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error"}]
    )


def insight_filter(
    day_from: Annotated[date | None, Query(alias="from", description="first day (UTC)")] = None,
    day_to: Annotated[date | None, Query(alias="to", description="last day, included")] = None,
    platform: Annotated[str | None, Query(max_length=64, pattern=PLATFORM_PATTERN)] = None,
    brand: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    product: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> InsightFilter:
    """The common filter: a day range (default: the last 90 days), platform, brand, SKU."""
    to = day_to or utcnow().date()
    start = day_from or to - timedelta(days=DEFAULT_DAYS - 1)
    if start > to:
        raise _invalid("from", "must not be after 'to'")
    if (to - start).days >= MAX_DAYS:
        raise _invalid("from", f"range longer than {MAX_DAYS} days")
    return InsightFilter(start, to, platform, brand, product)


Filter = Annotated[InsightFilter, Depends(insight_filter)]
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv of one table")]
TableName = Annotated[str | None, Query(max_length=40, description="table to export as CSV")]
Sku = Annotated[str, Path(min_length=1, max_length=200)]
PlatformName = Annotated[str, Path(min_length=1, max_length=64, pattern=PLATFORM_PATTERN)]


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, list):
        value = " | ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def table_csv(result: BaseModel, endpoint: str, table: str | None, filename: str) -> Response:
    """One table of an endpoint's answer as CSV; 422 naming `table` when unknown."""
    tables = CSV_TABLES[endpoint]
    name = table or tables[0]
    if name not in tables:
        raise _invalid("table", f"one of: {', '.join(tables)}")
    field = type(result).model_fields[name]
    item_type = field.annotation.__args__[0]  # type: ignore[union-attr]
    columns = list(item_type.model_fields)
    rows = [r.model_dump(mode="json") for r in getattr(result, name)]
    safe_name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in filename)
    return Response(
        content=to_csv(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe_name}-{name}.csv"'},
    )


def _respond(result: BaseModel, endpoint: str, fmt: str, table: str | None, filename: str) -> Any:
    if fmt == "csv":
        return table_csv(result, endpoint, table, filename)
    return result


@router.get("/overview", response_model=Overview)
async def get_overview(
    ctx: Context, user: User, f: Filter, format: Format = "json", table: TableName = None
) -> Any:
    """Mentions by platform, sentiment trend, SLA compliance, crises, top products."""
    async with session_scope(ctx.runtime.sessions) as session:
        result = await queries.overview(session, f)
    return _respond(result, "overview", format, table, "overview")


@router.get("/overview/csv", response_class=Response)
async def get_overview_csv(ctx: Context, user: User, f: Filter, table: TableName = None) -> Any:
    """The overview's tables as CSV (`table` picks one)."""
    return await get_overview(ctx, user, f, "csv", table)


# SKUs may hold "/" (audit L9): `{sku:path}`, the CSV route declared first so the product
# route does not take ".../csv" for a SKU.
@router.get("/products/{sku:path}/csv", response_class=Response)
async def get_product_csv(
    ctx: Context, user: User, sku: Sku, f: Filter, table: TableName = None
) -> Any:
    """A product's tables as CSV."""
    return await get_product(ctx, user, sku, f, "csv", table)


@router.get("/products/{sku:path}", response_model=ProductInsight)
async def get_product(
    ctx: Context, user: User, sku: Sku, f: Filter, format: Format = "json", table: TableName = None
) -> Any:
    """One product: aspects (praise vs complaints, quotes), weak points, rating trend."""
    async with session_scope(ctx.runtime.sessions) as session:
        result = await queries.product(session, sku, f)
    return _respond(result, "product", format, table, f"product-{sku}")


@router.get("/platforms/{platform_name}", response_model=PlatformInsight)
async def get_platform(
    ctx: Context,
    user: User,
    platform_name: PlatformName,
    f: Filter,
    format: Format = "json",
    table: TableName = None,
) -> Any:
    """One platform: trend, brands, top products, SLA, complaints heard there."""
    async with session_scope(ctx.runtime.sessions) as session:
        result = await queries.platform(session, platform_name, f)
    return _respond(result, "platform", format, table, f"platform-{platform_name}")


@router.get("/platforms/{platform_name}/csv", response_class=Response)
async def get_platform_csv(
    ctx: Context, user: User, platform_name: PlatformName, f: Filter, table: TableName = None
) -> Any:
    """A platform's tables as CSV."""
    return await get_platform(ctx, user, platform_name, f, "csv", table)


@router.get("/team", response_model=TeamInsight)
async def get_team(
    ctx: Context, user: User, f: Filter, format: Format = "json", table: TableName = None
) -> Any:
    """Answer times and SLA compliance per owner and per platform."""
    async with session_scope(ctx.runtime.sessions) as session:
        result = await queries.team(session, f)
    return _respond(result, "team", format, table, "team")


@router.get("/team/csv", response_class=Response)
async def get_team_csv(ctx: Context, user: User, f: Filter, table: TableName = None) -> Any:
    """The team's tables as CSV."""
    return await get_team(ctx, user, f, "csv", table)


@router.get("/drafts", response_model=DraftQuality)
async def get_draft_quality(ctx: Context, user: User, f: Filter) -> DraftQuality:
    """How agents take the drafts: acceptance (unchanged + lightly edited) per script,
    family and platform, and the moves they edit most (by approval day; platform filter)."""
    async with session_scope(ctx.runtime.sessions) as session:
        return await draft_quality(session, f)
