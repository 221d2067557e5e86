"""`make bench`: pipeline throughput and latency beside a raw Kafka relay, same run.

Pipeline: mentions pushed to ingest's HTTP API → sentiment → responder, until the draft
is stored (read from the responder's database). Baseline: an aiokafka consumer that
relays messages of the same size from one topic to another on the same broker — the
cost of the Kafka hops alone. Both run on one broker in one process tree, back to back.
Each stage also runs alone on the same broker, fed straight from its input topic:
sentiment with its default model on the same texts (`bench/sentiment_stage.py`), the
responder and alerts on SQLite (`bench/responder_stage.py`, `bench/alerts_stage.py`); the
pipeline's rate is shown as a share of the slowest. Medians over `--rounds` rounds; beside
each rate, mentions per CPU-second of the service processes, which a busy machine disturbs
less than wall-clock rates. Then a steady run (100 mentions/s) gives the push → draft latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.alerts_stage import run_alerts  # noqa: E402
from bench.responder_stage import (  # noqa: E402
    Database,
    classified_mentions,
    cpu_seconds,
    produce,
    run_responder,
)
from bench.sentiment_stage import run_sentiment  # noqa: E402
from shared.broker import EmbeddedBroker  # noqa: E402
from shared.bus import ensure_topics  # noqa: E402
from shared.events import (  # noqa: E402
    MentionReceived,
    Sentiment,
    encode,
    make_envelope,
    mention_id_for,
)
from shared.topics import MENTIONS_CLASSIFIED, MENTIONS_RAW  # noqa: E402
from tests import harness  # noqa: E402
from tests.harness import Stack, auth_headers  # noqa: E402

#: Per-service means read from /metrics after a run: (metric, label filter) → figure.
BATCH_METRICS = {
    "batch": "otklik_consumer_batch_messages",
    "handler_ms": "otklik_consumer_handler_seconds",
    "inference_ms": "otklik_sentiment_inference_seconds",
}


def mentions(n: int, run: str) -> list[dict]:
    """N pushed mentions: the responder and alerts stages' mix (12 ru/en reviews, 70 %
    positive, 15 % with a question, 3 platforms, 40 products, 4 authors), so that every stage
    alone and the pipeline see the same kind of mentions."""
    return [
        {
            "platform": e.mention.platform,
            "external_id": e.mention.external_id,
            "text": e.mention.text,
            "rating": e.mention.rating,
            "author": e.mention.author,
            "product": e.mention.product.model_dump(mode="json", exclude_none=True),
            "published_at": e.mention.published_at.isoformat(),
        }
        for e in classified_mentions(n, run)
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def histogram_means(text: str, topic: str) -> dict[str, float]:
    """Mean batch size, handler and inference time of one consumer topic from /metrics."""
    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    for line in text.splitlines():
        for key, metric in BATCH_METRICS.items():
            if not line.startswith(metric) or (
                metric.startswith("otklik_consumer") and f'topic="{topic}"' not in line
            ):
                continue
            name = line.split("{", 1)[0].split(" ", 1)[0]
            value = float(line.rsplit(" ", 1)[1])
            if name == metric + "_sum":
                sums[key] = sums.get(key, 0.0) + value
            elif name == metric + "_count":
                counts[key] = counts.get(key, 0.0) + value
    scale = {"batch": 1.0, "handler_ms": 1000.0, "inference_ms": 1000.0}
    return {k: sums[k] * scale[k] / counts[k] for k in sums if counts.get(k)}


async def hop_times(bootstrap: str, prefix: str, n: int) -> dict[str, dict[str, float]]:
    """When each mention was produced onto `mentions.raw` (ingest) and `mentions.classified`
    (sentiment): record timestamps (the producer's send time), by mention id, read back
    from the topics after the run."""
    out: dict[str, dict[str, float]] = {}
    for logical in (MENTIONS_RAW, MENTIONS_CLASSIFIED):
        topic = prefix + logical
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=f"hops-{prefix}{logical}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            session_timeout_ms=6000,
        )
        await consumer.start()
        seen: dict[str, float] = {}
        deadline = time.monotonic() + 60
        try:
            while len(seen) < n and time.monotonic() < deadline:
                for records in (await consumer.getmany(timeout_ms=200, max_records=2000)).values():
                    for r in records:
                        mention = json.loads(r.value)["payload"]["mention"]
                        seen.setdefault(mention["mention_id"], r.timestamp / 1000)
        finally:
            await consumer.stop()
        out[logical] = seen
    return out


def stage_breakdown(
    pushed_at: dict[str, float], hops: dict[str, dict[str, float]], stored: dict[str, float]
) -> dict[str, list[float]]:
    """Per mention: push → on mentions.raw (ingest), → on mentions.classified (sentiment:
    waiting to be fetched, batched, classified, produced), → draft stored (responder)."""
    raw, classified = hops[MENTIONS_RAW], hops[MENTIONS_CLASSIFIED]
    stages: dict[str, list[float]] = {"ingest": [], "sentiment": [], "responder": []}
    for mid, done in stored.items():
        if mid in raw and mid in classified:
            stages["ingest"].append(raw[mid] - pushed_at[mid])
            stages["sentiment"].append(classified[mid] - raw[mid])
            stages["responder"].append(done - classified[mid])
    return stages


async def bench_pipeline(
    broker: EmbeddedBroker,
    n: int,
    tmp: Path,
    rate: float | None = None,
    env: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Push `n` mentions (as fast as ingest takes them, or at a steady `rate` per second in
    pushes of ten) and wait for every draft; throughput and push → draft latencies, and
    for a steady run where the time goes (per hop, per service's batches)."""
    await asyncio.to_thread(tmp.mkdir, parents=True, exist_ok=True)
    dbs = {
        name: f"sqlite+aiosqlite:///{tmp / (name + '.db')}"
        for name in ("ingest", "responder", "alerts")
    }
    env_extra: dict[str, dict[str, str]] = {"responder": {"RESPONDER_SLA_SWEEP_INTERVAL_S": "3600"}}
    for name, values in (env or {}).items():
        env_extra[name] = {**env_extra.get(name, {}), **values}
    prefix = f"bench.{tmp.name}."
    stack = Stack(
        broker=broker,
        prefix=prefix,
        database_urls=dbs,
        tmp_path=tmp,
        services=("ingest", "sentiment", "responder"),
        env_extra=env_extra,
    )
    items = mentions(n, "p")
    pushed_at: dict[str, float] = {}
    async with stack, httpx.AsyncClient(timeout=60) as client:
        url = stack.urls["ingest"]
        pids = {n: p.process.pid for n, p in stack.procs.items() if p.process is not None}
        cpu_before = {n: cpu_seconds(pid) or 0.0 for n, pid in pids.items()}
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
        cpu_by = {n: (cpu_seconds(pid) or 0.0) - cpu_before[n] for n, pid in pids.items()}
        cpu = sum(cpu_by.values())
        elapsed = (
            max(datetime.fromisoformat(c).replace(tzinfo=UTC).timestamp() for _, c in rows)
            - started
        )
        busy = {}
        batches: dict[str, dict[str, float]] = {}
        inputs = {"sentiment": MENTIONS_RAW, "responder": MENTIONS_CLASSIFIED}
        for name, base in stack.urls.items():
            text = (await client.get(f"{base}/metrics")).text
            if name in inputs:
                batches[name] = histogram_means(text, inputs[name])
            busy[name] = sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith(
                    ("otklik_consumer_handler_seconds_sum", "otklik_http_request_seconds_sum")
                )
            )
    stored = {mid: datetime.fromisoformat(c).replace(tzinfo=UTC).timestamp() for mid, c in rows}
    latencies = [done - pushed_at[mid] for mid, done in stored.items()]
    stages = (
        stage_breakdown(pushed_at, await hop_times(broker.bootstrap_servers, prefix, n), stored)
        if rate
        else {}
    )
    return {
        "stages": stages,
        "batches": batches,
        "count": len(rows),
        "throughput": len(rows) / elapsed,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "busy": busy,
        "per_cpu": len(rows) / cpu if cpu > 0 else float("nan"),
        "cpu_ms": {k: v * 1000 / max(1, len(rows)) for k, v in cpu_by.items()},
    }


