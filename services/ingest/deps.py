"""What ingest's routes and handlers are given: made once in the lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from services.ingest.config import IngestSettings
from services.ingest.mention.replay import SignatureMemory
from services.ingest.metrics import IngestMetrics
from services.ingest.source.backfill_jobs import BackfillJobs
from services.ingest.source.poller import SourcePoller
from shared.connector import Connector
from shared.http import require_token
from shared.runtime import Runtime


@dataclass
class IngestContext:
    settings: IngestSettings
    runtime: Runtime
    metrics: IngestMetrics
    connectors: dict[str, Connector] = field(default_factory=dict)
    pollers: dict[str, SourcePoller] = field(default_factory=dict)
    signatures: SignatureMemory = field(default_factory=SignatureMemory)
    #: History imports, run on the live connectors (one rate limit per account).
    #: (Made in the lifespan from the connectors, the sessions and the publisher.)
    backfills: BackfillJobs = field(init=False)


def get_context(request: Request) -> IngestContext:
    ctx: IngestContext = request.app.state.ctx
    return ctx


async def require_admin(request: Request) -> None:
    """The admin token (API_TOKEN) of this ingest instance."""
    ctx = get_context(request)
    await require_token(ctx.settings.api_token.get_secret_value())(request)
