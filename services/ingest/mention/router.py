"""POST /api/mentions: mentions from sources that call us."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from services.ingest.config import IngestSettings
from services.ingest.deps import IngestContext, get_context
from services.ingest.mention.auth import (
    PushAuthError,
    check_push_headers,
    verify_push_signature,
)
from services.ingest.mention.schemas import MentionBatchIn, MentionIn, PushResult
from services.ingest.mention.service import Outcome, accept_mentions
from shared.http import DomainError

router = APIRouter(prefix="/api", tags=["mentions"])

#: A mention is a few levels deep; a body deeper than this is hostile, not data.
MAX_JSON_DEPTH = 20


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Iterative, so a deep body cannot exhaust the stack while being measured."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _invalid_body(message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body",), "msg": message, "type": "json_invalid"}])


def _parse(body: bytes, max_batch: int) -> list[MentionIn]:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _invalid_body(f"body is not valid JSON: {exc}") from None
    except RecursionError:
        raise _invalid_body("body is nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise _invalid_body(f"body is not acceptable JSON: {exc}") from None
    if _depth_exceeds(data, MAX_JSON_DEPTH):
        raise _invalid_body(f"body is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        if isinstance(data, dict) and "mentions" in data:
            batch = MentionBatchIn.model_validate(data).mentions
        else:
            batch = [MentionIn.model_validate(data)]
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    if len(batch) > max_batch:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "mentions"),
                    "msg": f"at most {max_batch} mentions per request (got {len(batch)})",
                    "type": "too_long",
                }
            ]
        )
    return batch


@router.post("/mentions", status_code=202, response_model=PushResult)
async def push_mentions(
    request: Request, ctx: Annotated[IngestContext, Depends(get_context)]
) -> PushResult:
    """Accept one mention or a batch; answers once Kafka has them."""
    settings = ctx.settings
    secret = settings.ingest_push_hmac_secret
    try:
        # Credentials first: the body of an unauthenticated request is never read.
        method = check_push_headers(
            headers=request.headers,
            tokens=push_tokens(settings),
            hmac_secret=secret.get_secret_value() if secret else None,
            max_skew_s=settings.ingest_push_max_skew_s,
            max_future_skew_s=settings.ingest_push_max_future_skew_s,
        )
        body = await request.body()
        claimed = None
        if method == "hmac" and secret is not None:
            verify_push_signature(
                headers=request.headers, body=body, hmac_secret=secret.get_secret_value()
            )
            claimed = _claim_signature(ctx, request)
    except PushAuthError as exc:
        ctx.metrics.push_requests.labels(result="unauthorized").inc()
        raise DomainError(str(exc), code="unauthorized", status_code=401) from None
    try:
        return await _accept(ctx, body)
    except BaseException:
        if claimed:  # not accepted: the platform may send the same request again
            ctx.signatures.release(claimed)
        raise


def push_tokens(settings: IngestSettings) -> list[str]:
    """Bearer tokens the push endpoint accepts: the push-only token when one is set.

    The admin API_TOKEN pushes only while no push credential is configured (development);
    once INGEST_PUSH_TOKEN or INGEST_PUSH_HMAC_SECRET exists, a platform integration never
    needs, and never gets to use, the admin token."""
    if settings.ingest_push_token:
        return [settings.ingest_push_token.get_secret_value()]
    if settings.ingest_push_hmac_secret:
        return []
    return [settings.api_token.get_secret_value()]


def _claim_signature(ctx: IngestContext, request: Request) -> str:
    signature = request.headers.get("x-otklik-signature", "")
    timestamp = int(request.headers.get("x-otklik-timestamp", "0"))
    now = time.time()
    if not ctx.signatures.claim(
        signature, expires_at=timestamp + ctx.settings.ingest_push_max_skew_s + 1, now=now
    ):
        raise PushAuthError("this signed request was already accepted (replay refused)")
    return signature


async def _accept(ctx: IngestContext, body: bytes) -> PushResult:
    settings = ctx.settings
    try:
        items = _parse(body, settings.ingest_push_max_batch)
    except RequestValidationError:
        ctx.metrics.push_requests.labels(result="invalid").inc()
        raise
    mentions = [item.to_mention() for item in items]
    result = await accept_mentions(
        sessions=ctx.runtime.sessions, publisher=ctx.runtime.publisher, mentions=mentions
    )
    ctx.metrics.push_requests.labels(result="accepted").inc()
    for mention in mentions:
        outcome = result.outcomes[str(mention.mention_id)]
        ctx.metrics.mentions.labels(
            platform=mention.platform, source="push", outcome=outcome.value
        ).inc()
    return PushResult(
        accepted=len(mentions),
        new=result.count(Outcome.new),
        updated=result.count(Outcome.updated),
        duplicate=result.count(Outcome.duplicate),
        mention_ids=[str(m.mention_id) for m in mentions],
    )
