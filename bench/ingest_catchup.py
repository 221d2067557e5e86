"""Ingest catch-up benchmark: the live poller and a backfill at once, per platform fake
with the platform's real quotas, through the real polling path.

For each of Wildberries, Ozon, Yandex Market and Google Play, a fake (`tests/fakes/`)
runs in uvicorn on loopback and enforces the platform's documented limit, answering
429 (Market: 420) past it:

| platform      | limit the fake enforces              | time scale | measured span      |
|---------------|--------------------------------------|------------|--------------------|
| Wildberries   | 3 req/s, burst 6 per seller          | x2         | 40 s (20 s real)   |
| Ozon          | 50 req/s per Client-Id, burst 10 [*] | x0.2       | 3 s (15 s real)    |
| Yandex Market | review list 5,000 an hour            | x7.2       | 216 s (30 s real)  |
| Google Play   | 200 GET an hour per app              | x180       | 3,600 s (20 s real)|

[*] Ozon's burst is not documented; the fake and the connector both assume 10.
Time is scaled: the fake and the connector share one clock that runs `scale` times
real time (an hour of Play quota passes in 20 s), so every rate above is the platform's
own in the clock both sides read. A backlog larger than the span can drain is seeded;
the live `SourcePoller` polls it while a backfill (`BackfillJobs`, as the service
runs it) walks the platform's history over the same account.

Reported per platform: requests the fake served in the span against what the platform
allows in it (rate * span, plus the documented burst), and throttled answers (each one
our limiter should have prevented). Two arrangements, both measured in this run:

- `shared` (the service today): the backfill runs on the live source's connector, so
  both draw from one bucket per account;
- `baseline` (before: a backfill process with a limiter of its own): the same walk on a
  connector with its own limiter registry.

    .venv/bin/python bench/ingest_catchup.py [--platforms wildberries,ozon,...] [--quick]

Targets (shared): >= 95 % of the allowed rate, 0 throttled answers, on every platform.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.ingest.config import IngestSettings  # noqa: E402
from services.ingest.connectors.base import BaseConnector  # noqa: E402
from services.ingest.connectors.google_play import GooglePlayConnector  # noqa: E402
from services.ingest.connectors.http import LimiterRegistry, RetryPolicy  # noqa: E402
from services.ingest.connectors.ozon import OzonConnector  # noqa: E402
from services.ingest.connectors.wildberries import WildberriesConnector  # noqa: E402
from services.ingest.connectors.yandex_market import YandexMarketConnector  # noqa: E402
from services.ingest.main import MIGRATIONS  # noqa: E402
from services.ingest.metrics import make_ingest_metrics  # noqa: E402
from services.ingest.source.backfill import DateRange  # noqa: E402
from services.ingest.source.backfill_jobs import BackfillJobs  # noqa: E402
from services.ingest.source.poller import SourcePoller  # noqa: E402
from shared.broker import EmbeddedBroker  # noqa: E402
from shared.connector import SourceConfig  # noqa: E402
from shared.runtime import Runtime  # noqa: E402
from tests.fakes import google_play as gp  # noqa: E402
from tests.fakes import ozon as oz  # noqa: E402
from tests.fakes import wildberries as wb  # noqa: E402
from tests.fakes import yandex_market as ym  # noqa: E402
from tests.fakes.server import FakePlatform, serve_app  # noqa: E402

THROTTLED = frozenset({420, 429})


class ScaledClock:
    """Monotonic time running `scale` times real time, read by the fake and the
    connector alike: a platform's hourly quota passes in 3600 / scale real seconds."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._real0 = time.monotonic()
        self._virtual0 = 1000.0

    def monotonic(self) -> float:
        return self._virtual0 + (time.monotonic() - self._real0) * self.scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.scale)


