"""`make bench-alerts-stage`: the alerts service alone, fed straight from its input topic.

N classified mentions (the responder stage's mix: 70 % positive, 30 % negative; 3
platforms, 40 products) are produced onto `mentions.classified` of a fresh topic prefix
on the embedded broker; then the alerts service starts on a fresh database and routes
them: an owner for every mention (an `assignments` row, an `assignment.made` event), an
escalation for every negative one with its first step taken (the owner's notification
in the outbox: an ops hook on a local receiver is configured, so every escalation has a
destination, and the dispatcher delivers them meanwhile), each new mention counted into
the crisis windows. Its rate is mentions per second from the first stored assignment to
the moment every assignment, escalation and outbox row is stored (start-up excluded), on
SQLite and on PostgreSQL.

Baseline, same run, same messages, same database kind: the responder stage's raw relay
(consume, decode, one multi-row insert per batch, commit), without any routing.

Medians over `--rounds` rounds, each with a new topic prefix and a new database; beside
them, mentions per CPU-second of the service process (what one free core would give it on
a shared machine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi import FastAPI, Response  # noqa: E402

from bench.responder_stage import (  # noqa: E402
    Database,
    classified_mentions,
    postgres_available,
    produce,
    run_relay,
    service_rate,
)
from shared.broker import EmbeddedBroker  # noqa: E402
from shared.events import Sentiment  # noqa: E402
from shared.topics import MENTIONS_CLASSIFIED  # noqa: E402
from tests.fakes.server import serve_app  # noqa: E402
from tests.harness import Stack  # noqa: E402

TARGET = 1000.0


async def wait_routed(
    db: Database, n: int, negatives: int, notifications: int, timeout_s: float
) -> tuple[float, float]:
    """Poll until every mention has its assignment, every negative its escalation, and
    `notifications` rows are in the outbox; (first assignment's time, time all were seen)."""
    deadline = time.monotonic() + timeout_s
    assigned = escalated = notified = 0
    while time.monotonic() < deadline:
        assigned, first = await db.stored("assignments")
        escalated, _ = await db.stored("escalations")
        notified, _ = await db.stored("notification_outbox")
        if assigned >= n and escalated >= negatives and notified >= notifications and first:
            return first, time.time()
        await asyncio.sleep(0.05)
    raise TimeoutError(
        f"{assigned} of {n} assignments, {escalated} of {negatives} escalations, "
        f"{notified} of {notifications} notifications in {timeout_s:.0f} s"
    )


def hook_receiver(hits: list[int]) -> FastAPI:
    """The ops hook every notification also goes to: answers 200, counts the posts."""
    app = FastAPI()

    @app.post("/notify")
    async def notify() -> Response:
        hits.append(1)
        return Response(b"ok")

    return app


async def run_alerts(
    broker: EmbeddedBroker,
    db: Database,
    prefix: str,
    n: int,
    negatives: int,
    tmp: Path,
    *,
    notify: bool = True,
) -> tuple[float, float | None]:
    """Mentions/s routed and escalated by the alerts service on a pre-filled topic, and
    per CPU-second of the service. Without `notify` no one has a destination: the
    escalations' steps are taken, but nothing goes into the outbox or out."""
    hits: list[int] = []
    async with serve_app(hook_receiver(hits)) as hook:
        env = {"LOG_LEVEL": "WARNING"}
        if notify:
            env |= {
                "ALERTS_HOOK_URL": f"{hook}/notify",
                "ALERTS_ALLOW_PRIVATE_DESTINATIONS": "true",
            }
        stack = Stack(
            broker=broker,
            prefix=prefix,
            database_urls={"alerts": db.url},
            tmp_path=tmp,
            services=("alerts",),
            env_extra={"alerts": env},
        )
        notified = negatives if notify else 0
        async with stack:
            return await service_rate(
                stack,
                "alerts",
                lambda: wait_routed(db, n, negatives, notified, timeout_s=900),
                n,
            )


async def bench(
    kinds: list[str], n: int, rounds: int, notify: bool
) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {
        k: {"alerts": [], "relay": [], "cpu": []} for k in kinds
    }
    broker = EmbeddedBroker().start()
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            for r in range(rounds):
                for kind in kinds:
                    run = f"a{r}{kind[:2]}{uuid.uuid4().hex[:6]}"
                    prefix = f"bench.{run}."
                    topic = prefix + MENTIONS_CLASSIFIED
                    events = classified_mentions(n, run)
                    negatives = sum(
                        1
                        for e in events
                        if e.classification.sentiment is Sentiment.negative
                        and not e.mention.answered
                    )
                    await produce(broker.bootstrap_servers, topic, events)
                    round_dir = tmp / run
                    round_dir.mkdir()
                    async with Database(kind, round_dir, f"otklik_bench_{run}") as db:
                        relay = await run_relay(broker.bootstrap_servers, db, topic, n)
                        alerts, per_cpu = await run_alerts(
                            broker, db, prefix, n, negatives, round_dir, notify=notify
                        )
                    results[kind]["relay"].append(relay)
                    results[kind]["alerts"].append(alerts)
                    if per_cpu is not None:
                        results[kind]["cpu"].append(per_cpu)
                    print(
                        f"round {r + 1} {kind:10} alerts {alerts:7.0f}/s   relay {relay:7.0f}/s"
                        f"   per CPU-second {per_cpu or 0:7.0f}",
                        flush=True,
                    )
    finally:
        broker.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=3000, help="mentions per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--no-notify",
        dest="notify",
        action="store_false",
        help="no destination: escalations enqueue and send no notification",
    )
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not asyncio.run(postgres_available()):
        print("PostgreSQL is not reachable on 127.0.0.1:5432: measuring SQLite only")
        kinds.remove("postgresql")
    results = asyncio.run(bench(kinds, args.n, args.rounds, args.notify))
    print(
        f"\nmentions per round: {args.n} (70 % positive, 30 % negative), "
        f"rounds: {args.rounds}, CPUs: {os.cpu_count()}, load {os.getloadavg()[0]:.1f}, "
        f"notifications {'to a local hook' if args.notify else 'off (--no-notify)'}"
    )
    print(
        f"{'database':12} {'alerts/s':>10} {'relay/s':>10} {'ratio':>7} {'per CPU-s':>10}"
        f"   target {TARGET:.0f}/s"
    )
    for kind, figures in results.items():
        alerts = statistics.median(figures["alerts"])
        relay = statistics.median(figures["relay"])
        ratios = [a / b for a, b in zip(figures["alerts"], figures["relay"], strict=True)]
        per_cpu = statistics.median(figures["cpu"]) if figures["cpu"] else float("nan")
        verdict = "meets" if alerts >= TARGET else "below"
        print(
            f"{kind:12} {alerts:10.0f} {relay:10.0f} {statistics.median(ratios):7.3f} "
            f"{per_cpu:10.0f}   {verdict}"
        )


if __name__ == "__main__":
    main()
