"""History imports run inside the ingest service, on the live source's own connector.

The platform's limit is per seller account, and the live poller already draws from the
account's bucket in this process's limiter registry. A backfill started here uses the
very same connector (so the same bucket, the same OAuth token), so the poller, the reply
poster and the backfill together stay within the platform's rate: a second process
with a limiter of its own would double it. One backfill per source at a time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.source.backfill import (
    DEFAULT_MAX_PAGES,
    BackfillProgress,
    DateRange,
    backfill,
    walk_for,
)
from shared.bus import Publisher
from shared.connector import Connector, ConnectorError
from shared.logging import get_logger
from shared.rate import TokenBucket

log = get_logger(__name__)


class JobState(StrEnum):
    running = "running"
    done = "done"
    #: Stopped at its page bound: a rerun continues (imported items are skipped).
    truncated = "truncated"
    failed = "failed"


class BackfillRefused(Exception):
    """The backfill cannot start; the message says why (for the API's 4xx answer)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class BackfillJob:
    source_id: str
    span: DateRange
    max_pages: int
    include_answered: bool
    rate_per_s: float | None
    state: JobState = JobState.running
    progress: BackfillProgress = field(default_factory=BackfillProgress)
    error: str | None = None
    task: asyncio.Task[None] | None = None


class BackfillJobs:
    """The service's backfills, one per source at a time."""

    def __init__(
        self,
        *,
        connectors: dict[str, Connector],
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
    ) -> None:
        self._connectors = connectors
        self._sessions = sessions
        self._publisher = publisher
        self._jobs: dict[str, BackfillJob] = {}

    def get(self, source_id: str) -> BackfillJob | None:
        return self._jobs.get(source_id)

    def start(
        self,
        source_id: str,
        span: DateRange,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        include_answered: bool = False,
        rate_per_s: float | None = None,
    ) -> BackfillJob:
        """Start importing `span` for the source; raises BackfillRefused (unknown
        source 404, already running 409, not possible for this platform 422)."""
        connector = self._connectors.get(source_id)
        if connector is None:
            known = ", ".join(sorted(self._connectors)) or "none configured"
            raise BackfillRefused(f"unknown source {source_id!r} (known: {known})", status=404)
        current = self._jobs.get(source_id)
        if current is not None and current.state == JobState.running:
            raise BackfillRefused(f"a backfill of {source_id!r} is already running", status=409)
        if max_pages < 1:
            raise BackfillRefused("max_pages must be at least 1", status=422)
        if rate_per_s is not None and rate_per_s <= 0:
            raise BackfillRefused("rate_per_s must be above 0", status=422)
        try:
            walk_for(connector, span, include_answered)
        except ValueError as exc:
            raise BackfillRefused(str(exc), status=422) from None
        job = BackfillJob(source_id, span, max_pages, include_answered, rate_per_s)
        self._jobs[source_id] = job
        job.task = asyncio.create_task(self._run(job, connector), name=f"backfill-{source_id}")
        return job

    async def _run(self, job: BackfillJob, connector: Connector) -> None:
        # An own cap on top of the account's bucket: a backfill may be asked to leave
        # the live poller most of the budget; it never adds to the account's rate.
        pace = TokenBucket(job.rate_per_s, 1) if job.rate_per_s is not None else None

        def on_page(progress: BackfillProgress) -> None:
            job.progress = progress

        log.info("backfill started", source_id=job.source_id, span=str(job.span))
        try:
            job.progress = await backfill(
                connector=connector,
                span=job.span,
                sessions=self._sessions,
                publisher=self._publisher,
                max_pages=job.max_pages,
                on_page=on_page,
                include_answered=job.include_answered,
                pace=pace,
            )
        except asyncio.CancelledError:
            job.state, job.error = JobState.failed, "stopped with the service"
            raise
        except ConnectorError as exc:
            job.state, job.error = JobState.failed, str(exc)
        except Exception as exc:  # broker or database: reported, the service goes on
            job.state, job.error = JobState.failed, f"{type(exc).__name__}: {exc}"
        else:
            job.state = JobState.truncated if job.progress.truncated else JobState.done
        log.info(
            "backfill finished",
            source_id=job.source_id,
            state=str(job.state),
            pages=job.progress.pages,
            new=job.progress.new,
            error=job.error,
        )

    async def stop(self) -> None:
        tasks = [j.task for j in self._jobs.values() if j.task is not None and not j.task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
