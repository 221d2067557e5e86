"""Importing a source's history for a date range, through the polling path.

Same connector `fetch`, same `accept_mentions` (publish to Kafka, then record; dedup by
mention id and revision), but the live poller's cursor (`SourceState`) is never read or
written: the backfill walks its own, in-memory cursor. Running it twice, or while the
live poller runs, publishes nothing twice (the dedup record is shared).

How the range is walked is the connector's `history` capability (`HistoryWalking`):
where to start (at the range start where the platform pages by date, e.g. Wildberries'
`dateFrom`; the whole list where it cannot, e.g. Ozon's `status=ALL`) and when to stop.
A connector without it is read from its first page, and only mentions whose
`published_at` lies inside the range are kept, as they are for every connector.
Answered history (`include_answered`) needs the capability. Wildberries also walks its
review archive (answered reviews, and unanswered ones after 30 days, live only there),
oldest first by offset, until past the range end. Yandex Market, whose filter spans six
months at most, walks the range in windows of at most 180 days.

Either way at most `max_pages` pages are fetched; hitting that bound is reported, and a
rerun is harmless.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.mention.service import Outcome, accept_mentions
from shared.bus import Publisher
from shared.connector import (
    Connector,
    FetchResult,
    HistoryStart,
    HistoryWalking,
    history_walking,
)
from shared.events import Mention
from shared.rate import TokenBucket

DEFAULT_MAX_PAGES = 10_000


@dataclass(frozen=True)
class DateRange:
    """Whole UTC days: `start` inclusive (00:00 of the first day), `end` exclusive
    (00:00 of the day after the last one)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"--from {self.first} is after --to {self.last}")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, dt_time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), dt_time(0), tzinfo=UTC)

    def __contains__(self, moment: datetime) -> bool:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return self.start <= aware < self.end


@dataclass
class BackfillProgress:
    pages: int = 0
    fetched: int = 0
    in_range: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    started: float = field(default_factory=time.monotonic)
    truncated: bool = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def line(self) -> str:
        rate = self.pages / self.elapsed if self.elapsed > 0 else 0.0
        return (
            f"pages {self.pages}  fetched {self.fetched}  in range {self.in_range}  "
            f"new {self.new}  updated {self.updated}  duplicate {self.duplicate}  "
            f"{rate:.2f} pages/s  {self.elapsed:.1f}s"
        )


@dataclass(frozen=True)
class Walk:
    """How to walk one connector over a range: first cursor, and when to stop."""

    connector: Connector
    span: DateRange
    include_answered: bool
    start: HistoryStart
    history: HistoryWalking | None

    @property
    def bounded(self) -> bool:
        """True when the platform's paging starts at the range (else: read all, filter)."""
        return self.start.by_date

    def first_cursor(self) -> str | None:
        return self.start.cursor

    def after_page(self, page: FetchResult) -> tuple[str | None, bool]:
        """The cursor for the next page and whether there is one."""
        if self.history is None:
            return page.next_cursor, page.has_more
        return self.history.history_next(
            page, self.span.end, include_answered=self.include_answered
        )


def walk_for(connector: Connector, span: DateRange, include_answered: bool = False) -> Walk:
    """How to walk `connector` over `span`: its own history walk where it has one."""
    history = history_walking(connector)
    if history is None:
        if include_answered:
            raise ValueError(f"answered history cannot be imported from {connector.platform}")
        return Walk(connector, span, include_answered, HistoryStart(None, by_date=False), None)
    start = history.history_start(span.start, span.end, include_answered=include_answered)
    return Walk(connector, span, include_answered, start, history)


async def backfill(
    *,
    connector: Connector,
    span: DateRange,
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    max_pages: int = DEFAULT_MAX_PAGES,
    on_page: Callable[[BackfillProgress], None] | None = None,
    include_answered: bool = False,
    pace: TokenBucket | None = None,
) -> BackfillProgress:
    """Import the mentions of `span`; never touches the live cursor. `pace` caps the
    page rate below the account's own limit (which the connector applies anyway).

    Raises the connector's ConnectorError (after its own retries) or the broker's
    error; what was accepted before stays accepted, and a rerun skips it.
    """
    if max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    walk = walk_for(connector, span, include_answered)
    progress = BackfillProgress()
    cursor = walk.first_cursor()
    while True:
        if progress.pages >= max_pages:
            progress.truncated = True
            break
        if pace is not None:
            await pace.acquire()
        page = await connector.fetch(cursor)
        progress.pages += 1
        progress.fetched += len(page.mentions)
        keep: list[Mention] = [m for m in page.mentions if m.published_at in span]
        progress.in_range += len(keep)
        if keep:
            result = await accept_mentions(sessions=sessions, publisher=publisher, mentions=keep)
            progress.new += result.count(Outcome.new)
            progress.updated += result.count(Outcome.updated)
            progress.duplicate += result.count(Outcome.duplicate)
        if on_page is not None:
            on_page(progress)
        cursor, more = walk.after_page(page)
        if not more:
            break
    return progress