@dataclass(frozen=True)
class Platform:
    name: str
    connector: type[BaseConnector]
    make_fake: Callable[[ScaledClock], FakePlatform]
    seed: Callable[[FakePlatform, datetime], None]
    credentials: dict[str, str]
    options: dict[str, Any]
    #: What the platform allows: requests per second (its clock) and the burst on top.
    allowed_rate: float
    allowed_burst: int
    scale: float
    span_s: float
    limit_text: str


def _wb_seed(fake: Any, now: datetime) -> None:
    start = now - timedelta(days=20)
    for i in range(2500):
        fake.add_feedback(f"wb-{i:05d}", start + timedelta(seconds=300 * i), text=f"Отзыв {i}")


def _ozon_seed(fake: Any, now: datetime) -> None:
    start = now - timedelta(days=20)
    for i in range(4000):
        fake.add_review(start + timedelta(seconds=300 * i), text=f"Отзыв {i}", rid=f"oz-{i:05d}")


def _ym_seed(fake: Any, now: datetime) -> None:
    start = now - timedelta(days=40)
    for i in range(5000):
        fake.add_feedback(i + 1, start + timedelta(seconds=600 * i), comment=f"Отзыв {i}")


def _gp_seed(fake: Any, now: datetime) -> None:
    for i in range(3000):
        fake.add_review(f"gp-{i:05d}", text=f"Review {i}", when=now - timedelta(seconds=150 * i))


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            "wildberries",
            WildberriesConnector,
            lambda clock: wb.FakeWildberries(clock=clock, rate=3.0, burst=6),
            _wb_seed,
            {"token": wb.TOKEN},
            {"take": 20, "kinds": ["feedbacks"]},
            3.0,
            6,
            2.0,
            40.0,
            "3 req/s, burst 6",
        ),
        Platform(
            "ozon",
            OzonConnector,
            lambda clock: oz.FakeOzon(clock=clock, rate=50.0, burst=10),
            _ozon_seed,
            {"client_id": oz.CLIENT_ID, "api_key": oz.API_KEY},
            {"limit": 20},
            50.0,
            10,
            0.2,
            3.0,
            "50 req/s, burst 10",
        ),
        Platform(
            "yandex_market",
            YandexMarketConnector,
            lambda clock: ym.FakeYandexMarket(clock=clock),
            _ym_seed,
            {"api_key": ym.API_KEY},
            {"business_id": ym.BUSINESS_ID, "limit": 10},
            5000 / 3600,
            0,
            7.2,
            216.0,
            "review list 5,000/h",
        ),
        Platform(
            "google_play",
            GooglePlayConnector,
            lambda clock: gp.FakeGooglePlay(clock=clock),
            _gp_seed,
            {"access_token": gp.ACCESS_TOKEN},
            {"package_name": gp.PACKAGE, "max_results": 10},
            200 / 3600,
            0,
            180.0,
            3600.0,
            "200 GET/h",
        ),
    )
}