async def bench_relay(broker: EmbeddedBroker, n: int, run: str = "") -> dict[str, float]:
    source, target = f"relay{run}.in", f"relay{run}.out"
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
        group_id=f"relay{run}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
    )
    out = AIOKafkaConsumer(
        target,
        bootstrap_servers=broker.bootstrap_servers,
        group_id=f"relay{run}-out",
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


async def stage_rates(broker: EmbeddedBroker, n: int, tmp: Path) -> dict[str, tuple[float, float]]:
    """Each stage alone on a pre-filled input topic: (mentions/s, mentions per CPU-second)."""
    out: dict[str, tuple[float, float]] = {}
    out["sentiment"] = await run_sentiment(broker, mentions(n, f"s{tmp.name}"), tmp)
    for name in ("responder", "alerts"):
        run = f"{name[0]}{tmp.name}"
        prefix = f"bench.{run}."
        events = classified_mentions(n, run)
        await produce(broker.bootstrap_servers, prefix + MENTIONS_CLASSIFIED, events)
        round_dir = tmp / run
        await asyncio.to_thread(round_dir.mkdir, parents=True)
        async with Database("sqlite", round_dir, f"bench_{run}") as db:
            if name == "responder":
                rate, per_cpu = await run_responder(broker, db, prefix, n, round_dir)
            else:
                negatives = sum(
                    1
                    for e in events
                    if e.classification.sentiment is Sentiment.negative and not e.mention.answered
                )
                rate, per_cpu = await run_alerts(broker, db, prefix, n, negatives, round_dir)
        out[name] = (rate, per_cpu if per_cpu is not None else float("nan"))
    return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def describe_steady(label: str, run: dict[str, Any]) -> str:
    """One steady run: push → draft percentiles, then where the time went per hop and
    each consumer's mean batch, and the CPU each service spent per mention."""
    lines = [
        f"{label}: push → draft p50 {run['p50'] * 1000:.0f} ms, p99 {run['p99'] * 1000:.0f} ms, "
        f"max {run['max'] * 1000:.0f} ms ({run['count']:.0f} drafts)"
    ]
    for stage, values in run["stages"].items():
        if values:
            lines.append(
                f"    {stage:10} p50 {percentile(values, 0.5) * 1000:7.0f} ms  "
                f"p99 {percentile(values, 0.99) * 1000:7.0f} ms  "
                f"max {max(values) * 1000:7.0f} ms"
            )
    for name, means in run["batches"].items():
        figures = ", ".join(
            f"{k} {v:.1f}" if k == "batch" else f"{k} {v:.0f}" for k, v in means.items()
        )
        lines.append(f"    {name} consumer, means per handler call: {figures}")
    cpu = ", ".join(f"{k} {v:.2f}" for k, v in run["cpu_ms"].items())
    lines.append(f"    CPU ms per mention: {cpu}")
    return "\n".join(lines)


def parse_env(values: list[str]) -> dict[str, dict[str, str]]:
    """`service:NAME=value` options → env overrides per service."""
    out: dict[str, dict[str, str]] = {}
    for item in values:
        service, _, assignment = item.partition(":")
        key, sep, value = assignment.partition("=")
        if not (service and key and sep):
            raise SystemExit(f"--env wants service:NAME=value, not {item!r}")
        out.setdefault(service, {})[key] = value
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="mentions per run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of every throughput measurement (0: none)"
    )
    parser.add_argument(
        "--rate", type=float, default=100.0, help="mentions/s of the steady run (0: skip it)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the steady run")
    parser.add_argument("--steady-rounds", type=int, default=1, help="steady runs (median)")
    parser.add_argument("--no-stages", action="store_true", help="skip the stages' standalone runs")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="SERVICE:NAME=VALUE",
        help="an environment variable for one service of the pipeline (repeatable)",
    )
    parser.add_argument(
        "--baseline-root",
        type=Path,
        help="another checkout of the project (e.g. the main branch): its services run the "
        "steady runs too, alternating with this one's, for a same-run before/after",
    )
    args = parser.parse_args()
    env = parse_env(args.env)
    broker = EmbeddedBroker().start()
    relays: list[dict] = []
    pipelines: list[dict] = []
    stages: dict[str, list[tuple[float, float]]] = {}
    shares: list[float] = []
    steady: dict[str, list[dict[str, Any]]] = {}
    roots = {"this": harness.ROOT}
    if args.baseline_root:
        roots["baseline"] = args.baseline_root.resolve()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(args.rounds):
                relay = await bench_relay(broker, args.n, f"r{r}")
                relays.append(relay)
                line = f"round {r + 1}: relay {relay['throughput']:.0f}/s"
                if not args.no_stages:
                    rates = await stage_rates(broker, args.n, Path(tmp) / f"stages{r}")
                    for name, figures in rates.items():
                        stages.setdefault(name, []).append(figures)
                        line += f", {name} {figures[0]:.0f}/s ({figures[1]:.0f}/CPU-s)"
                pipeline = await bench_pipeline(broker, args.n, Path(tmp) / f"burst{r}", env=env)
                pipelines.append(pipeline)
                line += (
                    f", pipeline {pipeline['throughput']:.1f}/s "
                    f"({pipeline['per_cpu']:.0f}/CPU-s of its services)"
                )
                if not args.no_stages:
                    slowest = min(rates.values())[0]
                    shares.append(pipeline["throughput"] / slowest)
                    line += f", share of the slowest stage {shares[-1]:.2f}"
                print(line, flush=True)
            for r in range(args.steady_rounds if args.rate else 0):
                for label, root in roots.items():
                    harness.ROOT = root  # the checkout whose services the Stack starts
                    run = await bench_pipeline(
                        broker,
                        int(args.rate * args.seconds),
                        Path(tmp) / f"steady-{label}-{r}",
                        rate=args.rate,
                        env=env if label == "this" else None,
                    )
                    steady.setdefault(label, []).append(run)
                    print(describe_steady(f"steady round {r + 1}, {label}", run), flush=True)
    finally:
        broker.stop()
    if relays:
        print_throughput(args, relays, stages, pipelines, shares)
    for label, runs in steady.items():
        p99 = median([run["p99"] for run in runs])
        verdict = "meets" if p99 < 1.0 else "below"
        print(
            f"steady {args.rate:.0f} mentions/s for {args.seconds:.0f} s ({label}, median of "
            f"{len(runs)}): push → draft p50 {median([run['p50'] for run in runs]) * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms, max {median([run['max'] for run in runs]) * 1000:.0f} ms "
            f"(target p99 < 1 s: {verdict})"
        )


