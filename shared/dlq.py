"""Dead-letter tooling: list, inspect and replay what the consumers gave up on.

    python -m shared.dlq list   [--topic mentions.raw] [--reason exhausted] [--group G]
    python -m shared.dlq show   mentions.raw.dlq:0:12
    python -m shared.dlq replay [--topic ...] [--reason ...] [--group ...] [--ref ...]
                                [--dry-run]

The same, over HTTP for admins: the responder's /api/admin/dlq (`shared.dlq_api`).

Replay sends each selected dead letter's original bytes and key back to the topic it
came from (`dlq.topic`), to the same partition (so ordering per key holds), with a
`dlq.replayed_from` header naming the dead letter. Handlers are idempotent by event id,
so replaying twice, or replaying a message another consumer group already handled,
changes nothing. Undecodable records are left out unless asked for by `--reason
undecodable`: they would only come back. Broker and topic prefix come from the same
settings as the services (KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_PREFIX).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.settings import ServiceSettings
from shared.topics import ALL_TOPICS, DLQ_SUFFIX, Topics


@dataclass(frozen=True)
class DeadLetter:
    dlq_topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """`<dlq topic>:<partition>:<offset>`: how `show` and `replay --ref` name it."""
        return f"{self.dlq_topic}:{self.partition}:{self.offset}"

    def header(self, name: str) -> str:
        return self.headers.get(f"dlq.{name}", "")

    @property
    def origin(self) -> TopicPartition | None:
        topic, partition = self.header("topic"), self.header("partition")
        if not topic or not partition.isdigit():
            return None
        return TopicPartition(topic, int(partition))

    def summary(self, prefix: str = "") -> str:
        failed_at = self.header("failed_at")
        try:
            when = datetime.fromtimestamp(float(failed_at), UTC).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            when = "?"
        origin = self.header("topic").removeprefix(prefix)
        return (
            f"{self.ref.removeprefix(prefix)}  {when}  {self.header('reason') or '?'}  "
            f"group={self.header('group') or self.header('service') or '?'}  "
            f"from={origin}:{self.header('partition')}:{self.header('offset')}  "
            f"{self.header('error_type')}: {self.header('error')[:160]}"
        )


def dlq_topics(topics: Topics, logical: str | None = None) -> list[str]:
    return [topics.dlq(t) for t in ALL_TOPICS if logical in (None, t)]


async def read_dead_letters(
    bootstrap_servers: str, names: Sequence[str], *, timeout_s: float = 30.0
) -> list[DeadLetter]:
    """Everything in `names` up to their current end, oldest first; commits nothing."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    try:
        existing = await consumer.topics()  # also loads the metadata partitions_for_topic reads
        partitions = [
            TopicPartition(name, p)
            for name in names
            if name in existing
            for p in sorted(consumer.partitions_for_topic(name) or ())
        ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[DeadLetter] = []
        pending = {tp for tp in partitions if ends[tp] > await consumer.position(tp)}
        deadline = asyncio.get_running_loop().time() + timeout_s
        while pending:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"could not read {sorted(map(str, pending))} to the end")
            batches = await consumer.getmany(*pending, timeout_ms=500)
            for tp, records in batches.items():
                for r in records:
                    if r.offset < ends[tp]:
                        letters.append(
                            DeadLetter(
                                dlq_topic=r.topic,
                                partition=r.partition,
                                offset=r.offset,
                                key=r.key,
                                value=r.value,
                                headers={k: v.decode(errors="replace") for k, v in r.headers},
                            )
                        )
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
        return sorted(letters, key=lambda d: (d.header("failed_at"), d.ref))
    finally:
        await consumer.stop()


def select(
    letters: Sequence[DeadLetter],
    *,
    reason: str | None = None,
    group: str | None = None,
    refs: Sequence[str] = (),
    prefix: str = "",
) -> list[DeadLetter]:
    """Filter by reason, consumer group (or service) or refs, with or without the prefix."""
    wanted = {ref if ref.startswith(prefix) else prefix + ref for ref in refs}
    chosen = []
    for letter in letters:
        if wanted and letter.ref not in wanted:
            continue
        if reason and letter.header("reason") != reason:
            continue
        names = (letter.header("group"), letter.header("service"))
        if group and group not in names and prefix + group not in names:
            continue
        chosen.append(letter)
    return chosen


