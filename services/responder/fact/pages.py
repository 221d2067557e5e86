"""Seller facts in the web UI (same sign-in as the reply queue): the list by scope and
topic, the add / edit form (owners), and the audit trail. Texts are printed autoescaped:
fact texts come from people and files, never trusted as HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from services.responder.auth import COOKIE, Principal
from services.responder.deps import Context, PageStaff
from services.responder.fact.contract import FACT_TOPICS
from services.responder.fact.keywords import TOPIC_DESCRIPTIONS
from services.responder.fact.models import FactRecord
from services.responder.fact.router import TOPICS
from services.responder.fact.schemas import FACT_LANGUAGES, ID_PATTERN
from services.responder.fact.service import FactFilter, get_fact, list_audit, list_facts
from services.responder.users import StaffRole
from shared.db import session_scope

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(
    directory=[str(HERE / "templates"), str(HERE.parent / "ui" / "templates")]
)
router = APIRouter(prefix="/facts", include_in_schema=False)
PER_PAGE = 100


def scope_label(record: FactRecord) -> str:
    if record.sku:
        return f"Product {record.sku}" + (f" ({record.brand})" if record.brand else "")
    if record.brand:
        return f"Brand {record.brand}"
    return "Whole shop"


def _page(
    request: Request, ctx: Any, principal: Principal, template: str, **context: Any
) -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "user": principal.name,
            "role": principal.role,
            "can_edit": principal.can(StaffRole.manager),
            "csrf": ctx.signer.csrf(request.cookies[COOKIE]),
            "topics": FACT_TOPICS,
            "languages": FACT_LANGUAGES,
            **context,
        },
    )


@router.get("", response_class=HTMLResponse)
async def facts_page(
    request: Request,
    ctx: Context,
    principal: PageStaff,
    topic: Annotated[str | None, Query(pattern="^$|" + TOPICS)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    f = FactFilter(topic=topic or None, q=q or None, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    async with session_scope(ctx.runtime.sessions) as session:
        rows, total = await list_facts(session, f)
    groups: list[tuple[str, list[FactRecord]]] = []
    for record in rows:
        label = scope_label(record)
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(record)
    return _page(
        request,
        ctx,
        principal,
        "facts.html",
        groups=groups,
        total=total,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        filters={"topic": topic or "", "q": q or ""},
    )


@router.get("/new", response_class=HTMLResponse)
async def new_fact_page(request: Request, ctx: Context, principal: PageStaff) -> Response:
    return _page(
        request,
        ctx,
        principal,
        "fact_form.html",
        fact=None,
        id_pattern=ID_PATTERN,
        descriptions=TOPIC_DESCRIPTIONS,
    )


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    ctx: Context,
    principal: PageStaff,
    fact_id: Annotated[str | None, Query(pattern="^$|" + ID_PATTERN)] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    async with session_scope(ctx.runtime.sessions) as session:
        rows, total = await list_audit(
            session, fact_id=fact_id or None, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
    entries = [
        {
            "entry": row,
            "before": json.dumps(row.before, ensure_ascii=False, indent=1) if row.before else "",
            "after": json.dumps(row.after, ensure_ascii=False, indent=1) if row.after else "",
        }
        for row in rows
    ]
    return _page(
        request,
        ctx,
        principal,
        "fact_audit.html",
        entries=entries,
        total=total,
        fact_id=fact_id or "",
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
    )


@router.get("/{fact_id}", response_class=HTMLResponse)
async def edit_fact_page(
    request: Request, fact_id: str, ctx: Context, principal: PageStaff
) -> Response:
    async with session_scope(ctx.runtime.sessions) as session:
        record = await get_fact(session, fact_id)
        recent, _ = await list_audit(session, fact_id=fact_id, limit=10, offset=0)
    return _page(
        request,
        ctx,
        principal,
        "fact_form.html",
        fact=record,
        recent=recent,
        id_pattern=ID_PATTERN,
        descriptions=TOPIC_DESCRIPTIONS,
    )
