"""Alerts benchmark: negative in `mentions.classified` → owner's webhook received.

Processes: the embedded Kafka broker; the alerts service as `python -m services.alerts`
(tests/harness.py Stack); a webhook receiver (uvicorn, its own process) that records the
arrival time of every notification by its `id`; a baseline relay (its own process): a
plain aiokafka consumer that POSTs each message of the same topic to the same receiver
(decode JSON, one POST per message, batch by batch, commit) — the floor the service is
compared with. This process only publishes (a steady rate, or as fast as it can) and
records when each mention was handed to the producer.

Runs, each on the service and on the relay, back to back on one broker:
  * steady: 200 mentions/s for 20 s, all negative (4000 notifications expected);
  * mix: 200 mentions/s for 20 s, 30 % negative (only negatives notify their owner);
  * burst: N negatives published at once — how many notifications/s can be delivered.

Latency = receipt time at the receiver − time the mention was sent to Kafka
(same host clock). Throughput = notifications received / (last receipt − first send).

    .venv/bin/python bench/alerts_latency.py [--rate 200] [--seconds 20] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI, Request

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.broker import EmbeddedBroker  # noqa: E402

OWNER_STEP = "owner"

NEG_TEXTS = [
    "Ужасное качество, пришёл с браком, через день сломался. Верните деньги.",
    "Terrible packaging, the box was crushed and the item scratched.",
    "Курьер опоздал на три дня, товар пришёл мятый, поддержка не отвечает.",
]
POS_TEXTS = [
    "Отличный чайник, качество супер, доставка быстрая. Спасибо продавцу!",
    "Great headphones, the sound is excellent and delivery was fast.",
]


# --------------------------------------------------------------------------- receiver


def run_receiver(port_file: str) -> None:
    """Child process: POST /hook records {id: arrival}; GET /dump returns them."""
    import uvicorn

    arrivals: dict[str, float] = {}
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, bool]:
        now = time.time()
        body = await request.body()
        try:
            nid = json.loads(body).get("id")
        except ValueError:
            nid = None
        if isinstance(nid, str):
            arrivals.setdefault(nid, now)  # first arrival counts; repeats are ignored
        return {"ok": True}

    @app.get("/dump")
    async def dump() -> dict[str, float]:
        return arrivals

    @app.post("/reset")
    async def reset() -> dict[str, bool]:
        arrivals.clear()
        return {"ok": True}

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    Path(port_file).write_text(str(sock.getsockname()[1]))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


# --------------------------------------------------------------------------- relay


def run_relay(bootstrap: str, topic: str, url: str) -> None:
    """Child process: the baseline — consume, POST every message, commit."""
    from aiokafka import AIOKafkaConsumer

    from services.alerts.escalation.flows import escalation_id_for

    async def main() -> None:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id="bench-relay",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=6000,
        )
        await consumer.start()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with httpx.AsyncClient(timeout=10) as client:

            async def post(raw: bytes) -> None:
                envelope = json.loads(raw)
                payload = envelope["payload"]
                if payload["classification"]["sentiment"] != "negative":
                    return
                mid = payload["mention"]["mention_id"]
                body = {
                    "type": "notification",
                    "id": f"{escalation_id_for(mid)}:{OWNER_STEP}",
                    "title": "Negative mention",
                    "text": payload["mention"]["text"],
                }
                (await client.post(url, json=body)).raise_for_status()

            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=100, max_records=200)
                for records in batches.values():
                    await asyncio.gather(*(post(r.value) for r in records))
                if batches:
                    await consumer.commit()
        await consumer.stop()

    asyncio.run(main())


# --------------------------------------------------------------------------- parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT)


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def make_events(
    n: int, negative_share: float, run: str, seed: int
) -> list[tuple[bytes, bytes, str | None]]:
    """(key, value, expected notification id or None) per mention, pre-encoded."""
    from services.alerts.escalation.flows import escalation_id_for
    from shared.events import (
        Classification,
        Mention,
        MentionClassified,
        Product,
        Sentiment,
        encode,
        make_envelope,
        mention_id_for,
    )

    rng = random.Random(seed)
    published = datetime.now(UTC) - timedelta(minutes=5)
    out = []
    for i in range(n):
        negative = rng.random() < negative_share
        external_id = f"{run}-{i}"
        mid = mention_id_for("wildberries", external_id)
        texts = NEG_TEXTS if negative else POS_TEXTS
        mention = Mention(
            mention_id=mid,
            platform="wildberries",
            source_id="wb-bench",
            external_id=external_id,
            text=texts[i % len(texts)] + f" #{i}",
            rating=1 if negative else 5,
            author="Анна",
            product=Product(sku=f"SKU-{i % 50}", name="Kettle", brand="Kvanta"),
            published_at=published,
            language_hint="ru",
        )
        sentiment = Sentiment.negative if negative else Sentiment.positive
        classification = Classification(
            sentiment=sentiment,
            score=0.95,
            scores={sentiment.value: 0.95},
            language="ru",
            model="bench",
        )
        envelope = make_envelope(
            MentionClassified(mention=mention, classification=classification), producer="bench"
        )
        expected = f"{escalation_id_for(str(mid))}:{OWNER_STEP}" if negative else None
        out.append((envelope.payload.key(), encode(envelope), expected))
    return out


@dataclass
class Result:
    name: str
    mentions: int
    expected: int
    received: int
    offered_rate: float
    send_seconds: float
    throughput: float
    p50: float
    p90: float
    p99: float
    max: float


async def publish_and_measure(
    *,
    name: str,
    producer: object,
    topic: str,
    events: list[tuple[bytes, bytes, str | None]],
    rate: float | None,
    receiver: str,
    drain_timeout_s: float,
) -> Result:
    from aiokafka import AIOKafkaProducer

    assert isinstance(producer, AIOKafkaProducer)
    async with httpx.AsyncClient(timeout=30) as client:
        (await client.post(f"{receiver}/reset")).raise_for_status()
        sent_at: dict[str, float] = {}
        futures = []
        started = time.time()
        t0 = time.monotonic()
        for i, (key, value, expected) in enumerate(events):
            if rate:
                delay = t0 + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            now = time.time()
            futures.append(await producer.send(topic, value, key=key))
            if expected:
                sent_at[expected] = now
        await asyncio.gather(*futures)
        send_seconds = time.time() - started
        deadline = time.monotonic() + drain_timeout_s
        arrivals: dict[str, float] = {}
        seen, progress_at = -1, time.monotonic()
        while time.monotonic() < deadline:
            arrivals = (await client.get(f"{receiver}/dump")).json()
            got = sum(1 for k in sent_at if k in arrivals)
            if got >= len(sent_at):
                break
            if got != seen:
                seen, progress_at = got, time.monotonic()
            elif time.monotonic() - progress_at > 60:
                break  # nothing new for a minute: report what arrived
            await asyncio.sleep(0.5)
    latencies = [arrivals[k] - t for k, t in sent_at.items() if k in arrivals]
    last = max((arrivals[k] for k in sent_at if k in arrivals), default=started)
    return Result(
        name=name,
        mentions=len(events),
        expected=len(sent_at),
        received=len(latencies),
        offered_rate=len(events) / send_seconds,
        send_seconds=send_seconds,
        throughput=len(latencies) / max(1e-9, last - started),
        p50=percentile(latencies, 0.5) if latencies else float("nan"),
        p90=percentile(latencies, 0.9) if latencies else float("nan"),
        p99=percentile(latencies, 0.99) if latencies else float("nan"),
        max=max(latencies) if latencies else float("nan"),
    )


async def create_pg_database() -> tuple[str, str]:
    import asyncpg

    name = f"otklik_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def drop_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def wait_receiver(port_file: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("receiver exited")
        port = await asyncio.to_thread(lambda: port_file.read_text() if port_file.exists() else "")
        if port:
            url = f"http://127.0.0.1:{port}"
            try:
                async with httpx.AsyncClient(timeout=2) as client:
                    if (await client.get(f"{url}/dump")).status_code == 200:
                        return url
            except httpx.HTTPError:
                pass
        await asyncio.sleep(0.1)
    raise TimeoutError("receiver not ready")


async def warm_up(producer: object, topic: str, receiver: str, run: str) -> None:
    """A few negatives first, so consumer-group joins and lazy imports are not measured."""
    await publish_and_measure(
        name="warm-up",
        producer=producer,
        topic=topic,
        events=make_events(20, 1.0, run, seed=0),
        rate=50,
        receiver=receiver,
        drain_timeout_s=120,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0, help="mentions/s offered")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of a steady run")
    parser.add_argument("--mix", type=float, default=0.3, help="negative share of the mix run")
    parser.add_argument(
        "--burst", type=int, default=4000, help="negatives in the burst run (0: skip)"
    )
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on 127.0.0.1:5432")
    parser.add_argument("--skip-relay", action="store_true")
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    args = parser.parse_args()

    from aiokafka import AIOKafkaProducer

    from shared.bus import ensure_topics
    from tests.harness import Stack

    n_steady = int(args.rate * args.seconds)
    prefix = "bench."
    service_topic = f"{prefix}mentions.classified"
    relay_topic = "relay.mentions.classified"
    results: list[Result] = []
    pg_name: str | None = None
    broker = EmbeddedBroker().start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            if args.postgres:
                pg_name, db_url = await create_pg_database()
            else:
                db_url = f"sqlite+aiosqlite:///{tmp / 'alerts.db'}"
            port_file = tmp / "receiver.port"
            receiver_proc = spawn("--serve-receiver", str(port_file))
            procs.append(receiver_proc)
            receiver = await wait_receiver(port_file, receiver_proc)
            hook = f"{receiver}/hook"

            producer = AIOKafkaProducer(
                bootstrap_servers=broker.bootstrap_servers, acks="all", linger_ms=2
            )
            await ensure_topics(
                broker.bootstrap_servers, [service_topic, relay_topic], partitions=3
            )
            await producer.start()
            try:
                plan = [
                    ("steady 100% neg", n_steady, 1.0, args.rate, 1),
                    (f"mix {args.mix:.0%} neg", n_steady, args.mix, args.rate, 2),
                ]
                if args.burst:
                    plan.append(("burst 100% neg", args.burst, 1.0, None, 3))

                # ---- the alerts service
                stack = Stack(
                    broker=broker,
                    prefix=prefix,
                    database_urls={"alerts": db_url},
                    tmp_path=tmp,
                    services=("alerts",),
                    env_extra={
                        "alerts": {
                            "ALERTS_WEBHOOK_URL": hook,
                            "ALERTS_ALLOW_PRIVATE_DESTINATIONS": "true",
                            "LOG_LEVEL": "WARNING",
                        }
                    },
                )
                async with stack:
                    await warm_up(producer, service_topic, receiver, "svc-warm")
                    for label, n, share, rate, seed in plan:
                        events = make_events(n, share, f"svc-{seed}", seed)
                        r = await publish_and_measure(
                            name=f"service {label}",
                            producer=producer,
                            topic=service_topic,
                            events=events,
                            rate=rate,
                            receiver=receiver,
                            drain_timeout_s=args.drain_timeout,
                        )
                        results.append(r)
                        print_result(r, flush=True)

                # ---- the baseline relay
                if not args.skip_relay:
                    relay_proc = spawn("--relay", broker.bootstrap_servers, relay_topic, hook)
                    procs.append(relay_proc)
                    await warm_up(producer, relay_topic, receiver, "relay-warm")
                    for label, n, share, rate, seed in plan:
                        events = make_events(n, share, f"relay-{seed}", seed)
                        r = await publish_and_measure(
                            name=f"relay   {label}",
                            producer=producer,
                            topic=relay_topic,
                            events=events,
                            rate=rate,
                            receiver=receiver,
                            drain_timeout_s=args.drain_timeout,
                        )
                        results.append(r)
                        print_result(r, flush=True)
            finally:
                await producer.stop()
    finally:
        for proc in reversed(procs):
            stop_process(proc)
        broker.stop()
        if pg_name:
            await drop_pg_database(pg_name)

    print()
    print(
        f"database: {'postgresql' if args.postgres else 'sqlite'}, CPUs: {os.cpu_count()}, "
        f"offered {args.rate:.0f} mentions/s for {args.seconds:.0f} s (steady/mix runs)"
    )
    header = (
        f"{'run':30} {'mentions':>8} {'notif':>6} {'recv':>6} {'sent/s':>7} {'notif/s':>8} "
        f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    print(header)
    for r in results:
        print(row(r))
    by_name = {r.name: r for r in results}
    for label in [p[0] for p in plan]:
        svc, rel = by_name.get(f"service {label}"), by_name.get(f"relay   {label}")
        if svc and rel:
            print(
                f"{label}: service/relay p50 {svc.p50 / rel.p50:.1f}x, "
                f"p99 {svc.p99 / rel.p99:.1f}x, notif/s {svc.throughput / rel.throughput:.2f}"
            )
    steady = by_name.get(f"service {plan[0][0]}")
    if steady:
        verdict = "MET" if steady.received == steady.expected and steady.p99 < 2.0 else "NOT MET"
        print(
            f"target p99 < 2 s at {args.rate:.0f} mentions/s (all negative): {verdict} "
            f"(p99 {steady.p99 * 1000:.0f} ms, {steady.received}/{steady.expected} delivered)"
        )


def row(r: Result) -> str:
    return (
        f"{r.name:30} {r.mentions:8d} {r.expected:6d} {r.received:6d} {r.offered_rate:7.1f} "
        f"{r.throughput:8.1f} {r.p50 * 1000:8.1f} {r.p90 * 1000:8.1f} "
        f"{r.p99 * 1000:8.1f} {r.max * 1000:8.1f}"
    )


def print_result(r: Result, flush: bool = False) -> None:
    print(row(r), flush=flush)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-receiver":
        run_receiver(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "--relay":
        run_relay(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        asyncio.run(main())
