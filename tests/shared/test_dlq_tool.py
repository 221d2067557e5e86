"""The dead-letter tool on the real broker: list, show, replay (audit H1/L8: no tool read
a DLQ back; operations.md said to republish bytes by hand)."""

from __future__ import annotations

import io
from typing import Any

from shared.broker import EmbeddedBroker
from shared.bus import Publisher
from shared.dlq import read_dead_letters, run
from shared.events import Envelope
from shared.topics import MENTIONS_RAW, Topics
from tests.shared.test_bus import bus, make_runner, read_topic, received, wait_until

__all__ = ["bus"]  # the fixture, imported for this module's tests


async def cli(broker: EmbeddedBroker, topics: Topics, *argv: str) -> str:
    out = io.StringIO()
    code = await run(
        ["--bootstrap", broker.bootstrap_servers, "--prefix", topics.prefix, *argv], out=out
    )
    assert code == 0, out.getvalue()
    return out.getvalue()


async def test_list_show_and_replay_after_the_bug_is_fixed(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher]
) -> None:
    topics, publisher = bus
    fixed = False
    handled: dict[str, int] = {}

    async def handler(envelope: Envelope[Any]) -> None:
        external_id = envelope.payload.mention.external_id
        if external_id == "needs-fix" and not fixed:
            raise KeyError("a field the handler forgot")
        handled[external_id] = handled.get(external_id, 0) + 1

    await publisher.send_raw(topics.name(MENTIONS_RAW), b"{garbage", key=b"k")
    for external_id in ("needs-fix", "fine"):
        await publisher.publish(MENTIONS_RAW, received(external_id))
    runner = make_runner(broker, topics, publisher, handler, max_attempts=2, group="queue")
    await runner.start()
    try:
        await wait_until(lambda: "fine" in handled)
        await wait_until(lambda: runner.degraded() is None)
        assert len(await read_topic(broker, topics.dlq(MENTIONS_RAW), 2)) == 2

        listing = await cli(broker, topics, "list")
        assert "2 dead letter(s)" in listing
        assert "exhausted" in listing and "undecodable" in listing
        assert f"group={topics.prefix}queue" in listing and "KeyError" in listing
        only = await cli(broker, topics, "list", "--reason", "exhausted", "--topic", MENTIONS_RAW)
        assert "1 dead letter(s)" in only
        (letter,) = [
            d
            for d in await read_dead_letters(broker.bootstrap_servers, [topics.dlq(MENTIONS_RAW)])
            if d.header("reason") == "exhausted"
        ]
        shown = await cli(broker, topics, "show", letter.ref.removeprefix(topics.prefix))
        assert "dlq.error_type: KeyError" in shown and "needs-fix" in shown

        dry = await cli(broker, topics, "replay", "--dry-run")
        assert dry.count("would replay") == 1  # the undecodable one would only come back

        fixed = True  # the deploy with the fix
        assert "replayed 1" in await cli(broker, topics, "replay", "--group", "queue")
        await wait_until(lambda: handled.get("needs-fix") == 1)
        # Replaying again is harmless: the handler runs again, its effects are idempotent.
        assert "replayed 1" in await cli(broker, topics, "replay", "--ref", letter.ref)
        await wait_until(lambda: handled.get("needs-fix") == 2)
    finally:
        await runner.stop()
    replayed = [
        r
        for r in await read_topic(broker, topics.name(MENTIONS_RAW), 5)
        if dict(r.headers).get("dlq.replayed_from")
    ]
    assert [dict(r.headers)["dlq.replayed_from"] for r in replayed] == [letter.ref.encode()] * 2
    assert {r.partition for r in replayed} == {letter.origin.partition if letter.origin else -1}
