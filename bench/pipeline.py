"""`make bench`: pipeline throughput and latency beside a raw Kafka relay, same run.

Pipeline: mentions pushed to ingest's HTTP API → sentiment → responder, until the draft
is stored (read from the responder's database). Baseline: an aiokafka consumer that
relays messages of the same size from one topic to another on the same broker — the
cost of the Kafka hops alone. Both run on one broker in one process tree, back to back.
The slowest stage, sentiment with its default model, also runs alone on the same broker
and the same texts (`bench/sentiment_stage.py`): the pipeline's rate is shown as a share
of it. Then a steady run (100 mentions/s) gives the push → draft latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sentiment_stage import run_sentiment  # noqa: E402
from shared.broker import EmbeddedBroker  # noqa: E402
from shared.bus import ensure_topics  # noqa: E402
from shared.events import MentionReceived, encode, make_envelope, mention_id_for  # noqa: E402
from tests.harness import Stack, auth_headers  # noqa: E402

TEXTS = [
    "Отличный чайник, качество супер, доставка быстрая. Спасибо продавцу!",
    "Ужасное качество, пришёл с браком, через день сломался. Верните деньги.",
    "Great headphones, the sound is excellent and delivery was fast.",
    "Terrible packaging, the box was crushed and the item scratched.",
    "Обычный товар, соответствует описанию.",
]


def mentions(n: int, run: str) -> list[dict]:
    now = datetime.now(UTC) - timedelta(hours=1)
    return [
        {
            "platform": "wildberries",
            "external_id": f"{run}-{i}",
            "text": TEXTS[i % len(TEXTS)] + f" #{i}",
            "rating": [5, 1, 5, 2, 3][i % 5],
            "author": "Анна",
            "product": {"sku": f"SKU-{i % 20}", "name": "Kettle", "brand": "Kvanta"},
            "published_at": now.isoformat(),
        }
        for i in range(n)
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench_pipeline(
    broker: EmbeddedBroker, n: int, tmp: Path, rate: float | None = None
) -> dict[str, float]:
    """Push `n` mentions (as fast as ingest takes them, or at a steady `rate` per second in
    pushes of ten) and wait for every draft; throughput and push → draft latencies."""
    await asyncio.to_thread(tmp.mkdir, parents=True, exist_ok=True)
    dbs = {
        name: f"sqlite+aiosqlite:///{tmp / (name + '.db')}"
        for name in ("ingest", "responder", "alerts")
    }
    stack = Stack(
        broker=broker,
        prefix="bench.",
        database_urls=dbs,
        tmp_path=tmp,
        services=("ingest", "sentiment", "responder"),
        env_extra={"responder": {"RESPONDER_SLA_SWEEP_INTERVAL_S": "3600"}},
    )
    items = mentions(n, "p")
    pushed_at: dict[str, float] = {}
    async with stack, httpx.AsyncClient(timeout=60) as client:
        url = stack.urls["ingest"]
        started = time.time()
        step = 10 if rate else 100
        for start in range(0, n, step):
            if rate:
                await asyncio.sleep(max(0.0, started + start / rate - time.time()))
            batch = items[start : start + step]
            sent = time.time()
            response = await client.post(
                f"{url}/api/mentions", json={"mentions": batch}, headers=auth_headers()
            )
            response.raise_for_status()
            for m in batch:
                pushed_at[str(mention_id_for(m["platform"], m["external_id"]))] = sent
        db = sqlite3.connect(tmp / "responder.db")
        deadline = time.monotonic() + 600
        rows: list[tuple[str, str]] = []
        while time.monotonic() < deadline:
            rows = db.execute("SELECT mention_id, created_at FROM queue_items").fetchall()
            if len(rows) >= n:
                break
            await asyncio.sleep(0.2)
        elapsed = (
            max(datetime.fromisoformat(c).replace(tzinfo=UTC).timestamp() for _, c in rows)
            - started
        )
        busy = {}
        for name, base in stack.urls.items():
            text = (await client.get(f"{base}/metrics")).text
            busy[name] = sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith(
                    ("otklik_consumer_handler_seconds_sum", "otklik_http_request_seconds_sum")
                )
            )
    latencies = [
        datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp() - pushed_at[mid]
        for mid, created in rows
    ]
    return {
        "count": len(rows),
        "throughput": len(rows) / elapsed,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "busy": busy,
    }


async def bench_relay(broker: EmbeddedBroker, n: int) -> dict[str, float]:
    source, target = "relay.in", "relay.out"
    await ensure_topics(broker.bootstrap_servers, [source, target], partitions=3)
    sample = mentions(1, "size")[0]
    from services.ingest.mention.schemas import MentionIn

    size = len(
        encode(
            make_envelope(
                MentionReceived(mention=MentionIn.model_validate(sample).to_mention()),
                producer="bench",
            )
        )
    )
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all", linger_ms=2)
    relay_in = AIOKafkaConsumer(
        source,
        bootstrap_servers=broker.bootstrap_servers,
        group_id="relay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
    )
    out = AIOKafkaConsumer(
        target,
        bootstrap_servers=broker.bootstrap_servers,
        group_id="relay-out",
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
    )
    await producer.start()
    await relay_in.start()
    await out.start()
    done = asyncio.Event()

    async def relay() -> None:
        relayed = 0
        while relayed < n:
            for records in (await relay_in.getmany(timeout_ms=100, max_records=200)).values():
                futures = [await producer.send(target, r.value, key=r.key) for r in records]
                await asyncio.gather(*futures)
                relayed += len(records)
            await relay_in.commit()
        done.set()

    latencies: list[float] = []

    async def collect() -> None:
        while len(latencies) < n:
            for records in (await out.getmany(timeout_ms=100)).values():
                now = time.time()
                latencies.extend(now - json.loads(r.value)["t"] for r in records)

    relay_task = asyncio.create_task(relay())
    collect_task = asyncio.create_task(collect())
    padding = "x" * max(0, size - 40)
    started = time.time()
    for start in range(0, n, 100):
        futures = [
            await producer.send(
                source, json.dumps({"t": time.time(), "p": padding}).encode(), key=str(i).encode()
            )
            for i in range(start, min(n, start + 100))
        ]
        await asyncio.gather(*futures)
    await asyncio.wait_for(collect_task, timeout=300)
    elapsed = time.time() - started
    await relay_task
    for client in (relay_in, out):
        await client.stop()
    await producer.stop()
    return {
        "count": n,
        "throughput": n / elapsed,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "size": size,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="mentions per run")
    parser.add_argument(
        "--rate", type=float, default=100.0, help="mentions/s of the steady run (0: skip it)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the steady run")
    parser.add_argument(
        "--no-stage", action="store_true", help="skip the sentiment stage's standalone run"
    )
    args = parser.parse_args()
    broker = EmbeddedBroker().start()
    steady: dict[str, float] | None = None
    stage: float | None = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            relay = await bench_relay(broker, args.n)
            if not args.no_stage:
                stage = await run_sentiment(broker, mentions(args.n, "stage"), Path(tmp))
            pipeline = await bench_pipeline(broker, args.n, Path(tmp) / "burst")
            if args.rate:
                steady = await bench_pipeline(
                    broker,
                    int(args.rate * args.seconds),
                    Path(tmp) / "steady",
                    rate=args.rate,
                )
    finally:
        broker.stop()
    print(f"messages: {args.n}, message size ≈ {relay['size']} bytes, CPUs: {os.cpu_count()}")
    print(f"{'':10} {'msg/s':>10} {'p50 ms':>10} {'p99 ms':>10}")
    for name, r in (("relay", relay), ("pipeline", pipeline)):
        print(f"{name:10} {r['throughput']:10.1f} {r['p50'] * 1000:10.1f} {r['p99'] * 1000:10.1f}")
    if stage is not None:
        print(f"{'sentiment':10} {stage:10.1f}  (the slowest stage alone, default model)")
    print(f"pipeline / relay throughput: {pipeline['throughput'] / relay['throughput']:.3f}")
    if stage is not None:
        share = pipeline["throughput"] / stage
        verdict = "meets" if share >= 0.8 else "below"
        print(f"pipeline / sentiment stage throughput: {share:.2f} (target >= 0.80: {verdict})")
    print(f"pipeline / relay p50 latency: {pipeline['p50'] / relay['p50']:.1f}x")
    busy = ", ".join(f"{k} {v:.1f}s" for k, v in pipeline["busy"].items())
    print(f"time in handlers and requests per service: {busy}")
    if steady is not None:
        verdict = "meets" if steady["p99"] < 1.0 else "below"
        print(
            f"steady {args.rate:.0f} mentions/s for {args.seconds:.0f} s: push → draft "
            f"p50 {steady['p50'] * 1000:.0f} ms, p99 {steady['p99'] * 1000:.0f} ms, "
            f"max {steady['max'] * 1000:.0f} ms ({steady['count']:.0f} drafts; target p99 < 1 s: "
            f"{verdict})"
        )


if __name__ == "__main__":
    asyncio.run(main())
