"""Queue list latency with 100k open items on PostgreSQL, and the draft engine's speed.

    .venv/bin/python bench/queue_list.py [--items 100000] [--requests 2000]

Makes a temporary database on 127.0.0.1:5432 (user postgres, trust), runs the responder
in-process (its lifespan: migrations, embedded broker), bulk-loads the items with COPY,
then times GET /api/queue through the app (httpx ASGITransport) with varied filters and
pages: first pages, keyset pages deep into the queue, offsets, platform / sentiment /
product / due-soon / breached filters and text search (a common word in ~40 % of the items,
a rare word in 1 of 10,000, a word in none; ILIKE on the pg_trgm GIN index), with the
PostgreSQL plans of the searches printed. Baseline: GET /health through the same app in
the same run. Target: p99 < 50 ms. Then drafts/s of
services.responder.draft.engine.draft_reply on generated mentions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text as sql_text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.responder.config import ResponderSettings  # noqa: E402
from services.responder.draft.engine import draft_reply  # noqa: E402
from services.responder.main import create_app  # noqa: E402
from services.responder.queue_item.service import QueueFilter, list_query  # noqa: E402
from shared.broker import EmbeddedBroker  # noqa: E402
from shared.events import (  # noqa: E402
    Aspect,
    Classification,
    Mention,
    MentionKind,
    Product,
    Sentiment,
    mention_id_for,
)

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
TOKEN = "bench-token"
PLATFORMS = ["wildberries", "ozon", "yandex_market", "google_play", "otzovik"]
SENTIMENTS = ["positive", "neutral", "negative"]
WORDS = ["чайник", "доставка", "качество", "брак", "упаковка", "kettle", "sound", "delivery"]
#: Text search cases: in ~40 % of the texts, in 1 of 10,000 (another case), in none.
COMMON_WORD, RARE_WORD, MISSING_WORD = "качество", "зюзюка", "ёжик"
RARE_EVERY = 10_000
TEXTS = [
    "Отличный чайник, качество супер, доставка быстрая. Спасибо продавцу!",
    "Ужасное качество, пришёл с браком, через день сломался. Верните деньги.",
    "Great headphones, the sound is excellent and delivery was fast.",
    "Terrible packaging, the box was crushed and the item scratched.",
    "Обычный товар, соответствует описанию.",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rows(n: int, closed: int) -> list[tuple[Any, ...]]:
    rnd = random.Random(7)
    now = datetime.now(UTC)
    out = []
    for i in range(n + closed):
        published = now - timedelta(minutes=rnd.randint(0, 30 * 60))
        platform = rnd.choice(PLATFORMS)
        sentiment = rnd.choice(SENTIMENTS)
        text = f"{rnd.choice(TEXTS)} #{i} {rnd.choice(WORDS)}"
        if i % RARE_EVERY == 0:
            text += f" {RARE_WORD.capitalize()}"
        out.append(
            (
                str(uuid.uuid4()),
                platform,
                f"{platform}-main",
                f"EXT-{i}",
                "review",
                "1",
                text,
                rnd.randint(1, 5),
                f"SKU-{rnd.randint(1, 500)}",
                "Acme thing",
                "Acme",
                published,
                sentiment,
                0.9,
                "ru",
                json.dumps([]),
                False,
                "open" if i < n else "published",
                published + timedelta(hours=24),
                "Спасибо за отзыв!",
                0,
                f"u{rnd.randint(1, 20)}" if rnd.random() < 0.5 else None,
                now,
                now,
            )
        )
    return out


COLUMNS = [
    "mention_id", "platform", "source_id", "external_id", "kind", "revision", "text",
    "rating", "product_sku", "product_name", "brand", "published_at", "sentiment",
    "sentiment_score", "language", "aspects", "rating_contradiction", "state", "due_at",
    "draft_text", "draft_seed", "assignee_id", "created_at", "updated_at",
]  # fmt: skip


async def load(dbname: str, n: int, closed: int) -> float:
    started = time.perf_counter()
    conn = await asyncpg.connect(database=dbname, **PG)  # type: ignore[arg-type]
    try:
        await conn.copy_records_to_table("queue_items", records=rows(n, closed), columns=COLUMNS)
        await conn.execute("ANALYZE queue_items")
    finally:
        await conn.close()
    return time.perf_counter() - started


def scenarios(rnd: random.Random) -> dict[str, dict[str, Any]]:
    return {
        "first page": {},
        "platform": {"platform": rnd.choice(PLATFORMS)},
        "negative": {"sentiment": "negative"},
        "product": {"product": f"SKU-{rnd.randint(1, 500)}"},
        "due_soon": {"sla": "due_soon"},
        "breached": {"sla": "breached"},
        "assignee": {"assignee": f"u{rnd.randint(1, 20)}"},
        "offset 2000": {"offset": 2000},
        "search common": {"q": COMMON_WORD},
        "search rare": {"q": RARE_WORD},
        "search miss": {"q": MISSING_WORD},
    }


async def search_plans(sessions: Any) -> dict[str, str]:
    """EXPLAIN ANALYZE of the list's own query for each search word (is the index used?)."""
    plans: dict[str, str] = {}
    async with sessions() as session:
        for word in (COMMON_WORD, RARE_WORD, MISSING_WORD):
            query = list_query(QueueFilter(state="open", q=word, limit=50)).compile(
                dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}
            )
            rows = await session.execute(sql_text(f"EXPLAIN ANALYZE {query}"))
            plans[word] = "\n".join(rows.scalars())
    return plans


