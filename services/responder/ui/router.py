"""The reply queue web UI: server-rendered pages (autoescaped), a little vanilla JS."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.responder import staff_sessions
from services.responder.auth import COOKIE, check_password
from services.responder.deps import Context, PageStaff
from services.responder.queue_item.router import (
    SIGNALS,
    STATES,
    answers_read,
    due_soon_window,
    lint_text,
    signals_of,
)
from services.responder.queue_item.service import (
    CASE_STEP_ROLE,
    CASE_STEPS,
    WAITING_STATES,
    QueueFilter,
    get_item,
    item_actions,
    item_classification,
    list_items,
    queue_summary,
    sla_state,
)
from services.responder.queue_item.states import CaseState, FollowUpState, QueueState
from services.responder.users import StaffRole
from shared.db import session_scope
from shared.events import QuestionSpan, Sentiment, mention_id_for, utcnow

#: Moves offered for a phrasing suggestion when the draft's own moves are not known.
SUGGESTABLE_MOVES = ("greeting", "thanks", "acknowledge", "apology", "solution", "sign_off")
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _remaining(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600}h {seconds % 3600 // 60:02d}m"


@dataclass(frozen=True)
class Segment:
    """A piece of the review text; ``aspect`` set when it is an aspect's mention.

    The template prints each piece escaped: review texts are hostile input.
    """

    text: str
    aspect: str | None = None
    polarity: str | None = None


def aspect_segments(text: str, aspects: list[dict[str, Any]]) -> list[Segment]:
    """Split the review so that each aspect's words can be highlighted (no overlaps)."""
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for a in aspects:
        fragment = str(a.get("text") or "")
        start, end = a.get("start"), a.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and text[start:end] == fragment):
            start = text.find(fragment) if fragment else -1
            end = start + len(fragment)
        if start < 0 or end <= start:
            continue
        spans.append((start, end, a))
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[Segment] = []
    pos = 0
    for start, end, a in spans:
        if start < pos:
            continue  # overlaps the previous highlight
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], str(a.get("aspect")), str(a.get("polarity"))))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


@dataclass(frozen=True)
class Run:
    """A stretch of the review: a question the customer asked (``question`` True) or the
    text between questions; each split into aspect segments. All printed escaped."""

    segments: list[Segment]
    question: bool = False


def question_spans(text: str, questions: Sequence[QuestionSpan]) -> list[tuple[int, int]]:
    """The questions' spans in `text`, in order, without overlaps; a span that does not
    fit the text is looked up by its words (as the aspects are)."""
    spans: list[tuple[int, int]] = []
    for q in questions:
        start, end = q.start, q.end
        if text[start:end] != q.text or end <= start:
            start = text.find(q.text) if q.text else -1
            end = start + len(q.text)
        if start >= 0 and end > start:
            spans.append((start, end))
    spans.sort()
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return out