async def find(bootstrap_servers: str, ref: str, *, prefix: str = "") -> DeadLetter | None:
    """The dead letter `<topic>.dlq:<partition>:<offset>` (with or without the prefix)."""
    ref = ref if ref.startswith(prefix) else prefix + ref
    dlq_topic = ref.rsplit(":", 2)[0]
    if not dlq_topic.endswith(DLQ_SUFFIX):
        raise ValueError(f"not a dead-letter topic: {dlq_topic}")
    found = select(await read_dead_letters(bootstrap_servers, [dlq_topic]), refs=[ref])
    return found[0] if found else None


async def choose(
    bootstrap_servers: str,
    topics: Topics,
    *,
    topic: str | None = None,
    reason: str | None = None,
    group: str | None = None,
    refs: Sequence[str] = (),
) -> list[DeadLetter]:
    """The dead letters of one topic's DLQ (or all), filtered as `select` does."""
    letters = await read_dead_letters(bootstrap_servers, dlq_topics(topics, topic))
    return select(letters, reason=reason, group=group, refs=refs, prefix=topics.prefix)


def replayable(letters: Sequence[DeadLetter], *, reason: str | None) -> list[DeadLetter]:
    """Undecodable records would only come back: left out unless asked for by reason."""
    if reason == "undecodable":
        return list(letters)
    return [d for d in letters if d.header("reason") != "undecodable"]


async def replay(bootstrap_servers: str, letters: Sequence[DeadLetter]) -> int:
    """Send each dead letter's original record back where it came from; returns how many."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, acks="all", client_id="otklik-dlq-replay"
    )
    await producer.start()
    sent = 0
    try:
        for letter in letters:
            origin = letter.origin
            if origin is None:
                raise ValueError(f"{letter.ref} has no dlq.topic/dlq.partition header")
            await producer.send_and_wait(
                origin.topic,
                letter.value,
                key=letter.key,
                partition=origin.partition,
                headers=[("dlq.replayed_from", letter.ref.encode())],
            )
            sent += 1
    finally:
        await producer.stop()
    return sent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m shared.dlq", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--bootstrap", help="broker(s); default KAFKA_BOOTSTRAP_SERVERS")
    parser.add_argument("--prefix", help="topic prefix; default KAFKA_TOPIC_PREFIX")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("list", "replay"):
        sub = commands.add_parser(name)
        sub.add_argument("--topic", choices=ALL_TOPICS, help="only this topic's DLQ")
        sub.add_argument("--reason", help="undecodable | unhandled | invalid | exhausted")
        sub.add_argument("--group", help="the consumer group (or service) that gave up")
        if name == "replay":
            sub.add_argument(
                "--ref", action="append", default=[], help="topic.dlq:partition:offset"
            )
            sub.add_argument("--dry-run", action="store_true", help="list what would be sent")
    show = commands.add_parser("show")
    show.add_argument("ref", help="<topic>.dlq:<partition>:<offset>")
    return parser


async def run(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = _parser().parse_args(argv)
    write = (out or sys.stdout).write
    settings = ServiceSettings()
    bootstrap = args.bootstrap or settings.kafka_bootstrap_servers
    prefix = settings.kafka_topic_prefix if args.prefix is None else args.prefix
    topics = Topics(prefix)
    if args.command == "show":
        try:
            letter = await find(bootstrap, args.ref, prefix=prefix)
        except ValueError as exc:
            write(f"{exc}\n")
            return 2
        if letter is None:
            write(f"no dead letter {args.ref}\n")
            return 1
        for name, value in sorted(letter.headers.items()):
            write(f"{name}: {value}\n")
        write(f"key: {letter.key.decode(errors='replace') if letter.key else None}\n")
        text = letter.value.decode(errors="replace") if letter.value is not None else "(none)"
        write(f"value ({len(letter.value or b'')} bytes): {text[:4000]}\n")
        return 0
    chosen = await choose(
        bootstrap,
        topics,
        topic=args.topic,
        reason=args.reason,
        group=args.group,
        refs=getattr(args, "ref", []),
    )
    if args.command == "list":
        for letter in chosen:
            write(letter.summary(prefix) + "\n")
        write(f"{len(chosen)} dead letter(s)\n")
        return 0
    chosen = replayable(chosen, reason=args.reason)
    if args.dry_run:
        for letter in chosen:
            write("would replay " + letter.summary(prefix) + "\n")
        return 0
    sent = await replay(bootstrap, chosen)
    write(f"replayed {sent} dead letter(s) into their original topics\n")
    return 0


def main() -> None:
    raise SystemExit(asyncio.run(run()))


if __name__ == "__main__":
    main()