async def run_one(
    platform: Platform, shared: bool, broker: EmbeddedBroker, tmp: Path, span_factor: float
) -> dict[str, Any]:
    clock = ScaledClock(platform.scale)
    fake = platform.make_fake(clock)
    now = datetime.now(UTC)
    platform.seed(fake, now)
    served: list[tuple[float, int]] = []

    async def stamp(request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        served.append((clock.monotonic(), response.status_code))
        return response

    fake.app.middleware("http")(stamp)  # outermost: sees every answer, throttled included

    tag = f"{platform.name}-{'shared' if shared else 'baseline'}"
    settings = IngestSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=f"bench{int(time.time() * 1000)}.",
        database_url=f"sqlite+aiosqlite:///{tmp / (tag + '.db')}",
        log_level="ERROR",
        log_json=False,
    )
    runtime = await Runtime.start(settings, migrations_dir=MIGRATIONS, configure_logs=True)
    # The span ends by cancelling the poller and the backfill mid-page; the pool's
    # report of the interrupted session is expected noise here.
    logging.getLogger("sqlalchemy.pool").setLevel(logging.CRITICAL)
    metrics = make_ingest_metrics(CollectorRegistry())
    policy = RetryPolicy(max_attempts=5, base_delay=0.5, max_total=600)
    polls = 0
    try:
        async with serve_app(fake.app) as url, httpx.AsyncClient(timeout=20) as http:
            config = SourceConfig(
                source_id=tag,
                platform=platform.name,
                poll_interval_s=60,
                options={"base_url": url, **platform.options},
                credentials=platform.credentials,
            )
            limiters = LimiterRegistry(clock)
            live = platform.connector(config, http, limiters=limiters, clock=clock, policy=policy)
            history = live
            if not shared:  # before: a backfill process with a limiter of its own
                history = platform.connector(
                    config, http, limiters=LimiterRegistry(clock), clock=clock, policy=policy
                )
            poller = SourcePoller(
                config=config,
                connector=live,
                sessions=runtime.sessions,
                publisher=runtime.publisher,
                metrics=metrics,
                unhealthy_after=1000,
                max_backoff_s=60,
            )
            jobs = BackfillJobs(
                connectors={tag: history},
                sessions=runtime.sessions,
                publisher=runtime.publisher,
            )

            async def poll_forever() -> None:
                nonlocal polls
                while True:
                    await poller.poll_once()
                    polls += 1

            start_v = clock.monotonic()
            job = jobs.start(tag, DateRange(date(2000, 1, 1), now.date()), max_pages=100_000)
            task = asyncio.create_task(poll_forever())
            await asyncio.sleep(platform.span_s * span_factor / platform.scale)
            end_v = clock.monotonic()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await jobs.stop()
            backfill_pages = job.progress.pages
    finally:
        await runtime.stop()

    span_v = end_v - start_v
    in_span = [status for at, status in served if start_v <= at <= end_v]
    ok = sum(1 for s in in_span if s < 400)
    throttled = sum(1 for s in in_span if s in THROTTLED)
    allowed = platform.allowed_rate * span_v + platform.allowed_burst
    return {
        "arrangement": "shared" if shared else "baseline",
        "span_virtual_s": round(span_v, 1),
        "requests_served": ok,
        "allowed_in_span": round(allowed, 1),
        "pct_of_allowed": round(100 * ok / allowed, 1),
        "throttled": throttled,
        "polls": polls,
        "backfill_pages": backfill_pages,
    }


async def bench(names: list[str], span_factor: float) -> dict[str, Any]:
    broker = EmbeddedBroker().start()
    out: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name in names:
                platform = PLATFORMS[name]
                runs = []
                for shared in (True, False):
                    runs.append(await run_one(platform, shared, broker, Path(tmp), span_factor))
                out[name] = {
                    "limit": platform.limit_text,
                    "time_scale": platform.scale,
                    "runs": runs,
                }
    finally:
        broker.stop()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--platforms", default=",".join(PLATFORMS))
    parser.add_argument("--quick", action="store_true", help="spans a third as long")
    args = parser.parse_args()
    names = [n.strip() for n in args.platforms.split(",") if n.strip()]
    unknown = [n for n in names if n not in PLATFORMS]
    if unknown:
        parser.error(f"unknown platforms {unknown}; known: {sorted(PLATFORMS)}")
    result = asyncio.run(bench(names, 1 / 3 if args.quick else 1.0))
    print(json.dumps(result, indent=2))
    print()
    print(f"{'platform':<14} {'arrangement':<9} {'% of allowed':>12} {'throttled':>9}")
    met = True
    for name, entry in result.items():
        for run in entry["runs"]:
            print(
                f"{name:<14} {run['arrangement']:<9} {run['pct_of_allowed']:>12} "
                f"{run['throttled']:>9}"
            )
            if run["arrangement"] == "shared":
                met = met and run["pct_of_allowed"] >= 95 and run["throttled"] == 0
    print(
        "targets (shared: >= 95 % of the allowed rate, 0 throttled):", "met" if met else "NOT met"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
