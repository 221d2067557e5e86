"""`make run` watches the broker (audit M1): `kill -9` of the embedded broker under the
running stack restarts the broker and the four services, the topics come back with the
configured partition count, and every mention pushed afterwards reaches the reply queue
through ingest → sentiment → responder."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared.topics import Topics

ROOT = Path(__file__).resolve().parents[2]
API_TOKEN = "run-local-api-token-0123456789"
PUSH_TOKEN = "run-local-push-token-0123456789"

pytestmark = pytest.mark.slow


class Output:
    """The script's output, read line by line on a thread (a pipe must not fill up)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert proc.stdout is not None
        stdout = proc.stdout
        threading.Thread(target=lambda: [self.lines.put(x) for x in stdout], daemon=True).start()

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                if found := re.search(pattern, line):
                    self.seen.remove(line)
                    return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} in {timeout:.0f}s; output: {self.seen}")
            try:
                self.seen.append(self.lines.get(timeout=left))
            except queue.Empty:
                pass


def children(parent: int) -> dict[int, bytes]:
    """{pid: command line} of the processes `parent` started."""
    found: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found[int(entry.name)] = cmdline
    return found


def broker_pid(parent: int) -> int:
    """The Tansu process `run_local.py` started."""
    pids = [pid for pid, cmdline in children(parent).items() if b"tansu" in cmdline]
    assert len(pids) == 1, f"broker processes under run_local.py: {pids}"
    return pids[0]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def mentions(prefix: str, count: int) -> list[dict[str, Any]]:
    published = datetime.now(UTC) - timedelta(hours=1)
    return [
        {
            "platform": "wildberries",
            "external_id": f"{prefix}-{i}",
            "text": f"Отличный чайник {i}, спасибо!",
            "rating": 5,
            "published_at": (published + timedelta(seconds=i)).isoformat(),
        }
        for i in range(count)
    ]


def push_until_accepted(
    client: httpx.Client, url: str, batch: list[dict[str, Any]], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        response = client.post(
            f"{url}/api/mentions",
            json={"mentions": batch},
            headers={"Authorization": f"Bearer {PUSH_TOKEN}"},
        )
        if response.status_code == 202:
            return
        assert response.status_code == 503, response.text
        assert time.monotonic() < deadline, f"push refused for {timeout:.0f}s: {response.text}"
        time.sleep(0.5)


def queued_ids(client: httpx.Client, url: str) -> set[str]:
    ids: set[str] = set()
    for state in ("open", "closed"):
        response = client.get(
            f"{url}/api/queue",
            params={"state": state, "limit": 500},
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        assert response.status_code == 200, response.text
        ids |= {item["external_id"] for item in response.json()["items"]}
    return ids


def wait_queued(client: httpx.Client, url: str, wanted: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not wanted <= (have := queued_ids(client, url)):
        assert time.monotonic() < deadline, f"{len(wanted - have)} never reached the queue"
        time.sleep(0.5)


async def partition_counts(bootstrap: str, names: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}


def start_make_run(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], Output]:
    env = {
        **os.environ,
        "API_TOKEN": API_TOKEN,
        "INGEST_PUSH_TOKEN": PUSH_TOKEN,
        "INGEST_DEMO_ENABLED": "false",
        "KAFKA_PARTITIONS": "3",
        "KAFKA_TOPIC_PREFIX": "",
    }
    command = [sys.executable, "scripts/run_local.py", "--var-dir", str(tmp_path), "--any-ports"]
    proc = subprocess.Popen(
        [*command, *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return proc, Output(proc)


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_make_run_restarts_a_dead_broker_with_the_services_and_strands_nothing(
    tmp_path: Path,
) -> None:
    proc, out = start_make_run(tmp_path)
    try:
        bootstrap = out.wait_for(r"broker \(Tansu, memory storage\) on (\S+)", 30)[1]
        ingest = out.wait_for(r"ingest +ready on (\S+)", 150)[1]
        responder = out.wait_for(r"responder +ready on (\S+)", 150)[1]
        out.wait_for(r"Ctrl-C stops everything", 150)
        with httpx.Client(timeout=15) as client:
            before = mentions("before", 10)
            push_until_accepted(client, ingest, before, 10)
            wait_queued(client, responder, {m["external_id"] for m in before}, 60)

            os.kill(broker_pid(proc.pid), signal.SIGKILL)
            out.wait_for(r"the broker died \(exit -9\); restarting it and the services \(1/3\)", 15)
            out.wait_for(r"the broker and the services run again", 180)
            after = mentions("after", 40)
            for start in range(0, len(after), 10):
                push_until_accepted(client, ingest, after[start : start + 10], 30)
            wait_queued(client, responder, {m["external_id"] for m in after}, 90)
        names = Topics("").all_with_dlq()
        counts = asyncio.run(partition_counts(bootstrap, names))
        assert counts == dict.fromkeys(names, 3), counts
        assert proc.poll() is None, "make run stopped"
    finally:
        stop(proc)


def test_make_run_stops_loudly_when_the_broker_keeps_dying(tmp_path: Path) -> None:
    proc, out = start_make_run(tmp_path, "--max-broker-restarts", "0")
    try:
        out.wait_for(r"Ctrl-C stops everything", 150)
        services = [pid for pid, cmd in children(proc.pid).items() if b"services." in cmd]
        assert len(services) == 4, children(proc.pid)
        os.kill(broker_pid(proc.pid), signal.SIGKILL)
        out.wait_for(
            r"make run: the broker died \(exit -9\) and was restarted 0 time\(s\) .*stopping", 15
        )
        assert proc.wait(timeout=60) == 1
        assert [pid for pid in services if alive(pid)] == [], "services outlived make run"
    finally:
        stop(proc)