def review_runs(
    text: str, aspects: list[dict[str, Any]], questions: Sequence[QuestionSpan]
) -> list[Run]:
    """The review split into questions and the text around them, spans computed here so
    that the template only prints text (never markup made from the review)."""
    located: list[dict[str, Any]] = []
    for a in aspects:
        fragment = str(a.get("text") or "")
        lo, hi = a.get("start"), a.get("end")
        if not (isinstance(lo, int) and isinstance(hi, int) and text[lo:hi] == fragment):
            lo = text.find(fragment) if fragment else -1
            hi = lo + len(fragment)
        if lo >= 0 and hi > lo:
            located.append({**a, "start": lo, "end": hi})
    runs: list[Run] = []
    pos = 0
    for start, end in [*question_spans(text, questions), (len(text), len(text))]:
        for lo, hi, is_question in ((pos, start, False), (start, end, True)):
            if hi <= lo:
                continue
            inside = [
                {**a, "start": a["start"] - lo, "end": a["end"] - lo}
                for a in located
                if lo <= a["start"] < a["end"] <= hi
            ]
            runs.append(Run(aspect_segments(text[lo:hi], inside), is_question))
        pos = max(pos, end)
    return runs


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
    account = [username.casefold()]
    client = [request.client.host if request.client else "unknown"]
    wait = max(ctx.account_throttle.retry_after(account), ctx.client_throttle.retry_after(client))
    if wait:
        return TEMPLATES.TemplateResponse(
            request,
            "login.html",
            {"next": next, "error": f"Too many failed sign-ins: try again in {wait} s."},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    if not check_password(ctx, username, password):
        ctx.account_throttle.failed(account)
        ctx.client_throttle.failed(client)
        return TEMPLATES.TemplateResponse(
            request,
            "login.html",
            {"next": next, "error": "Wrong name or password."},
            status_code=401,
        )
    ctx.account_throttle.succeeded(account)  # the address keeps its own count
    now = utcnow()
    ttl = timedelta(hours=ctx.settings.responder_session_hours)
    async with session_scope(ctx.runtime.sessions) as session:
        session_id = await staff_sessions.open_session(
            session, user=username, now=now, expires_at=now + ttl
        )
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(url=target, status_code=303)
    response.set_cookie(
        COOKIE,
        ctx.signer.issue(username, session_id),
        httponly=True,
        samesite="strict",
        # Behind HTTPS (directly, or a proxy's X-Forwarded-Proto that uvicorn trusts)
        # the cookie never travels in clear text.
        secure=request.url.scheme == "https",
        max_age=int(ttl.total_seconds()),
    )
    return response


@router.post("/logout")
async def logout(
    request: Request, ctx: Context, csrf: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """Ends the stored session, so no copy of the cookie works any more.

    Needs the page's CSRF token (the form's hidden field, or the X-CSRF-Token header):
    another site cannot sign a member of staff out.
    """
    token = request.cookies.get(COOKIE)
    signed = ctx.signer.verify(token) if token else None
    if token and signed is not None:
        sent = csrf or request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent.encode(), ctx.signer.csrf(token).encode()):
            raise HTTPException(status_code=403, detail="missing or invalid CSRF token")
        async with session_scope(ctx.runtime.sessions) as session:
            await staff_sessions.end_session(session, session_id=signed.session_id, now=utcnow())
    response = RedirectResponse(url="/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    ctx: Context,
    principal: PageStaff,
    state: Annotated[str, Query(pattern=STATES)] = QueueState.open,
    platform: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: Annotated[Sentiment | None, Query()] = None,
    product: Annotated[str | None, Query(max_length=200)] = None,
    sla: Annotated[str | None, Query(pattern=r"^(|breached|due_soon)$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=200)] = 1,
) -> Response:
    per_page = 50
    now = utcnow()
    soon = due_soon_window(ctx)
    f = QueueFilter(
        state=state,
        platform=platform or None,
        sentiment=sentiment,
        product=product or None,
        sla=sla or None,
        now=now,
        soon=soon,
        q=q or None,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    async with session_scope(ctx.runtime.sessions) as session:
        items, total, capped = await list_items(session, f)
        summary = await queue_summary(session, now=now, soon=soon)
    rows = [
        {
            "item": item,
            "sla": sla_state(item, now, soon) if item.state in WAITING_STATES else "answered",
            "remaining": _remaining(item.due_at - now),
        }
        for item in items
    ]
    return TEMPLATES.TemplateResponse(
        request,
        "queue.html",
        {
            "user": principal.name,
            "role": principal.role,
            "rows": rows,
            "summary": summary,
            "total": total,
            "capped": capped,
            "page": page,
            "pages": min(200, max(1, ((total or 0) + per_page - 1) // per_page))
            + (1 if capped else 0),
            "soon_s": int(soon.total_seconds()),
            "filters": {
                "state": state,
                "platform": platform or "",
                "sentiment": sentiment.value if sentiment else "",
                "product": product or "",
                "sla": sla or "",
                "q": q or "",
            },
            "csrf": ctx.signer.csrf(request.cookies[COOKIE]),
        },
    )


@router.get("/items/{mention_id}", response_class=HTMLResponse)
async def item_page(
    request: Request, mention_id: str, ctx: Context, principal: PageStaff
) -> Response:
    async with session_scope(ctx.runtime.sessions) as session:
        item = await get_item(session, mention_id)
        actions = await item_actions(session, mention_id)
    now = utcnow()
    soon = due_soon_window(ctx)
    classification = item_classification(item)
    done = CASE_STEPS.index(item.case_state) + 1 if item.case_state else 0
    next_step = CASE_STEPS[done] if done < len(CASE_STEPS) else None
    return TEMPLATES.TemplateResponse(
        request,
        "item.html",
        {
            "user": principal.name,
            "role": principal.role,
            "can_assign": principal.can(StaffRole.manager),
            "item": item,
            "supplements_mention_id": (
                mention_id_for(item.platform, item.supplements) if item.supplements else None
            ),
            "runs": review_runs(item.text, item.aspects or [], classification.questions),
            "signals": [(name, SIGNALS[name]) for name in signals_of(classification)],
            "answers": answers_read(item),
            "moves": [str(m) for m, _ in (item.draft_parts or [])] or list(SUGGESTABLE_MOVES),
            "actions": actions,
            "case_steps": CASE_STEPS,
            "next_step": next_step,
            "can_next_step": bool(next_step and principal.can(CASE_STEP_ROLE[next_step])),
            "soon_s": int(soon.total_seconds()),
            "sla": sla_state(item, now, soon) if item.state in WAITING_STATES else "answered",
            "remaining": _remaining(item.due_at - now),
            "lint": lint_text(item.draft_text, item.platform, item.kind, item=item),
            "follow_up_lint": (
                lint_text(item.follow_up_text or "", item.platform, item.kind)
                if item.follow_up_state in (FollowUpState.drafted, FollowUpState.failed)
                else []
            ),
            "can_follow_up": principal.can(CASE_STEP_ROLE[CaseState.public_follow_up]),
            "csrf": ctx.signer.csrf(request.cookies[COOKIE]),
        },
    )
