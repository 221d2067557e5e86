"""Importing a source's history for a date range, through the polling path.

Same connector `fetch`, same `accept_mentions` (publish to Kafka, then record; dedup by
mention id and revision), but the live poller's cursor (`SourceState`) is never read or
written: the backfill walks its own, in-memory cursor. Running it twice, or while the
live poller runs, publishes nothing twice (the dedup record is shared).

How the range is bounded depends on what the platform can do:

- Wildberries pages `dateFrom`-ascending: the walk starts at the range start (a cursor
  with `from` per stream) and each stream stops as soon as its next request would begin
  past the range end; the items of the last page beyond the end are dropped. With
  `include_answered` it also walks the answered items (`isAnswered=true`), which reach
  `mentions.raw` marked `answered` (history for the record, nothing to reply to).
  Reviews are also read from WB's archive (answered ones, and unanswered ones after 30
  days, live only there), oldest first by offset, until past the range end.
- Ozon is walked with `status=ALL` (the live source reads only UNPROCESSED reviews; a
  history import must not skip processed ones, which come in `answered`).
- Connectors that cannot start at a date are read from the beginning, page by page, and
  only mentions whose `published_at` lies inside the range are kept.

Either way at most `max_pages` pages are fetched; hitting that bound is reported, and a
rerun is harmless.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.ingest.connectors.base import decode_cursor, encode_cursor
from services.ingest.connectors.ozon import OzonConnector
from services.ingest.connectors.wildberries import WildberriesConnector
from services.ingest.mention.service import Outcome, accept_mentions
from shared.bus import Publisher
from shared.connector import Connector, FetchResult
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


class _Walk:
    """How to walk one connector over a range: first cursor, and when to stop."""

    #: True when the platform's paging starts at the range (else: read all, filter).
    bounded = False

    def __init__(self, connector: Connector, span: DateRange, include_answered: bool) -> None:
        self.connector = connector
        self.span = span
        self.include_answered = include_answered

    def first_cursor(self) -> str | None:
        return None

    def after_page(self, page: FetchResult) -> tuple[str | None, bool]:
        """The cursor for the next page and whether there is one."""
        return page.next_cursor, page.has_more


class _WildberriesWalk(_Walk):
    """Starts every stream at the range start (WB `dateFrom`) and leaves a stream once
    its next request would begin past the range end (pages come `dateAsc`)."""

    bounded = True
    connector: WildberriesConnector

    def first_cursor(self) -> str | None:
        start = int(self.span.start.timestamp())
        streams = self.connector.history_streams(self.include_answered)
        state: dict[str, Any] = {s: {"from": start, "skip": 0, "wm": start} for s in streams}
        if streams:
            state["stream"] = streams[0]
        state["streams"] = list(streams)  # history walks more than the live streams
        return encode_cursor(state)

    def after_page(self, page: FetchResult) -> tuple[str | None, bool]:
        if not page.has_more:
            return page.next_cursor, False
        state = decode_cursor(self.connector.platform, page.next_cursor)
        streams = self.connector.history_streams(self.include_answered)
        stream = state.get("stream")
        if stream not in streams:
            return page.next_cursor, page.has_more
        end = int(self.span.end.timestamp())
        index = streams.index(stream)
        while int((state.get(stream) or {}).get("from", 0)) >= end:  # past the range
            index += 1
            if index >= len(streams):
                return None, False
            stream = streams[index]
        state["stream"] = stream
        return encode_cursor(state), True


class _OzonWalk(_Walk):
    """The whole review list (`status=ALL`, newest last), once, without resweeping."""

    def first_cursor(self) -> str | None:
        return encode_cursor({"status": "ALL", "resweep": False})


def walk_for(connector: Connector, span: DateRange, include_answered: bool = False) -> _Walk:
    """How to walk `connector` over `span`; answered history only where the platform
    lists it apart (Wildberries `isAnswered`)."""
    if isinstance(connector, WildberriesConnector):
        return _WildberriesWalk(connector, span, include_answered)
    if isinstance(connector, OzonConnector):
        return _OzonWalk(connector, span, include_answered)
    if include_answered:
        raise ValueError(
            f"answered history can be imported from wildberries only, not {connector.platform}"
        )
    return _Walk(connector, span, include_answered)


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
