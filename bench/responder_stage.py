"""`make bench-responder`: the responder alone, fed straight from its input topic.

N classified mentions (70 % positive, 30 % negative; Russian and English; some with a
question; 3 platforms, 40 products) are produced onto `mentions.classified` of a fresh
topic prefix on the embedded broker; then the responder service starts on a fresh
database and drafts and stores them. Its rate is mentions per second from the first
stored item to the last (start-up excluded), on SQLite and on PostgreSQL.

Baseline, same run, same messages, same database kind: a raw relay that consumes the
topic with aiokafka, decodes each message and inserts one row per mention, a batch per
transaction, without drafting: the cost of Kafka plus a bulk insert alone.

With `--baseline DIR` (another checkout, e.g. a worktree of main) the responder of that
checkout runs on the same workload in every round too, alternating which goes first: the
ratio of the two is what a change gained, whatever load the host carries.

Medians over `--rounds` rounds, each with a new topic prefix and a new database. The
figures depend on the host: on a shared machine other work takes CPU from both sides, so
the service's own CPU time over the same span is shown too: mentions per CPU-second of
the service process is the rate one free core would give it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import Column, MetaData, String, Table, Text, insert
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.broker import EmbeddedBroker  # noqa: E402
from shared.bus import ensure_topics  # noqa: E402
from shared.events import (  # noqa: E402
    Aspect,
    Classification,
    Mention,
    MentionClassified,
    MentionKind,
    Product,
    QuestionSpan,
    Sentiment,
    encode,
    make_envelope,
    mention_id_for,
)
from shared.topics import MENTIONS_CLASSIFIED  # noqa: E402
from tests.harness import Stack  # noqa: E402

PG = {"host": "127.0.0.1", "port": 5432, "user": os.environ.get("OTKLIK_TEST_PG_USER", "postgres")}

# (language, positive?, text, aspect word, aspect) — the aspect word stands in the text.
TEXTS: list[tuple[str, bool, str, str, str]] = [
    (
        "ru",
        True,
        "Отличный чайник, качество супер, доставка быстрая. Спасибо!",
        "качество",
        "quality",
    ),
    (
        "ru",
        True,
        "Кружка держит тепло весь день, крышка плотная, очень довольна.",
        "крышка",
        "quality",
    ),
    (
        "ru",
        True,
        "Размер подошёл идеально, ткань приятная, рекомендую.",
        "Размер",
        "size_fit",
    ),
    (
        "ru",
        True,
        "Быстро привезли, упаковка целая, всё работает как надо.",
        "упаковка",
        "packaging",
    ),
    (
        "ru",
        False,
        "Пришёл с браком, через день сломался. Очень разочарована.",
        "браком",
        "quality",
    ),
    (
        "ru",
        False,
        "Коробка была смята, товар поцарапан, упаковка ужасная.",
        "упаковка",
        "packaging",
    ),
    (
        "ru",
        False,
        "Размер маломерит на два размера, пришлось вернуть.",
        "Размер",
        "size_fit",
    ),
    (
        "en",
        True,
        "Great headphones, the sound is excellent and delivery was fast.",
        "sound",
        "quality",
    ),
    (
        "en",
        True,
        "Lovely mug, keeps coffee hot for hours, the lid fits well.",
        "lid",
        "quality",
    ),
    (
        "en",
        True,
        "Fits perfectly, the fabric is soft, would buy again.",
        "fabric",
        "quality",
    ),
    (
        "en",
        False,
        "Terrible packaging, the box was crushed and the item scratched.",
        "packaging",
        "packaging",
    ),
    (
        "en",
        False,
        "Stopped working after two days, very poor quality.",
        "quality",
        "quality",
    ),
]
QUESTIONS = {
    "ru": " Подскажите, можно ли мыть в посудомойке?",
    "en": " Can I put it in the dishwasher?",
}
PLATFORMS = ("wildberries", "ozon", "google_play")


def classified_mentions(n: int, run: str, seed: int = 16) -> list[MentionClassified]:
    """N events as the sentiment service publishes them: 70 % positive, 30 % negative."""
    rnd = random.Random(seed)
    now = datetime.now(UTC) - timedelta(hours=1)
    positives = [t for t in TEXTS if t[1]]
    negatives = [t for t in TEXTS if not t[1]]
    out = []
    for i in range(n):
        language, positive, text, word, aspect = rnd.choice(
            positives if rnd.random() < 0.7 else negatives
        )
        asks = rnd.random() < 0.15
        full = text + (QUESTIONS[language] if asks else "")
        platform = rnd.choice(PLATFORMS)
        start = full.index(word)
        polarity = Sentiment.positive if positive else Sentiment.negative
        questions = []
        if asks:
            q = QUESTIONS[language].strip()
            questions.append(QuestionSpan(start=full.index(q), end=full.index(q) + len(q), text=q))
        mention = Mention(
            mention_id=mention_id_for(platform, f"{run}-{i}"),
            platform=platform,
            source_id=f"{platform}-main",
            external_id=f"{run}-{i}",
            kind=MentionKind.review,
            text=full,
            rating=rnd.choice((4, 5)) if positive else rnd.choice((1, 2)),
            author=rnd.choice(("Анна", "Игорь", "Mary", None)),
            product=Product(sku=f"SKU-{rnd.randint(1, 40)}", name="Чайник Kvanta", brand="Kvanta"),
            published_at=now + timedelta(seconds=i),
            revision="1",
        )
        classification = Classification(
            sentiment=polarity,
            score=0.93,
            language=language,
            aspects=[
                Aspect(
                    aspect=aspect,
                    polarity=polarity,
                    start=start,
                    end=start + len(word),
                    text=word,
                    clause="" if positive else text.split(",")[0],
                )
            ],
            questions=questions,
            model="bench",
        )
        out.append(MentionClassified(mention=mention, classification=classification))
    return out


async def produce(bootstrap: str, topic: str, events: list[MentionClassified]) -> None:
    await ensure_topics(bootstrap, [topic], partitions=3)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for start in range(0, len(events), 500):
            futures = [
                await producer.send(
                    topic,
                    encode(make_envelope(e, producer="bench")),
                    key=str(e.mention.mention_id).encode(),
                )
                for e in events[start : start + 500]
            ]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()


class Database:
    """A fresh database for one round: a SQLite file, or a throwaway PostgreSQL database."""

    def __init__(self, kind: str, tmp: Path, name: str) -> None:
        self.kind, self.name = kind, name
        self.path = tmp / f"{name}.db"

    @property
    def url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.path}"
        return f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{self.name}"

    async def __aenter__(self) -> Database:
        if self.kind == "postgresql":
            conn = await asyncpg.connect(database="postgres", **PG)  # type: ignore[arg-type]
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                await conn.execute(f'CREATE DATABASE "{self.name}"')
            finally:
                await conn.close()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.kind == "postgresql":
            conn = await asyncpg.connect(database="postgres", **PG)  # type: ignore[arg-type]
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            finally:
                await conn.close()

    async def stored(self, table: str) -> tuple[int, float | None]:
        """Rows in `table` and the earliest `created_at` (epoch seconds), if any."""
        sql = f"SELECT count(*), min(created_at) FROM {table}"
        if self.kind == "sqlite":
            if not self.path.exists():
                return 0, None
            db = sqlite3.connect(self.path)
            try:
                count, first = db.execute(sql).fetchone()
            except sqlite3.OperationalError:  # the table is not created yet
                return 0, None
            finally:
                db.close()
            moment = datetime.fromisoformat(first) if first else None
        else:
            conn = await asyncpg.connect(database=self.name, **PG)  # type: ignore[arg-type]
            try:
                count, moment = await conn.fetchrow(sql)
            except asyncpg.UndefinedTableError:
                return 0, None
            finally:
                await conn.close()
        if moment is None:
            return count, None
        return count, (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


async def wait_for(
    stored: Callable[[], Awaitable[tuple[int, float | None]]], n: int, timeout_s: float
) -> tuple[float, float]:
    """Poll until `n` rows are stored; (first row's time, time all were seen)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        count, first = await stored()
        if count >= n and first is not None:
            return first, time.time()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{count} of {n} rows stored in {timeout_s:.0f} s")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def service_rate(
    stack: Stack, name: str, done: Callable[[], Awaitable[tuple[float, float]]], n: int
) -> tuple[float, float | None]:
    """(mentions/s of wall time, mentions per CPU-second of the service process) from the
    moment it is ready until `done` returns (first row's time, time all were seen)."""
    process = stack.procs[name].process
    assert process is not None
    before = cpu_seconds(process.pid)
    first, finished = await done()
    after = cpu_seconds(process.pid)
    per_cpu = n / (after - before) if before is not None and after and after > before else None
    return n / max(1e-6, finished - first), per_cpu


