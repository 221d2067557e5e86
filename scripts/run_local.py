"""`make run`: the whole system on embedded defaults, in the foreground.

The Tansu broker (memory storage) on loopback, SQLite files under var/, the four
services as processes, the demo source replaying sample reviews. Ctrl-C stops all.

The broker is watched like the services. If it dies, everything it held in memory is
gone (topics, consumer offsets, records not yet consumed), so the services are stopped,
the broker is started again on the same port and the services after it: they create the
topics with the configured partition count before anything is produced, and nothing new
is stranded on a topic the broker made up. At most `--max-broker-restarts` (3) restarts
within `RESTART_WINDOW_S`; one more and `make run` stops, saying why.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.broker import EmbeddedBroker, free_port  # noqa: E402

#: The demo shop's seller facts (returns per platform, sizes, manuals...), editable in the UI.
DEMO_FACTS = ROOT / "services" / "responder" / "fact" / "demo_facts.yaml"
PORTS = {"ingest": 8001, "responder": 8002, "sentiment": 8003, "alerts": 8004}
SERVICES = ("ingest", "sentiment", "responder", "alerts")
MAX_BROKER_RESTARTS = 3
RESTART_WINDOW_S = 600.0
READY_TIMEOUT_S = 120.0


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class StackFailed(Exception):
    """The stack cannot run: the message says what failed and where its log is."""


def service_env(name: str, base_env: dict[str, str], ports: dict[str, int]) -> dict[str, str]:
    env = {**base_env, "HTTP_PORT": str(ports[name])}
    if name == "ingest":
        env.setdefault("INGEST_DEMO_ENABLED", "true")
        env.setdefault("INGEST_DEMO_LOOP", "true")
    if name == "responder":
        env.setdefault("RESPONDER_BRAND", "Мамина Радость")  # the demo's sample shop
        env.setdefault("RESPONDER_FACTS_FILE", str(DEMO_FACTS))
        env.setdefault("RESPONDER_EMBED_URL", f"http://127.0.0.1:{ports['sentiment']}/api/embed")
    if name == "alerts":
        env.setdefault("ALERTS_PUBLIC_URL", f"http://127.0.0.1:{ports['alerts']}")
    return env


def start_services(
    var: Path, base_env: dict[str, str], ports: dict[str, int]
) -> dict[str, subprocess.Popen[bytes]]:
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for name in SERVICES:
        with open(var / f"{name}.log", "ab") as log:
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}"],
                cwd=ROOT,
                env=service_env(name, base_env, ports),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    return procs


def wait_ready(
    procs: dict[str, subprocess.Popen[bytes]], ports: dict[str, int], broker: EmbeddedBroker
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    pending = set(procs)
    while pending:
        if broker.process is None or broker.process.poll() is not None:
            raise StackFailed("the broker exited while the services started; see var/broker.log")
        for name in sorted(pending):
            if procs[name].poll() is not None:
                raise StackFailed(f"{name} exited; see var/{name}.log")
            try:
                if httpx.get(f"http://127.0.0.1:{ports[name]}/ready", timeout=1).is_success:
                    pending.discard(name)
                    print(f"{name:9} ready on http://127.0.0.1:{ports[name]}", flush=True)
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline:
            raise StackFailed(f"not ready: {sorted(pending)}; see var/*.log")
        time.sleep(0.3)


def stop_services(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in procs.values():
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def restart_broker(broker: EmbeddedBroker) -> None:
    """Start a dead broker again on the same port (the services' address stays valid)."""
    broker.process = None
    try:
        broker.start()
    except (OSError, TimeoutError) as exc:
        raise StackFailed(f"the broker did not start again: {exc}; see var/broker.log") from exc


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--var-dir", type=Path, default=ROOT / "var", help="logs and SQLite files (var/)"
    )
    parser.add_argument(
        "--max-broker-restarts",
        type=int,
        default=MAX_BROKER_RESTARTS,
        help=f"restarts of a dying broker within {RESTART_WINDOW_S / 60:.0f} min before "
        f"giving up (default {MAX_BROKER_RESTARTS})",
    )
    parser.add_argument(
        "--any-ports",
        action="store_true",
        help="free ports instead of 9092 and 8001-8004 (to run beside another stack)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    var: Path = args.var_dir.resolve()
    var.mkdir(parents=True, exist_ok=True)
    wanted = {} if args.any_ports else {"broker": 9092, **PORTS}
    broker_port = wanted.get("broker", 0)
    broker_port = broker_port if broker_port and port_free(broker_port) else free_port()
    broker = EmbeddedBroker(port=broker_port, log_path=var / "broker.log").start()
    print(f"broker (Tansu, memory storage) on {broker.bootstrap_servers}", flush=True)
    # The broker keeps nothing across restarts: start each run with fresh databases so
    # the services' records agree with the (empty) topics.
    for db in var.glob("*.db*"):
        db.unlink()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    ports = {
        name: wanted[name] if wanted.get(name) and port_free(wanted[name]) else free_port()
        for name in SERVICES
    }
    base_env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "VAR_DIR": str(var),
    }
    base_env.setdefault("LOG_JSON", "true")
    restarts: deque[float] = deque()
    try:
        procs = start_services(var, base_env, ports)
        wait_ready(procs, ports, broker)
        print()
        print(f"Reply queue UI: http://127.0.0.1:{ports['responder']}/")
        print("  sign in as admin / otklik-dev-token (RESPONDER_USERS, API_TOKEN to change)")
        print(f"Seller facts:   http://127.0.0.1:{ports['responder']}/facts (demo_facts.yaml)")
        print(f"Push API:       POST http://127.0.0.1:{ports['ingest']}/api/mentions")
        print(f"Logs in {var}/*.log. Ctrl-C stops everything.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while True:
            assert broker.process is not None
            if broker.process.poll() is not None:
                code = broker.process.returncode
                now = time.monotonic()
                while restarts and now - restarts[0] > RESTART_WINDOW_S:
                    restarts.popleft()
                if len(restarts) >= args.max_broker_restarts:
                    raise StackFailed(
                        f"the broker died (exit {code}) and was restarted {len(restarts)} "
                        f"time(s) in the last {RESTART_WINDOW_S / 60:.0f} min, the limit: "
                        "stopping everything; see var/broker.log"
                    )
                restarts.append(now)
                print(
                    f"the broker died (exit {code}); restarting it and the services "
                    f"({len(restarts)}/{args.max_broker_restarts}). Records it held in memory "
                    "and had not delivered are lost; see var/broker.log",
                    file=sys.stderr,
                    flush=True,
                )
                stop_services(procs)
                restart_broker(broker)
                procs = start_services(var, base_env, ports)
                wait_ready(procs, ports, broker)
                print("the broker and the services run again", flush=True)
            for name, proc in procs.items():
                if proc.poll() is not None:
                    raise StackFailed(
                        f"{name} stopped (exit {proc.returncode}); see var/{name}.log"
                    )
            time.sleep(1)
    except StackFailed as failed:
        print(f"make run: {failed}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…")
        return 0
    finally:
        stop_services(procs)
        broker.stop()


if __name__ == "__main__":
    sys.exit(main())
