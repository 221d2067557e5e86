"""Import a source's history for a date range: the polling path, without the live cursor.

    python -m services.ingest.backfill --source wb-main --from 2025-03-01 --to 2025-03-31
        [--sources-file sources.yml] [--max-pages 10000] [--rate-per-s 1.5]

Settings (broker, topic prefix, database) come from the environment like the service;
`--sources-file` overrides `INGEST_SOURCES_FILE`. Migrations are run like at service
start. Both days are included (UTC). Progress goes to stderr; the summary to stdout.
Re-running is harmless: what was imported is recognised and not published again.

The platform's rate limit is per seller account and this process has its own limiter:
while the live service polls the same account, pass a lower `--rate-per-s` (the HTTP
caller waits out any 429 the platform answers anyway).

Exit status: 0 done, 1 failed (platform or broker error), 2 bad arguments or
configuration, 3 stopped at --max-pages (rerun to continue: nothing is lost).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TextIO

import httpx
from aiokafka.errors import KafkaError
from sqlalchemy.exc import SQLAlchemyError

import services.ingest.connectors  # registers the platform connectors
import services.ingest.demo.source  # noqa: F401  (registers the demo connector)
from services.ingest.config import IngestSettings
from services.ingest.main import MIGRATIONS, source_configs
from services.ingest.source.backfill import (
    DEFAULT_MAX_PAGES,
    BackfillProgress,
    DateRange,
    backfill,
    walk_for,
)
from services.ingest.source.config import SourcesFileError
from shared.connector import ConnectorError, SourceConfig, factory_for
from shared.runtime import Runtime
from shared.settings import SettingsError, load_settings


class UsageError(Exception):
    """Bad arguments or configuration: exit 2 with this message."""


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m services.ingest.backfill",
        description="Import a source's history for a date range (both days included, UTC).",
    )
    p.add_argument("--source", required=True, help="source id from the sources file")
    p.add_argument("--from", dest="first", required=True, type=_day, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", required=True, type=_day, metavar="YYYY-MM-DD")
    p.add_argument("--sources-file", type=Path, help="overrides INGEST_SOURCES_FILE")
    p.add_argument(
        "--max-pages",
        type=int,
        default=DEFAULT_MAX_PAGES,
        help=f"stop after this many pages (default {DEFAULT_MAX_PAGES})",
    )
    p.add_argument(
        "--rate-per-s",
        type=float,
        help="requests per second for this run (default: the source's own limit)",
    )
    p.add_argument(
        "--include-answered",
        action="store_true",
        help="also import reviews and questions already answered on the platform "
        "(Wildberries only); they are marked answered and need no reply",
    )
    return p


def pick_source(configs: Sequence[SourceConfig], source_id: str) -> SourceConfig:
    for config in configs:
        if config.source_id == source_id:
            return config
    known = ", ".join(sorted(c.source_id for c in configs)) or "none configured"
    raise UsageError(f"unknown source {source_id!r} (known: {known})")


class ProgressLine:
    """One progress line on stderr, redrawn in place on a terminal, else every few pages."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.tty = stream.isatty()
        self._last_pages = 0

    def __call__(self, progress: BackfillProgress) -> None:
        text = f"{self.label}: {progress.line()}"
        if self.tty:
            self.stream.write("\r\x1b[2K" + text)
        elif progress.pages == 1 or progress.pages - self._last_pages >= 10:
            self.stream.write(text + "\n")
            self._last_pages = progress.pages
        else:
            return
        self.stream.flush()

    def close(self, progress: BackfillProgress) -> None:
        text = f"{self.label}: {progress.line()}"
        self.stream.write(("\r\x1b[2K" + text if self.tty else text) + "\n")
        self.stream.flush()


async def run(
    settings: IngestSettings,
    *,
    source_id: str,
    span: DateRange,
    max_pages: int = DEFAULT_MAX_PAGES,
    rate_per_s: float | None = None,
    progress_stream: TextIO | None = None,
    configure_logs: bool = True,
    include_answered: bool = False,
) -> BackfillProgress:
    """Backfill one source; raises UsageError, ConnectorError or broker errors."""
    if max_pages < 1:
        raise UsageError("--max-pages must be at least 1")
    if rate_per_s is not None and rate_per_s <= 0:
        raise UsageError("--rate-per-s must be above 0")
    try:
        configs = source_configs(settings)
    except SourcesFileError as exc:
        raise UsageError(str(exc)) from None
    config = pick_source(configs, source_id)
    if rate_per_s is not None:
        config = replace(config, options={**config.options, "rate_per_s": rate_per_s})
    try:
        factory = factory_for(config.platform)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    if include_answered and config.platform != "wildberries":
        raise UsageError(
            f"--include-answered works for wildberries sources only, not {config.platform}"
        )
    stream = progress_stream if progress_stream is not None else sys.stderr
    runtime = await Runtime.start(
        settings, migrations_dir=MIGRATIONS, configure_logs=configure_logs
    )
    try:
        async with httpx.AsyncClient(
            timeout=settings.ingest_http_timeout_s, headers={"User-Agent": "otklik-ingest"}
        ) as http:
            connector = factory(config, http)
            try:
                walk = walk_for(connector, span, include_answered)
                how = "by date" if walk.bounded else "all pages, filtered by date"
                stream.write(
                    f"backfill {config.source_id} ({config.platform}) "
                    f"{span.first}..{span.last}: reading {how}, at most {max_pages} pages\n"
                )
                line = ProgressLine(stream, config.source_id)
                progress = BackfillProgress()

                def on_page(p: BackfillProgress) -> None:
                    nonlocal progress
                    progress = p
                    line(p)

                try:
                    progress = await backfill(
                        connector=connector,
                        span=span,
                        sessions=runtime.sessions,
                        publisher=runtime.publisher,
                        max_pages=max_pages,
                        on_page=on_page,
                        include_answered=include_answered,
                    )
                finally:
                    line.close(progress)
            finally:
                await connector.aclose()
    finally:
        await runtime.stop()
    return progress


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        span = DateRange(args.first, args.last)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        overrides: dict[str, object] = {"log_level": "WARNING"}
        if args.sources_file is not None:
            overrides["ingest_sources_file"] = args.sources_file
        settings = load_settings(IngestSettings, **overrides)
        progress = asyncio.run(
            run(
                settings,
                source_id=args.source,
                span=span,
                max_pages=args.max_pages,
                rate_per_s=args.rate_per_s,
                include_answered=args.include_answered,
            )
        )
    except SettingsError:
        return 2  # load_settings printed which variable is wrong
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ConnectorError as exc:
        print(f"error: backfill stopped: {exc}", file=sys.stderr)
        print("what was imported before stays imported; rerun to continue", file=sys.stderr)
        return 1
    except (OSError, RuntimeError, KafkaError, SQLAlchemyError) as exc:  # broker / database
        print(f"error: backfill stopped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(
        f"done: pages={progress.pages} fetched={progress.fetched} in_range={progress.in_range} "
        f"new={progress.new} updated={progress.updated} duplicate={progress.duplicate} "
        f"seconds={progress.elapsed:.1f}"
    )
    if progress.truncated:
        print(
            f"stopped at --max-pages {args.max_pages}: the range is not complete; rerun with "
            "a higher --max-pages or a narrower range (already imported items are skipped)",
            file=sys.stderr,
        )
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
