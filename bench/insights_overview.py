"""Insights overview latency at scale on PostgreSQL, beside a trivial baseline request.

    .venv/bin/python bench/insights_overview.py [--n 1000000] [--requests 300]

Load path: synthetic mentions are generated in batches as `MentionState`s; each batch's
aggregate rows come from the same aggregation code the Kafka handlers use (`contribution`
folded with `merge` → `apply_delta`, additive upserts), and the per-mention contribution
rows go in with PostgreSQL COPY. Then the real responder app (its lifespan on an embedded
broker) answers `GET /api/insights/overview` with varied filters in-process (ASGI, no
network), timed per request; a `SELECT 1` request through the same app, auth and session
machinery is the baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import text

from services.responder.config import ResponderSettings
from services.responder.deps import Context, User
from services.responder.insight.service import (
    MentionState,
    apply_delta,
    contribution,
    contribution_to_json,
    merge,
)
from services.responder.main import MIGRATIONS, create_app
from shared.broker import EmbeddedBroker
from shared.db import make_engine, make_sessionmaker, session_scope, upgrade_to_head

PLATFORMS = ("wildberries", "ozon", "yandex_market", "google_play", "otzovik", "irecommend")
BRANDS = tuple(f"Brand{i}" for i in range(10))
SKUS_PER_BRAND = 50
OWNERS = tuple(f"owner{i}" for i in range(12))
ASPECTS = ("size", "quality", "delivery", "packaging", "price", "defect", "seller service")
END = date(2026, 3, 31)
DAYS = 365
AUTH = {"Authorization": "Bearer otklik-dev-token"}


def synthetic(rng: random.Random) -> MentionState:
    brand = rng.choice(BRANDS)
    published = datetime.combine(
        END - timedelta(days=rng.randrange(DAYS)), datetime.min.time(), tzinfo=UTC
    ) + timedelta(seconds=rng.randrange(86400))
    sentiment = rng.choices(("positive", "neutral", "negative"), weights=(6, 2, 2))[0]
    answered = (
        published + timedelta(seconds=rng.randrange(600, 40 * 3600)) if rng.random() < 0.7 else None
    )
    return MentionState(
        classified=True,
        platform=rng.choice(PLATFORMS),
        brand=brand,
        sku=f"{brand}-{rng.randrange(SKUS_PER_BRAND)}",
        kind="review",
        published_at=published,
        sentiment=sentiment,
        rating=rng.randint(1, 5),
        aspects=tuple(
            (a, rng.choice(("positive", "negative")))
            for a in rng.sample(ASPECTS, rng.randint(0, 2))
        ),
        owner_id=rng.choice(OWNERS),
        due_at=published + timedelta(hours=24),
        answered_at=answered,
        sla_breached=answered is None and rng.random() < 0.5,
    )


async def load(url: str, n: int, batch: int, seed: int) -> None:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    rng = random.Random(seed)
    started = time.perf_counter()
    done = 0
    try:
        while done < n:
            size = min(batch, n - done)
            states = [synthetic(rng) for _ in range(size)]
            async with session_scope(sessions) as session:
                await apply_delta(session, reduce(merge, map(contribution, states), {}))
            records = [
                (
                    str(uuid.UUID(int=rng.getrandbits(128))),
                    True,
                    s.platform,
                    s.brand,
                    s.sku,
                    s.kind,
                    s.published_at,
                    "",
                    s.published_at,
                    s.sentiment,
                    s.rating,
                    json.dumps([[a, p, ""] for a, p in s.aspects]),
                    s.owner_id,
                    s.due_at,
                    s.answered_at,
                    False,
                    s.sla_breached,
                    json.dumps(contribution_to_json(contribution(s))),
                )
                for s in states
            ]
            await raw.copy_records_to_table(
                "insight_mentions",
                records=records,
                columns=[
                    "mention_id",
                    "classified",
                    "platform",
                    "brand",
                    "sku",
                    "kind",
                    "published_at",
                    "revision",
                    "classified_at",
                    "sentiment",
                    "rating",
                    "aspects",
                    "owner_id",
                    "due_at",
                    "answered_at",
                    "sla_met",
                    "sla_breached",
                    "contribution",
                ],
            )
            done += size
            print(
                f"  loaded {done:>9,} mentions ({time.perf_counter() - started:6.1f} s)", flush=True
            )
        await raw.execute("VACUUM ANALYZE")
        counts = {
            t: await raw.fetchval(f"SELECT count(*) FROM {t}")
            for t in (
                "insight_mentions",
                "insight_mentions_daily",
                "insight_product_daily",
                "insight_sla_daily",
                "insight_owner_product_daily",
            )
        }
        print("  rows:", ", ".join(f"{k}={v:,}" for k, v in counts.items()))
    finally:
        await raw.close()
        await engine.dispose()


def varied_params(rng: random.Random) -> dict[str, str]:
    span = rng.choice((7, 30, 90, 90, 180, 365))
    to = END - timedelta(days=rng.randrange(0, 60))
    params = {"from": (to - timedelta(days=span - 1)).isoformat(), "to": to.isoformat()}
    roll = rng.random()
    if roll < 0.25:
        params["platform"] = rng.choice(PLATFORMS)
    elif roll < 0.5:
        params["brand"] = rng.choice(BRANDS)
    elif roll < 0.65:
        brand = rng.choice(BRANDS)
        params["product"] = f"{brand}-{rng.randrange(SKUS_PER_BRAND)}"
    return params


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(url: str, requests: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        broker = EmbeddedBroker(log_path=Path(tmp) / "tansu.log").start()
        try:
            settings = ResponderSettings(
                kafka_bootstrap_servers=broker.bootstrap_servers,
                kafka_topic_prefix=f"bench{uuid.uuid4().hex[:6]}.",
                database_url=url,
                kafka_session_timeout_ms=6000,
                responder_digest_enabled=False,
                log_level="WARNING",
            )
            app = create_app(settings)

            @app.get("/bench/select1")
            async def select1(ctx: Context, user: User) -> dict[str, int]:
                """Baseline: auth, a pooled session and one round trip to PostgreSQL."""
                async with session_scope(ctx.runtime.sessions) as session:
                    return {"one": int((await session.execute(text("SELECT 1"))).scalar_one())}

            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://bench", headers=AUTH
                ) as client:
                    rng = random.Random(seed)
                    for _ in range(20):  # warm the pool and the plans
                        await client.get("/api/insights/overview", params=varied_params(rng))
                        await client.get("/bench/select1")
                    overview: list[float] = []
                    baseline: list[float] = []
                    for _ in range(requests):
                        params = varied_params(rng)
                        t0 = time.perf_counter()
                        r = await client.get("/api/insights/overview", params=params)
                        overview.append((time.perf_counter() - t0) * 1000)
                        r.raise_for_status()
                        t0 = time.perf_counter()
                        b = await client.get("/bench/select1")
                        baseline.append((time.perf_counter() - t0) * 1000)
                        b.raise_for_status()
        finally:
            broker.stop()
    o50, o95, o99 = (pct(overview, q) for q in (0.5, 0.95, 0.99))
    b50, b95, b99 = (pct(baseline, q) for q in (0.5, 0.95, 0.99))
    print(f"requests: {requests} each, varied filters (range 7–365 days; platform/brand/product)")
    print(
        f"overview  p50 {o50:7.1f} ms  p95 {o95:7.1f} ms  p99 {o99:7.1f} ms  "
        f"mean {statistics.mean(overview):7.1f} ms"
    )
    print(
        f"baseline  p50 {b50:7.1f} ms  p95 {b95:7.1f} ms  p99 {b99:7.1f} ms  "
        "(SELECT 1 through the same app)"
    )
    print(f"ratio     p50 {o50 / b50:5.1f}x  p95 {o95 / b95:5.1f}x")
    print(f"target    p95 < 300 ms: {'met' if o95 < 300 else 'MISSED'}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="mentions to load")
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--pg",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="admin connection used to create and drop the bench database",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    name = f"otklik_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.pg)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = args.pg.rsplit("/", 1)[0]
    url = f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    try:
        print(
            f"database {name}: migrating, loading {args.n:,} mentions in batches of {args.batch:,}"
        )
        await upgrade_to_head(MIGRATIONS, url)
        t0 = time.perf_counter()
        await load(url, args.n, args.batch, args.seed)
        print(f"loaded in {time.perf_counter() - t0:.1f} s")
        await measure(url, args.requests, args.seed)
    finally:
        if not args.keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