async def run_responder(
    broker: EmbeddedBroker, db: Database, prefix: str, n: int, tmp: Path, root: Path = ROOT
) -> tuple[float, float | None]:
    """Mentions/s drafted and stored by the responder service (of the checkout at `root`)
    on a pre-filled topic, and per CPU-second of the service."""
    stack = Stack(
        broker=broker,
        prefix=prefix,
        database_urls={"responder": db.url},
        tmp_path=tmp,
        services=("responder",),
        env_extra={"responder": {"RESPONDER_SLA_SWEEP_INTERVAL_S": "3600"}},
        root=root,
    )
    async with stack:
        return await service_rate(
            stack,
            "responder",
            lambda: wait_for(lambda: db.stored("queue_items"), n, timeout_s=900),
            n,
        )


async def run_relay(bootstrap: str, db: Database, topic: str, n: int) -> float:
    """Mentions/s of a raw consume → decode → multi-row insert relay (no drafting)."""
    engine = create_async_engine(db.url)
    meta = MetaData()
    rows = Table(
        "relay_rows",
        meta,
        Column("mention_id", String(36), primary_key=True),
        Column("sentiment", String(16)),
        Column("text", Text),
    )
    async with engine.begin() as conn:
        await conn.run_sync(meta.create_all)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"relay-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
    )
    await consumer.start()
    started: float | None = None
    seen = 0
    try:
        while seen < n:
            batches = await consumer.getmany(timeout_ms=100, max_records=200)
            for records in batches.values():
                if started is None:
                    started = time.time()
                values = []
                for record in records:
                    payload = json.loads(record.value)["payload"]
                    values.append(
                        {
                            "mention_id": payload["mention"]["mention_id"],
                            "sentiment": payload["classification"]["sentiment"],
                            "text": payload["mention"]["text"],
                        }
                    )
                async with engine.begin() as conn:
                    await conn.execute(insert(rows), values)
                seen += len(records)
            if batches:
                await consumer.commit()
        done = time.time()
    finally:
        await consumer.stop()
        await engine.dispose()
    assert started is not None
    return n / max(1e-6, done - started)


