"""`make run`: the whole system on embedded defaults, in the foreground.

The Tansu broker (memory storage) on loopback, SQLite files under var/, the four
services as processes, the demo source replaying sample reviews. Ctrl-C stops all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.broker import EmbeddedBroker, free_port  # noqa: E402

#: The demo shop's seller facts (returns per platform, sizes, manuals...), editable in the UI.
DEMO_FACTS = ROOT / "services" / "responder" / "fact" / "demo_facts.yaml"
PORTS = {"ingest": 8001, "responder": 8002, "sentiment": 8003, "alerts": 8004}


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def main() -> int:
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    broker_port = 9092 if port_free(9092) else free_port()
    broker = EmbeddedBroker(port=broker_port, log_path=var / "broker.log").start()
    print(f"broker (Tansu, memory storage) on {broker.bootstrap_servers}")
    # The broker keeps nothing across restarts: start each run with fresh databases so
    # the services' records agree with the (empty) topics.
    for db in var.glob("*.db*"):
        db.unlink()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    ports = {name: port if port_free(port) else free_port() for name, port in PORTS.items()}
    base_env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers}
    base_env.setdefault("LOG_JSON", "true")
    try:
        for name in ("ingest", "sentiment", "responder", "alerts"):
            env = {**base_env, "HTTP_PORT": str(ports[name])}
            if name == "ingest":
                env.setdefault("INGEST_DEMO_ENABLED", "true")
                env.setdefault("INGEST_DEMO_LOOP", "true")
            if name == "sentiment":
                # Sentence vectors for seller-fact matching; a local encoder directory
                # in SENTIMENT_EMBEDDER replaces the hashed-trigram fallback.
                env.setdefault("SENTIMENT_EMBEDDER", "trigram")
            if name == "responder":
                env.setdefault("RESPONDER_BRAND", "Мамина Радость")  # the demo's sample shop
                env.setdefault("RESPONDER_FACTS_FILE", str(DEMO_FACTS))
                env.setdefault(
                    "RESPONDER_EMBED_URL", f"http://127.0.0.1:{ports['sentiment']}/api/embed"
                )
            if name == "alerts":
                env.setdefault("ALERTS_PUBLIC_URL", f"http://127.0.0.1:{ports['alerts']}")
            log = open(var / f"{name}.log", "ab")
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
        deadline = time.monotonic() + 120
        pending = set(procs)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                if procs[name].poll() is not None:
                    print(f"{name} exited; see var/{name}.log", file=sys.stderr)
                    return 1
                try:
                    if httpx.get(f"http://127.0.0.1:{ports[name]}/ready", timeout=1).is_success:
                        pending.discard(name)
                        print(f"{name:9} ready on http://127.0.0.1:{ports[name]}")
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        if pending:
            print(f"not ready: {sorted(pending)}; see var/*.log", file=sys.stderr)
            return 1
        print()
        print(f"Reply queue UI: http://127.0.0.1:{ports['responder']}/")
        print("  sign in as admin / otklik-dev-token (RESPONDER_USERS, API_TOKEN to change)")
        print(f"Seller facts:   http://127.0.0.1:{ports['responder']}/facts (demo_facts.yaml)")
        print(f"Push API:       POST http://127.0.0.1:{ports['ingest']}/api/mentions")
        print("Logs in var/*.log. Ctrl-C stops everything.")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while True:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} stopped (exit {proc.returncode}); see var/{name}.log")
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping…")
        return 0
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        broker.stop()


if __name__ == "__main__":
    sys.exit(main())
