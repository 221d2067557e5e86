"""The reply queue web UI: server-rendered pages (autoescaped), a little vanilla JS."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.responder.auth import COOKIE, check_password, session_user
from services.responder.deps import Context
from services.responder.queue_item.router import lint_text
from services.responder.queue_item.service import QueueFilter, get_item, list_items, sla_state
from shared.db import session_scope
from shared.events import Sentiment, utcnow

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _remaining(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def _login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(url=f"/login?next={request.url.path}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/", error: str | None = None) -> Response:
    return TEMPLATES.TemplateResponse(
        request, "login.html", {"next": next if next.startswith("/") else "/", "error": error}
    )


@router.post("/login")
async def login(
    request: Request,
    ctx: Context,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    if not check_password(ctx, username, password):
        return TEMPLATES.TemplateResponse(
            request,
            "login.html",
            {"next": next, "error": "Wrong name or password."},
            status_code=401,
        )
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(url=target, status_code=303)
    response.set_cookie(
        COOKIE,
        ctx.signer.issue(username),
        httponly=True,
        samesite="strict",
        max_age=int(ctx.settings.responder_session_hours * 3600),
    )
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse(url="/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    ctx: Context,
    state: Annotated[str, Query(pattern=r"^(open|approved|published|failed|closed)$")] = "open",
    platform: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: Sentiment | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> Response:
    user = session_user(request, ctx)
    if user is None:
        return _login_redirect(request)
    per_page = 50
    f = QueueFilter(
        state=state,
        platform=platform or None,
        sentiment=sentiment,
        q=q or None,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    async with session_scope(ctx.runtime.sessions) as session:
        items, total = await list_items(session, f)
    now = utcnow()
    soon = timedelta(hours=max(ctx.settings.responder_sla_leads_hours, default=0))
    rows = [
        {
            "item": item,
            "sla": sla_state(item, now, soon) if item.state in ("open", "failed") else "answered",
            "remaining": _remaining(item.due_at - now),
        }
        for item in items
    ]
    return TEMPLATES.TemplateResponse(
        request,
        "queue.html",
        {
            "user": user,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, (total + per_page - 1) // per_page),
            "filters": {
                "state": state,
                "platform": platform or "",
                "sentiment": sentiment.value if sentiment else "",
                "q": q or "",
            },
            "csrf": ctx.signer.csrf(request.cookies[COOKIE]),
        },
    )


@router.get("/items/{mention_id}", response_class=HTMLResponse)
async def item_page(request: Request, mention_id: str, ctx: Context) -> Response:
    user = session_user(request, ctx)
    if user is None:
        return _login_redirect(request)
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
    now = utcnow()
    soon = timedelta(hours=max(ctx.settings.responder_sla_leads_hours, default=0))
    return TEMPLATES.TemplateResponse(
        request,
        "item.html",
        {
            "user": user,
            "item": item,
            "sla": sla_state(item, now, soon) if item.state in ("open", "failed") else "answered",
            "remaining": _remaining(item.due_at - now),
            "lint": lint_text(item.draft_text, item.platform, item.kind),
            "csrf": ctx.signer.csrf(request.cookies[COOKIE]),
        },
    )