Figures = dict[str, dict[str, list[float]]]


async def one_run(
    broker: EmbeddedBroker, kind: str, n: int, r: int, tmp: Path, root: Path, relay: bool
) -> tuple[float, float | None, float | None]:
    """One responder run (and the relay before it) on a fresh topic and database."""
    run = f"r{r}{kind[:2]}{uuid.uuid4().hex[:6]}"
    prefix = f"bench.{run}."
    topic = prefix + MENTIONS_CLASSIFIED
    await produce(broker.bootstrap_servers, topic, classified_mentions(n, run))
    round_dir = tmp / run
    round_dir.mkdir()
    async with Database(kind, round_dir, f"otklik_bench_{run}") as db:
        relayed = await run_relay(broker.bootstrap_servers, db, topic, n) if relay else None
        responder, per_cpu = await run_responder(broker, db, prefix, n, round_dir, root)
    return responder, per_cpu, relayed


async def bench(kinds: list[str], n: int, rounds: int, baseline: Path | None) -> Figures:
    results: Figures = {
        k: {"responder": [], "relay": [], "cpu": [], "base": [], "base_cpu": []} for k in kinds
    }
    broker = EmbeddedBroker().start()
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            for r in range(rounds):
                for kind in kinds:
                    figures = results[kind]
                    # Alternate which checkout goes first: neither always meets a warmer host.
                    order = [ROOT, baseline] if baseline is not None else [ROOT]
                    if r % 2:
                        order.reverse()
                    line = f"round {r + 1} {kind:10}"
                    for root in order:
                        assert root is not None
                        ours = root == ROOT
                        rate, per_cpu, relay = await one_run(broker, kind, n, r, tmp, root, ours)
                        figures["responder" if ours else "base"].append(rate)
                        if per_cpu is not None:
                            figures["cpu" if ours else "base_cpu"].append(per_cpu)
                        if relay is not None:
                            figures["relay"].append(relay)
                        name = "responder" if ours else "baseline"
                        line += f"   {name} {rate:7.0f}/s per CPU-second {per_cpu or 0:7.0f}"
                        if relay is not None:
                            line += f"   relay {relay:7.0f}/s"
                    print(line, flush=True)
    finally:
        broker.stop()
    return results


