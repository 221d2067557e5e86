"""Insight pages in the web UI (same sign-in as the reply queue): charts over the aggregates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from services.responder.auth import COOKIE
from services.responder.deps import Context, PageStaff
from services.responder.insight import charts, queries
from services.responder.insight.draft_quality import draft_quality
from services.responder.insight.router import Filter, PlatformName, Sku
from services.responder.insight.schemas import InsightFilter, SlaStats
from services.responder.queue_item.learning import list_suggestions
from services.responder.users import StaffRole
from shared.db import session_scope

HERE = Path(__file__).parent
#: Our templates first, then the UI's (for base.html): one look across the app.
TEMPLATES = Jinja2Templates(
    directory=[str(HERE / "templates"), str(HERE.parent / "ui" / "templates")]
)
router = APIRouter(prefix="/insights", include_in_schema=False)


def _pct(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _page(
    request: Request, ctx: Any, user: str, template: str, f: InsightFilter, **context: Any
) -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "csrf": ctx.signer.csrf(request.cookies[COOKIE]),
            "filters": {
                "from": f.day_from.isoformat(),
                "to": f.day_to.isoformat(),
                "platform": f.platform or "",
                "brand": f.brand or "",
                "product": f.product or "",
            },
            **context,
        },
    )


def _sla_chart(chart_id: str, title: str, labels: list[str], rows: list[SlaStats]) -> charts.Chart:
    return charts.bar(
        chart_id,
        title,
        labels,
        {"within SLA %": [_pct(r.compliance) for r in rows]},
    )


@router.get("", response_class=HTMLResponse)
async def overview_page(
    request: Request, ctx: Context, principal: PageStaff, f: Filter
) -> Response:
    """Mentions by platform, sentiment trend, SLA compliance, crises, top products."""
    user = principal.name
    async with session_scope(ctx.runtime.sessions) as session:
        data = await queries.overview(session, f)
    platforms = [r.platform for r in data.by_platform]
    days = [r.day.isoformat() for r in data.sentiment_trend]
    chart_list = [
        charts.bar(
            "mentions-by-platform",
            "Mentions by platform",
            platforms,
            {
                "positive": [r.positive for r in data.by_platform],
                "neutral": [r.neutral for r in data.by_platform],
                "negative": [r.negative for r in data.by_platform],
            },
            stacked=True,
        ),
        charts.line(
            "sentiment-trend",
            "Sentiment per day",
            days,
            {
                "positive": [r.positive for r in data.sentiment_trend],
                "neutral": [r.neutral for r in data.sentiment_trend],
                "negative": [r.negative for r in data.sentiment_trend],
            },
        ),
        _sla_chart(
            "sla-by-platform",
            "Answered within SLA, by platform (%)",
            [r.platform for r in data.sla_by_platform],
            list(data.sla_by_platform),
        ),
        charts.bar(
            "crises",
            "Crises per day",
            [r.day.isoformat() for r in data.crises],
            {"crises": [r.crises for r in data.crises]},
        ),
    ]
    return _page(request, ctx, user, "insights_overview.html", f, data=data, charts=chart_list)


@router.get("/products/{sku:path}", response_class=HTMLResponse)  # SKUs may hold "/" (L9)
async def product_page(
    request: Request, ctx: Context, principal: PageStaff, sku: Sku, f: Filter
) -> Response:
    """Praise vs complaints per aspect with the quotes behind each bar, rating trend."""
    user = principal.name
    async with session_scope(ctx.runtime.sessions) as session:
        data = await queries.product(session, sku, f)
    aspects = data.aspects[:15]
    chart_list = [
        charts.bar(
            "aspects",
            "Praise vs complaints by aspect",
            [a.aspect for a in aspects],
            {
                "praise": [a.positive for a in aspects],
                "complaints": [a.negative for a in aspects],
            },
            horizontal=True,
        ),
        charts.line(
            "rating-trend",
            "Average rating per day",
            [r.day.isoformat() for r in data.rating_trend],
            {"rating": [r.rating_avg for r in data.rating_trend]},
        ),
        charts.bar(
            "weak-points",
            "Weak points: negative mentions they explain",
            [a.aspect for a in data.weak_points[:10]],
            {"negative": [a.negative for a in data.weak_points[:10]]},
            horizontal=True,
        ),
    ]
    return _page(
        request,
        ctx,
        user,
        "insights_product.html",
        f,
        data=data,
        charts=chart_list,
        aspects=aspects,
    )


@router.get("/platforms/{platform_name}", response_class=HTMLResponse)
async def platform_page(
    request: Request, ctx: Context, principal: PageStaff, platform_name: PlatformName, f: Filter
) -> Response:
    """One platform: sentiment and SLA trends, brands, products, complaints."""
    user = principal.name
    async with session_scope(ctx.runtime.sessions) as session:
        data = await queries.platform(session, platform_name, f)
    chart_list = [
        charts.line(
            "sentiment-trend",
            f"Sentiment per day on {platform_name}",
            [r.day.isoformat() for r in data.sentiment_trend],
            {
                "positive": [r.positive for r in data.sentiment_trend],
                "neutral": [r.neutral for r in data.sentiment_trend],
                "negative": [r.negative for r in data.sentiment_trend],
            },
        ),
        _sla_chart(
            "sla-trend",
            "Answered within SLA per day (%)",
            [r.day.isoformat() for r in data.sla_trend],
            list(data.sla_trend),
        ),
        charts.bar(
            "complaints",
            "Complaints by aspect",
            [a.aspect for a in data.complaints[:10]],
            {"negative": [a.negative for a in data.complaints[:10]]},
            horizontal=True,
        ),
    ]
    return _page(request, ctx, user, "insights_platform.html", f, data=data, charts=chart_list)


@router.get("/team", response_class=HTMLResponse)
async def team_page(request: Request, ctx: Context, principal: PageStaff, f: Filter) -> Response:
    """Answer times and SLA compliance per owner."""
    user = principal.name
    async with session_scope(ctx.runtime.sessions) as session:
        data = await queries.team(session, f)
    names = [o.owner_name for o in data.owners]
    chart_list = [
        charts.bar(
            "answer-hours",
            "Average answer time per owner (hours)",
            names,
            {"hours": [o.avg_answer_hours for o in data.owners]},
        ),
        _sla_chart("owner-sla", "Answered within SLA per owner (%)", names, list(data.owners)),
    ]
    return _page(request, ctx, user, "insights_team.html", f, data=data, charts=chart_list)


@router.get("/drafts", response_class=HTMLResponse)
async def drafts_page(request: Request, ctx: Context, principal: PageStaff, f: Filter) -> Response:
    """Acceptance of the drafts per script, family and platform; the most-edited moves."""
    user = principal.name
    async with session_scope(ctx.runtime.sessions) as session:
        data = await draft_quality(session, f)
    chart_list = [
        charts.bar(
            "acceptance-by-family",
            "Drafts accepted (unchanged or lightly edited), by family (%)",
            [r.key for r in data.by_family],
            {"accepted %": [_pct(r.acceptance) for r in data.by_family]},
        ),
        charts.bar(
            "edited-moves",
            "Share of each move's sentences agents edit (%)",
            [m.move for m in data.moves[:10]],
            {"edited %": [_pct(m.edited_share) for m in data.moves[:10]]},
            horizontal=True,
        ),
    ]
    return _page(request, ctx, user, "insights_drafts.html", f, data=data, charts=chart_list)


@router.get("/phrasings", response_class=HTMLResponse)
async def phrasings_page(request: Request, ctx: Context, principal: PageStaff) -> Response:
    """Sentences agents offered as phrasings: an owner approves or rejects each; the
    approved ones export as the scripts' YAML."""
    async with session_scope(ctx.runtime.sessions) as session:
        pending = await list_suggestions(session, state="pending")
        approved = await list_suggestions(session, state="approved", limit=50)
        languages = sorted({s.language for s in approved})
    return TEMPLATES.TemplateResponse(
        request,
        "insights_phrasings.html",
        {
            "user": principal.name,
            "can_review": principal.can(StaffRole.manager),
            "csrf": ctx.signer.csrf(request.cookies[COOKIE]),
            "filters": {},
            "pending": pending,
            "approved": approved,
            "languages": languages,
        },
    )
