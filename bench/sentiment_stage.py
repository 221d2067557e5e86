"""The sentiment service alone, fed straight from its input topic (`mentions.raw`).

N received mentions (the pipeline benchmark's texts) are produced onto `mentions.raw` of a
fresh topic prefix; then the sentiment service starts with its default model and
classifies them. Its rate is mentions per second from the first `mentions.classified`
record to the last (start-up and model loading excluded). `bench/pipeline.py` runs it
on the same broker as the pipeline, so the pipeline is compared with its slowest stage
in the same run.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.responder_stage import cpu_seconds  # noqa: E402
from services.ingest.mention.schemas import MentionIn  # noqa: E402
from shared.broker import EmbeddedBroker  # noqa: E402
from shared.bus import ensure_topics  # noqa: E402
from shared.events import MentionReceived, encode, make_envelope  # noqa: E402
from shared.topics import MENTIONS_CLASSIFIED, MENTIONS_RAW  # noqa: E402
from tests.harness import Stack  # noqa: E402


async def produce_received(bootstrap: str, topic: str, items: list[dict]) -> None:
    await ensure_topics(bootstrap, [topic], partitions=3)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for start in range(0, len(items), 500):
            futures = []
            for item in items[start : start + 500]:
                mention = MentionIn.model_validate(item).to_mention()
                envelope = make_envelope(MentionReceived(mention=mention), producer="bench")
                futures.append(
                    await producer.send(
                        topic, encode(envelope), key=str(mention.mention_id).encode()
                    )
                )
            await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def count_output(bootstrap: str, topic: str, n: int, timeout_s: float) -> float:
    """Mentions/s between the first and the last classified record (record timestamps)."""
    await ensure_topics(bootstrap, [topic], partitions=3)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"count-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
    )
    await consumer.start()
    stamps: list[int] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(stamps) < n and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200, max_records=1000)).values():
                stamps.extend(r.timestamp for r in records)
    finally:
        await consumer.stop()
    if len(stamps) < n:
        raise TimeoutError(f"{len(stamps)} of {n} classified in {timeout_s:.0f} s")
    return n / max(1e-3, (max(stamps) - min(stamps)) / 1000)


async def run_sentiment(
    broker: EmbeddedBroker, items: list[dict], tmp: Path
) -> tuple[float, float]:
    """Mentions/s classified by the sentiment service on a pre-filled `mentions.raw`, and
    mentions per CPU-second of the service (from its first classified record to its last)."""
    run = uuid.uuid4().hex[:8]
    prefix = f"bench.s{run}."
    await produce_received(broker.bootstrap_servers, prefix + MENTIONS_RAW, items)
    round_dir = tmp / f"sentiment-{run}"
    await asyncio.to_thread(round_dir.mkdir, parents=True)
    stack = Stack(
        broker=broker,
        prefix=prefix,
        database_urls={},
        tmp_path=round_dir,
        services=("sentiment",),
        env_extra={"sentiment": {"LOG_LEVEL": "WARNING"}},
    )
    async with stack:
        process = stack.procs["sentiment"].process
        assert process is not None
        before = cpu_seconds(process.pid)
        rate = await count_output(
            broker.bootstrap_servers, prefix + MENTIONS_CLASSIFIED, len(items), timeout_s=900
        )
        after = cpu_seconds(process.pid)
    per_cpu = len(items) / (after - before) if before is not None and after else float("nan")
    return rate, per_cpu