async def time_get(client: httpx.AsyncClient, url: str, params: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = await client.get(url, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text
    return elapsed


async def bench_queue(n: int, closed: int, requests: int) -> dict[str, Any]:
    dbname = f"otklik_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(database="postgres", **PG)  # type: ignore[arg-type]
    await admin.execute(f'CREATE DATABASE "{dbname}"')
    broker = EmbeddedBroker(log_path=Path(tempfile.mkdtemp()) / "tansu.log").start()
    try:
        settings = ResponderSettings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=f"b{uuid.uuid4().hex[:8]}.",
            database_url=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{dbname}",
            api_token=TOKEN,
            responder_digest_enabled=False,
            responder_sla_sweep_interval_s=3600,
            log_json=False,
            log_level="WARNING",
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            load_s = await load(dbname, n, closed)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://b", headers=headers
            ) as client:
                # Cursors deep into the queue, for keyset pages.
                cursors: list[str] = []
                page = (await client.get("/api/queue", params={"limit": 500})).json()
                assert page["total_capped"] == (n > 1_000)
                for _ in range(100):
                    after = page["next_cursor"]
                    if not after:
                        break
                    cursors.append(after)
                    page = (
                        await client.get("/api/queue", params={"limit": 500, "after": after})
                    ).json()
                for _ in range(50):  # warm up
                    await time_get(client, "/api/queue", {})
                    await time_get(client, "/health", {})
                plans = await search_plans(app.state.ctx.runtime.sessions)
                rnd = random.Random(11)
                per: dict[str, list[float]] = {}
                health: list[float] = []
                for i in range(requests):
                    names = [*scenarios(rnd).items(), ("keyset deep", {"after": ""})]
                    name, params = names[i % len(names)]
                    if name == "keyset deep":
                        params = {"after": rnd.choice(cursors)}
                    params = {"limit": 50, **params}
                    per.setdefault(name, []).append(await time_get(client, "/api/queue", params))
                    health.append(await time_get(client, "/health", {}))
    finally:
        broker.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        await admin.close()
    every = [v for values in per.values() for v in values]
    return {
        "load_s": load_s,
        "queue": every,
        "health": health,
        "per": per,
        "plans": plans,
    }


def bench_drafts(n: int, recent_count: int = 100) -> tuple[float, int]:
    """Drafts/s with the shop's last `recent_count` replies compared (shop-wide)."""
    rnd = random.Random(5)
    recent: dict[str, list[str]] = {}
    started = time.perf_counter()
    for i in range(n):
        text = rnd.choice(TEXTS)
        negative = "Ужас" in text or "Terrible" in text
        sku = f"SKU-{rnd.randint(1, 20)}"
        mention = Mention(
            mention_id=mention_id_for("wildberries", f"D-{i}"),
            platform="wildberries",
            source_id="wb-main",
            external_id=f"D-{i}",
            kind=MentionKind.review,
            text=text,
            rating=1 if negative else 5,
            author="Анна",
            product=Product(sku=sku, name="Чайник Acme", brand="Acme"),
            published_at=datetime.now(UTC),
            revision="1",
        )
        word = text.split()[1].strip(",")
        classification = Classification(
            sentiment=Sentiment.negative if negative else Sentiment.positive,
            score=0.9,
            language="en" if text.isascii() else "ru",
            aspects=[
                Aspect(
                    aspect="quality",
                    polarity=Sentiment.negative if negative else Sentiment.positive,
                    start=text.index(word),
                    end=text.index(word) + len(word),
                    text=word,
                )
            ],
        )
        previous = recent.setdefault("shop", [])
        draft = draft_reply(
            mention=mention,
            classification=classification,
            recent_replies=previous[-recent_count:],
        )
        previous.append(draft.text)
    elapsed = time.perf_counter() - started
    return n / elapsed, n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--closed", type=int, default=20_000, help="answered items beside")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--drafts", type=int, default=2000)
    parser.add_argument("--recent", type=int, default=100, help="recent replies compared")
    args = parser.parse_args()
    result = asyncio.run(bench_queue(args.items, args.closed, args.requests))
    q, h = result["queue"], result["health"]
    print(
        f"queue list, PostgreSQL, {args.items} open + {args.closed} answered items "
        f"(loaded in {result['load_s']:.1f} s), {len(q)} requests, limit 50:"
    )
    for name, values in result["per"].items():
        print(
            f"  {name:<13} n={len(values):<4} p50 {percentile(values, 0.5):6.2f} ms"
            f"  p99 {percentile(values, 0.99):6.2f} ms"
        )
    p50, p99 = percentile(q, 0.5), percentile(q, 0.99)
    b50, b99 = percentile(h, 0.5), percentile(h, 0.99)
    print(f"  GET /api/queue  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  (target p99 < 50 ms)")
    print(f"  GET /health     p50 {b50:6.2f} ms  p99 {b99:6.2f} ms  (baseline, same app)")
    print(f"  ratio queue/health: p50 x{p50 / b50:.1f}, p99 x{p99 / b99:.1f}")
    print(f"  verdict: {'PASS' if p99 < 50 else 'FAIL'} (p99 {p99:.1f} ms)")
    for word, plan in result["plans"].items():
        print(f"plan of the list query for q={word!r}:")
        print("\n".join(f"    {line}" for line in plan.splitlines()))
    rate, n = bench_drafts(args.drafts, args.recent)
    print(
        f"draft engine: {rate:.0f} drafts/s over {n} mentions "
        f"({args.recent} recent replies compared, shop-wide)"
    )


if __name__ == "__main__":
    main()
