"""Import a source's history for a date range: the polling path, without the live cursor.

    python -m services.ingest.backfill --source wb-main --from 2025-03-01 --to 2025-03-31
        [--service http://127.0.0.1:8001] [--max-pages 10000] [--rate-per-s 1.5]
    python -m services.ingest.backfill --standalone --source ... [--sources-file sources.yml]

By default the running ingest service does the import (`POST /api/sources/{id}/backfill`,
admin token from `API_TOKEN`) on the live source's own connector: the platform's limit
is per seller account, and there the live poller and the backfill draw from one bucket,
so together they stay within it. This command starts it and follows its progress.

`--standalone` runs the import in this process (settings from the environment like the
service, `--sources-file` overrides `INGEST_SOURCES_FILE`; migrations run like at
service start). It has a limiter of its own: use it only while the service is not
polling that source, or the two together would exceed the platform's rate.

Both days are included (UTC). Progress goes to stderr; the summary to stdout.
Re-running is harmless: what was imported is recognised and not published again.

Exit status: 0 done, 1 failed (platform or broker error), 2 bad arguments or
configuration, 3 stopped at --max-pages (rerun to continue: nothing is lost).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TextIO

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
        "--service",
        default="http://127.0.0.1:8001",
        help="the ingest service that runs the import (default %(default)s)",
    )
    p.add_argument(
        "--standalone",
        action="store_true",
        help="run the import in this process (only while the service is not polling "
        "the source: the two would each use the platform's full rate)",
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
    async with httpx.AsyncClient(
        timeout=settings.ingest_http_timeout_s, headers={"User-Agent": "otklik-ingest"}
    ) as http:
        connector = factory(config, http)
        try:
            try:
                walk = walk_for(connector, span, include_answered)
            except ValueError as exc:  # the source cannot import this history
                raise UsageError(str(exc)) from None
            how = "by date" if walk.bounded else "all pages, filtered by date"
            runtime = await Runtime.start(
                settings, migrations_dir=MIGRATIONS, configure_logs=configure_logs
            )
            try:
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
                await runtime.stop()
        finally:
            await connector.aclose()
    return progress


class ServiceError(Exception):
    """The service refused or lost the backfill: exit 1 (or 2 for a refusal of the
    request itself) with this message."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def _progress_of(body: dict[str, Any]) -> BackfillProgress:
    progress = BackfillProgress(
        pages=int(body["pages"]),
        fetched=int(body["fetched"]),
        in_range=int(body["in_range"]),
        new=int(body["new"]),
        updated=int(body["updated"]),
        duplicate=int(body["duplicate"]),
        truncated=bool(body["truncated"]),
    )
    progress.started = time.monotonic() - float(body["elapsed_s"])
    return progress


async def run_in_service(
    service_url: str,
    token: str,
    *,
    source_id: str,
    span: DateRange,
    max_pages: int = DEFAULT_MAX_PAGES,
    rate_per_s: float | None = None,
    include_answered: bool = False,
    progress_stream: TextIO | None = None,
    poll_s: float = 1.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> BackfillProgress:
    """Have the ingest service import `span` and follow it until it ends."""
    stream = progress_stream if progress_stream is not None else sys.stderr
    path = f"/api/sources/{source_id}/backfill"
    body: dict[str, Any] = {
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "max_pages": max_pages,
        "include_answered": include_answered,
    }
    if rate_per_s is not None:
        body["rate_per_s"] = rate_per_s
    async with httpx.AsyncClient(
        base_url=service_url.rstrip("/"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
        transport=transport,
    ) as client:
        try:
            answer = await client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise ServiceError(
                f"the ingest service at {service_url} did not answer: {exc}"
            ) from exc
        if answer.status_code != 202:
            detail = _detail(answer)
            raise ServiceError(
                f"the ingest service refused the backfill (HTTP {answer.status_code}: {detail})",
                usage=answer.status_code in (404, 409, 422),
            )
        stream.write(f"backfill {source_id} {span.first}..{span.last}: running in the service\n")
        line = ProgressLine(stream, source_id)
        job = answer.json()
        while job["state"] == "running":
            line(_progress_of(job))
            await asyncio.sleep(poll_s)
            try:
                answer = await client.get(path)
            except httpx.HTTPError as exc:
                raise ServiceError(f"lost the ingest service while following: {exc}") from exc
            if answer.status_code != 200:
                raise ServiceError(f"the backfill's progress: HTTP {answer.status_code}")
            job = answer.json()
        progress = _progress_of(job)
        line.close(progress)
    if job["state"] == "failed":
        raise ConnectorError(str(job.get("error") or "failed"), retryable=True)
    return progress


def _detail(answer: httpx.Response) -> str:
    """The service's error message (`{"error": {"message": ...}}`), else the raw text."""
    try:
        error = answer.json().get("error")
    except (ValueError, AttributeError):
        error = None
    message = error.get("message") if isinstance(error, dict) else None
    return str(message) if message else answer.text[:300]


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
        if args.standalone:
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
        else:
            if settings.ingest_sources_file is not None:  # name a typo before asking
                try:
                    config = pick_source(source_configs(settings), args.source)
                except SourcesFileError as exc:
                    raise UsageError(str(exc)) from None
                if args.include_answered and config.platform != "wildberries":
                    raise UsageError(
                        "--include-answered works for wildberries sources only, "
                        f"not {config.platform}"
                    )
            progress = asyncio.run(
                run_in_service(
                    args.service,
                    settings.api_token.get_secret_value(),
                    source_id=args.source,
                    span=span,
                    max_pages=args.max_pages,
                    rate_per_s=args.rate_per_s,
                    include_answered=args.include_answered,
                )
            )
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if exc.usage else 1
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
