"""The dead-letter admin API (issue 16 item 2), mounted in the real responder app, on the
real broker: list and inspect with reason, origin, error and group; replay a selection
into the original topic; admins only. The logic is `shared.dlq`'s (the CLI's)."""

from __future__ import annotations

from typing import Any

from shared.broker import EmbeddedBroker
from shared.bus import Publisher
from shared.events import Envelope
from shared.topics import MENTIONS_RAW, Topics
from tests.responder.queue.queue_stack import running
from tests.shared.test_bus import bus, make_runner, read_topic, received, wait_until

__all__ = ["bus"]  # the fixture, imported for this module's tests


async def test_admins_list_inspect_and_replay_dead_letters(
    broker: EmbeddedBroker, bus: tuple[Topics, Publisher], tmp_path: Any
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
        assert len(await read_topic(broker, topics.dlq(MENTIONS_RAW), 2)) == 2
        url = f"sqlite+aiosqlite:///{tmp_path / 'responder.db'}"
        async with running(broker, topics.prefix, url) as stack:
            api = stack.api
            async with stack.signed_in("ann") as agent:
                refused = await agent.get("/api/admin/dlq")
                assert refused.status_code == 403, refused.text
            anonymous = await api.get("/api/admin/dlq", headers={"Authorization": ""})
            assert anonymous.status_code == 401

            response = await api.get("/api/admin/dlq")
            assert response.status_code == 200, response.text
            listing = response.json()
            assert sorted(d["reason"] for d in listing) == ["exhausted", "undecodable"]
            assert {d["origin_topic"] for d in listing} == {MENTIONS_RAW}
            assert {d["group"] for d in listing} == {topics.prefix + "queue"}
            (bug,) = (await api.get("/api/admin/dlq", params={"reason": "exhausted"})).json()
            assert bug["error_type"] == "KeyError" and bug["ref"].startswith(MENTIONS_RAW)

            detail = (await api.get(f"/api/admin/dlq/{bug['ref']}")).json()
            assert "needs-fix" in detail["value"] and detail["headers"]["dlq.reason"] == "exhausted"
            assert (await api.get("/api/admin/dlq/mentions.raw:0:1")).status_code == 400
            assert (await api.get(f"/api/admin/dlq/{MENTIONS_RAW}.dlq:2:999")).status_code == 404

            assert (await api.post("/api/admin/dlq/replay", json={})).status_code == 422
            dry = await api.post("/api/admin/dlq/replay", json={"group": "queue", "dry_run": True})
            # The undecodable record would only come back: left out unless asked for.
            assert dry.json() == {"replayed": 0, "refs": [bug["ref"]], "dry_run": True}

            fixed = True  # the deploy with the fix
            done = await api.post("/api/admin/dlq/replay", json={"group": "queue"})
            assert done.json()["replayed"] == 1, done.text
            await wait_until(lambda: handled.get("needs-fix") == 1)
            again = await api.post("/api/admin/dlq/replay", json={"refs": [bug["ref"]]})
            assert again.json()["replayed"] == 1
            await wait_until(lambda: handled.get("needs-fix") == 2)
    finally:
        await runner.stop()
    assert handled["fine"] == 1