def print_throughput(
    args: argparse.Namespace,
    relays: list[dict],
    stages: dict[str, list[tuple[float, float]]],
    pipelines: list[dict],
    shares: list[float],
) -> None:
    relay_rate = median([r["throughput"] for r in relays])
    print(
        f"\nmessages: {args.n}, message size ≈ {relays[0]['size']} bytes, CPUs: "
        f"{os.cpu_count()}, rounds: {args.rounds} (medians)"
    )
    print(f"{'':10} {'msg/s':>10} {'/ relay':>8} {'per CPU-s':>10} {'p50 ms':>10} {'p99 ms':>10}")
    print(
        f"{'relay':10} {relay_rate:10.1f} {1:8.3f} {'':>10} "
        f"{median([r['p50'] for r in relays]) * 1000:10.1f} "
        f"{median([r['p99'] for r in relays]) * 1000:10.1f}"
    )
    for name, figures in stages.items():
        rate = median([f[0] for f in figures])
        print(
            f"{name:10} {rate:10.1f} {rate / relay_rate:8.3f} "
            f"{median([f[1] for f in figures]):10.0f}   (alone, on its input topic)"
        )
    rate = median([p["throughput"] for p in pipelines])
    print(
        f"{'pipeline':10} {rate:10.1f} {rate / relay_rate:8.3f} "
        f"{median([p['per_cpu'] for p in pipelines]):10.0f} "
        f"{median([p['p50'] for p in pipelines]) * 1000:10.1f} "
        f"{median([p['p99'] for p in pipelines]) * 1000:10.1f}"
    )
    if shares:
        slowest = min(stages, key=lambda k: median([f[0] for f in stages[k]]))
        share = median(shares)
        verdict = "meets" if share >= 0.8 else "below"
        print(
            f"pipeline / slowest stage ({slowest}) throughput, median of the rounds' ratios: "
            f"{share:.2f} (target >= 0.80: {verdict})"
        )
    busy = ", ".join(f"{k} {v:.1f}s" for k, v in pipelines[-1]["busy"].items())
    print(f"time in handlers and requests per service (last round): {busy}")
    cpu_ms = ", ".join(f"{k} {v:.2f}" for k, v in pipelines[-1]["cpu_ms"].items())
    print(f"CPU ms per mention per service in the pipeline (last round): {cpu_ms}")


if __name__ == "__main__":
    asyncio.run(main())
