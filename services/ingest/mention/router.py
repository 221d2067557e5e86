"""POST /api/mentions: mentions from sources that call us."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from services.ingest.deps import IngestContext, get_context
from services.ingest.mention.auth import PushAuthError, check_push_auth
from services.ingest.mention.schemas import MentionBatchIn, MentionIn, PushResult
from services.ingest.mention.service import Outcome, accept_mentions
from shared.http import DomainError

router = APIRouter(prefix="/api", tags=["mentions"])


def _parse(body: bytes, max_batch: int) -> list[MentionIn]:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestValidationError(
            [{"loc": ("body",), "msg": f"body is not valid JSON: {exc}", "type": "json_invalid"}]
        ) from None
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
    body = await request.body()
    settings = ctx.settings
    tokens = [settings.api_token.get_secret_value()]
    if settings.ingest_push_token:
        tokens.append(settings.ingest_push_token.get_secret_value())
    secret = settings.ingest_push_hmac_secret
    try:
        check_push_auth(
            headers=request.headers,
            body=body,
            tokens=tokens,
            hmac_secret=secret.get_secret_value() if secret else None,
            max_skew_s=settings.ingest_push_max_skew_s,
        )
    except PushAuthError as exc:
        ctx.metrics.push_requests.labels(result="unauthorized").inc()
        raise DomainError(str(exc), code="unauthorized", status_code=401) from None
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
