"""Polling one source: fetch a page, publish it, then advance the cursor.

The cursor moves in the same commit that records the page's mentions, after Kafka
acknowledged them, so a crash at any point re-reads the page instead of skipping it.
A source that keeps failing is marked unhealthy (metric, `/api/sources`, an event) and
polled again later with a growing pause, without affecting the other sources.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.mention.service import Outcome, accept_mentions
from services.ingest.metrics import IngestMetrics
from services.ingest.source.models import SourceState
from shared.bus import Publisher
from shared.connector import (
    Connector,
    ConnectorError,
    SourceConfig,
    call_stats_reporting,
    credential_expiring,
)
from shared.db import session_scope
from shared.events import SourceHealthChanged, utcnow
from shared.logging import get_logger, log_context
from shared.retry import Backoff
from shared.topics import SOURCES

log = get_logger(__name__)

#: Pages fetched back to back in one cycle before yielding to the next interval.
MAX_PAGES_PER_CYCLE = 50
#: The longest platform-requested pause honoured (Yandex quotas reset hourly).
MAX_PLATFORM_WAIT_S = 3600.0


@dataclass(frozen=True)
class PollReport:
    pages: int
    new: int
    updated: int
    duplicate: int
    error: str | None = None
    #: Seconds the platform asked us to stay away (its last throttled answer).
    retry_after: float | None = None


def next_delay(
    interval_s: float, failures: int, max_backoff_s: float, rand: Callable[[], float]
) -> float:
    """The pause before the next poll: the interval, or exponential backoff with jitter."""
    if failures <= 0:
        return interval_s
    return Backoff(interval_s, max_backoff_s, jitter=0.5, max_exponent=20).delay(failures, rand)


class SourcePoller:
    def __init__(
        self,
        *,
        config: SourceConfig,
        connector: Connector,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        metrics: IngestMetrics,
        unhealthy_after: int,
        max_backoff_s: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.connector = connector
        self._sessions = sessions
        self._publisher = publisher
        self._metrics = metrics
        self._unhealthy_after = unhealthy_after
        self._max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._rand = rand
        self._labels = {"platform": config.platform, "source": config.source_id}
        self._seen_throttled = 0
        self._seen_limiter_wait = 0.0
        #: A reason to renew the credential soon (token expiry), shown on the source.
        self.warning: str | None = None

    async def run(self) -> None:
        """Poll until cancelled."""
        self._metrics.source_healthy.labels(**self._labels).set(1)
        outage_failures = 0
        while True:
            try:
                report = await self.poll_once()
                state = await self.state()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The broker or our database is down, not the platform: nothing was
                # recorded, so the cursor still points at the page; try again later.
                outage_failures += 1
                log.warning(
                    "poll interrupted by an outage; the page will be read again",
                    error=f"{type(exc).__name__}: {exc}",
                    attempt=outage_failures,
                )
                await self._sleep(
                    next_delay(
                        self.config.poll_interval_s,
                        outage_failures,
                        self._max_backoff_s,
                        self._rand,
                    )
                )
                continue
            outage_failures = 0
            failures = state.consecutive_failures if state else 0
            if report.error is None and report.pages >= MAX_PAGES_PER_CYCLE:
                continue
            delay = next_delay(
                self.config.poll_interval_s, failures, self._max_backoff_s, self._rand
            )
            if report.retry_after:  # a quota outlasting the call's retries: wait it out
                delay = max(delay, min(report.retry_after, MAX_PLATFORM_WAIT_S))
            await self._sleep(delay)

    async def state(self) -> SourceState | None:
        async with session_scope(self._sessions) as session:
            return await session.get(SourceState, self.config.source_id)

    async def poll_once(self) -> PollReport:
        """Fetch pages until the platform has no more (bounded), publishing each."""
        pages = new = updated = duplicate = 0
        started = time.perf_counter()
        with log_context(source=self.config.source_id, platform=self.config.platform):
            try:
                while pages < MAX_PAGES_PER_CYCLE:
                    cursor = await self._load_cursor()
                    page = await self.connector.fetch(cursor)
                    pages += 1

                    async def advance(
                        session: AsyncSession,
                        page_cursor: str | None = page.next_cursor,
                        count: int = len(page.mentions),
                    ) -> None:
                        await self._record_success(session, page_cursor, count)

                    result = await accept_mentions(
                        sessions=self._sessions,
                        publisher=self._publisher,
                        mentions=page.mentions,
                        after_record=advance,
                    )
                    for outcome in result.outcomes.values():
                        self._metrics.mentions.labels(**self._labels, outcome=outcome.value).inc()
                    new += result.count(Outcome.new)
                    updated += result.count(Outcome.updated)
                    duplicate += result.count(Outcome.duplicate)
                    if not page.has_more:
                        break
            except ConnectorError as exc:
                await self._record_failure(str(exc), retryable=exc.retryable)
                return PollReport(
                    pages, new, updated, duplicate, error=str(exc), retry_after=exc.retry_after
                )
            finally:
                self._metrics.poll_seconds.labels(platform=self.config.platform).observe(
                    time.perf_counter() - started
                )
                self._export_call_stats()
                self._check_credential()
        self._metrics.polls.labels(**self._labels, result="ok").inc()
        self._metrics.source_healthy.labels(**self._labels).set(1)
        self._metrics.source_last_success.labels(**self._labels).set(time.time())
        if new or updated:
            log.info("source polled", pages=pages, new=new, updated=updated, duplicate=duplicate)
        return PollReport(pages, new, updated, duplicate)

    def _check_credential(self) -> None:
        """Token expiry read from the token: a metric, the source's warning, a log line
        when the warning appears or changes day."""
        expiring = credential_expiring(self.connector)
        if expiring is None:
            return
        try:
            expires = expiring.credential_expires_at()
        except ConnectorError:
            return
        if expires is None:
            return
        self._metrics.credential_expiry.labels(**self._labels).set(expires.timestamp())
        warning = expiring.credential_warning(utcnow())
        if warning and (self.warning or "")[:60] != warning[:60]:
            log.warning("source credential expires soon", warning=warning)
        self.warning = warning

    def _export_call_stats(self) -> None:
        """Throttled answers and limiter waits since the last poll, where the connector
        reports them (every HTTP connector does; the demo source does not)."""
        reporting = call_stats_reporting(self.connector)
        if reporting is None:
            return
        stats = reporting.call_stats()
        throttled, waited = stats.throttled, stats.limiter_wait_s
        if throttled > self._seen_throttled:
            self._metrics.throttled.labels(**self._labels).inc(throttled - self._seen_throttled)
        if waited > self._seen_limiter_wait:
            self._metrics.limiter_wait_seconds.labels(**self._labels).inc(
                waited - self._seen_limiter_wait
            )
        self._seen_throttled, self._seen_limiter_wait = throttled, waited

    async def _load_cursor(self) -> str | None:
        state = await self.state()
        return state.cursor if state else None

    async def _get_or_create(self, session: AsyncSession) -> SourceState:
        state = await session.get(SourceState, self.config.source_id)
        if state is None:
            state = SourceState(
                source_id=self.config.source_id,
                platform=self.config.platform,
                healthy=True,
                consecutive_failures=0,
                mentions_total=0,
            )
            session.add(state)
        return state

    async def _record_success(self, session: AsyncSession, cursor: str | None, count: int) -> None:
        state = await self._get_or_create(session)
        was_healthy = state.healthy
        now = utcnow()
        if cursor is not None:
            state.cursor = cursor
        state.healthy = True
        state.consecutive_failures = 0
        state.last_error = None
        state.last_success_at = now
        state.last_attempt_at = now
        state.mentions_total = (state.mentions_total or 0) + count
        if not was_healthy:
            await self._announce(healthy=True, error=None)

    async def _record_failure(self, error: str, *, retryable: bool) -> None:
        self._metrics.polls.labels(
            **self._labels, result="retryable_error" if retryable else "fatal_error"
        ).inc()
        async with session_scope(self._sessions) as session:
            state = await self._get_or_create(session)
            state.consecutive_failures = (state.consecutive_failures or 0) + 1
            state.last_error = error[:2000]
            state.last_attempt_at = utcnow()
            turned_unhealthy = state.healthy and (
                not retryable or state.consecutive_failures >= self._unhealthy_after
            )
            if turned_unhealthy:
                state.healthy = False
        log.warning("source poll failed", error=error, retryable=retryable)
        if turned_unhealthy:
            self._metrics.source_healthy.labels(**self._labels).set(0)
            await self._announce(healthy=False, error=error)

    async def _announce(self, *, healthy: bool, error: str | None) -> None:
        try:
            await self._publisher.publish(
                SOURCES,
                SourceHealthChanged(
                    source_id=self.config.source_id,
                    platform=self.config.platform,
                    healthy=healthy,
                    error=error,
                ),
            )
        except Exception as exc:  # health news must not stop polling
            log.warning("could not publish source health", error=str(exc))


async def list_states(session: AsyncSession) -> list[SourceState]:
    rows = await session.execute(select(SourceState).order_by(SourceState.source_id))
    return list(rows.scalars())
