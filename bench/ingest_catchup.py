"""Ingest catch-up benchmark: 10k Wildberries reviews through the real polling path.

The fake feedbacks-api (`tests/fakes/wildberries.py`) runs in uvicorn on loopback and
enforces WB's limit, 3 requests/s with a burst of 6 per token, answering 429 with
`X-Ratelimit-Retry` when exceeded. The real `WildberriesConnector` (own token bucket,
same limit unless `--margin`) is driven by `SourcePoller.poll_once` until the backlog is
drained: every page is published to a real broker (EmbeddedBroker / Tansu) and recorded
in a temporary SQLite database, the cursor stored after each page.

Reported: requests, elapsed, achieved request rate against the allowed rate (plain, and
against the most the bucket allows in that time: burst + rate * elapsed), 429 answers
(each is one our limiter should have prevented), mentions/s.

    .venv/bin/python bench/ingest_catchup.py [--reviews 10000] [--take 100]
        [--rate 3] [--burst 6] [--margin 0.0]

`--rate/--burst` change the fake's limit and the connector's limiter identically;
`--margin 0.02` makes the connector aim 2 % under the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.ingest.config import IngestSettings  # noqa: E402
from services.ingest.connectors.http import LimiterRegistry  # noqa: E402
from services.ingest.connectors.wildberries import WildberriesConnector  # noqa: E402
from services.ingest.main import MIGRATIONS  # noqa: E402
from services.ingest.metrics import make_ingest_metrics  # noqa: E402
from services.ingest.source.poller import MAX_PAGES_PER_CYCLE, SourcePoller  # noqa: E402
from shared.broker import EmbeddedBroker  # noqa: E402
from shared.connector import SourceConfig  # noqa: E402
from shared.runtime import Runtime  # noqa: E402
from tests.fakes.server import serve_app  # noqa: E402
from tests.fakes.wildberries import TOKEN, FakeWildberries  # noqa: E402


def seed(fake: FakeWildberries, n: int) -> None:
    start = datetime.now(UTC) - timedelta(days=60)
    for i in range(n):
        fake.add_feedback(
            f"bench-{i:06d}",
            start + timedelta(seconds=30 * i),
            text=f"Отзыв номер {i}: хорошая вещь, но доставка долгая",
            rating=1 + i % 5,
        )


async def catch_up(args: argparse.Namespace, broker: EmbeddedBroker, tmp: Path) -> dict[str, Any]:
    fake = FakeWildberries(rate=args.rate, burst=args.burst)
    seed(fake, args.reviews)
    stamps: list[float] = []

    async def stamp(request: Any, call_next: Any) -> Any:
        stamps.append(time.monotonic())
        return await call_next(request)

    fake.app.middleware("http")(stamp)  # outermost: sees every request, 429s included

    settings = IngestSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=f"bench{int(time.time())}.",
        database_url=f"sqlite+aiosqlite:///{tmp / 'ingest.db'}",
        log_level="WARNING",
        log_json=False,
    )
    runtime = await Runtime.start(settings, migrations_dir=MIGRATIONS, configure_logs=True)
    metrics = make_ingest_metrics(CollectorRegistry())
    reports = []
    try:
        async with serve_app(fake.app) as url, httpx.AsyncClient(timeout=20) as http:
            config = SourceConfig(
                source_id="wb-bench",
                platform="wildberries",
                poll_interval_s=60,
                options={
                    "base_url": url,
                    "take": args.take,
                    "rate_per_s": args.rate * (1 - args.margin),
                    "burst": args.burst,
                },
                credentials={"token": TOKEN},
            )
            connector = WildberriesConnector(config, http, limiters=LimiterRegistry())
            poller = SourcePoller(
                config=config,
                connector=connector,
                sessions=runtime.sessions,
                publisher=runtime.publisher,
                metrics=metrics,
                unhealthy_after=3,
                max_backoff_s=60,
            )
            started = time.monotonic()
            while True:
                report = await poller.poll_once()
                reports.append(report)
                if report.error is not None:
                    raise SystemExit(f"poll failed: {report.error}")
                if report.pages < MAX_PAGES_PER_CYCLE:
                    break  # the poller's run loop would now sleep: caught up
            elapsed = time.monotonic() - started
            stats = connector.http.stats
    finally:
        await runtime.stop()

    requests = len(stamps)
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
    new = sum(r.new for r in reports)
    allowed_in_elapsed = args.burst + args.rate * elapsed
    return {
        "reviews_seeded": args.reviews,
        "take": args.take,
        "allowed_rate_per_s": args.rate,
        "burst": args.burst,
        "connector_rate_per_s": round(args.rate * (1 - args.margin), 4),
        "polls": len(reports),
        "pages": sum(r.pages for r in reports),
        "requests": requests,
        "elapsed_s": round(elapsed, 2),
        "achieved_rate_per_s": round(requests / elapsed, 3),
        "achieved_pct_of_allowed_rate": round(100 * requests / elapsed / args.rate, 1),
        "achieved_pct_of_bucket_max": round(100 * requests / allowed_in_elapsed, 1),
        "steady_rate_first_to_last_request_per_s": round((requests - 1) / span, 3)
        if span
        else None,
        "throttled_429_by_fake": fake.throttled,
        "connector_retries": stats.retries,
        "connector_limiter_wait_s": round(stats.limiter_wait_s, 2),
        "mentions_new": new,
        "mentions_duplicate": sum(r.duplicate for r in reports),
        "mentions_per_s": round(new / elapsed, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--take", type=int, default=100)
    parser.add_argument("--rate", type=float, default=3.0)
    parser.add_argument("--burst", type=int, default=6)
    parser.add_argument("--margin", type=float, default=0.0)
    args = parser.parse_args()
    broker = EmbeddedBroker().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(catch_up(args, broker, Path(tmp)))
    finally:
        broker.stop()
    print(json.dumps(result, indent=2))
    ok = (
        result["mentions_new"] == args.reviews
        and result["throttled_429_by_fake"] == 0
        and result["achieved_pct_of_allowed_rate"] >= 95
    )
    print("targets (all reviews, 0 throttled, >= 95 % of rate):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