async def postgres_available() -> bool:
    try:
        conn = await asyncio.wait_for(asyncpg.connect(database="postgres", **PG), timeout=5)  # type: ignore[arg-type]
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=3000, help="mentions per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout whose responder runs alternately on the same workload",
    )
    args = parser.parse_args()
    baseline = args.baseline.resolve() if args.baseline else None
    if baseline is not None and not (baseline / "services" / "responder").is_dir():
        parser.error(f"{baseline} is not a checkout of this project")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not asyncio.run(postgres_available()):
        print("PostgreSQL is not reachable on 127.0.0.1:5432: measuring SQLite only")
        kinds.remove("postgresql")
    results = asyncio.run(bench(kinds, args.n, args.rounds, baseline))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nmentions per round: {args.n} (70 % positive, 30 % negative, ru/en, 15 % with a "
        f"question), rounds: {args.rounds}, CPUs: {os.cpu_count()}, load average {load:.1f}"
    )
    print(
        f"{'database':12} {'responder/s':>12} {'relay/s':>10} {'ratio':>7} {'per CPU-s':>10}"
        "   target 1000/s"
    )
    for kind, figures in results.items():
        responder = statistics.median(figures["responder"])
        relay = statistics.median(figures["relay"])
        ratios = [a / b for a, b in zip(figures["responder"], figures["relay"], strict=True)]
        per_cpu = _median(figures["cpu"])
        verdict = "meets" if responder >= 1000 else "below"
        print(
            f"{kind:12} {responder:12.0f} {relay:10.0f} {statistics.median(ratios):7.3f} "
            f"{per_cpu:10.0f}   {verdict}"
        )
    if baseline is None:
        return
    print(f"\nbaseline: {baseline} (same rounds, alternating order)")
    print(
        f"{'database':12} {'baseline/s':>11} {'ours/s':>8} {'ratio':>7} "
        f"{'baseline/CPU-s':>15} {'ours/CPU-s':>11} {'ratio':>7}"
    )
    for kind, figures in results.items():
        wall = [a / b for a, b in zip(figures["responder"], figures["base"], strict=True)]
        cpu = [a / b for a, b in zip(figures["cpu"], figures["base_cpu"], strict=False)]
        print(
            f"{kind:12} {_median(figures['base']):11.0f} {_median(figures['responder']):8.0f} "
            f"{_median(wall):7.2f} {_median(figures['base_cpu']):15.0f} "
            f"{_median(figures['cpu']):11.0f} {_median(cpu):7.2f}"
        )


if __name__ == "__main__":
    main()
