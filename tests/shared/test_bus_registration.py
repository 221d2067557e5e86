"""Typed handler registration: the handler's payload type is the event it is registered
for, and its dependencies are its keyword parameters, both checked by mypy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.bus import InvalidEvent, by_event, on, on_batch
from shared.events import (
    Envelope,
    MentionReceived,
    SlaChanged,
    SlaState,
    make_envelope,
)
from tests.shared.test_events import mention

ROOT = Path(__file__).resolve().parents[2]


def sla_envelope() -> Envelope[SlaChanged]:
    payload = SlaChanged(
        mention_id=uuid.uuid4(),
        state=SlaState.due_soon,
        platform="wildberries",
        due_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return make_envelope(payload, producer="test")


async def test_on_binds_the_dependencies_and_keys_by_event_type() -> None:
    seen: list[tuple[str, int]] = []

    async def handle_sla_changed(envelope: Envelope[SlaChanged], *, factor: int) -> None:
        seen.append((envelope.payload.platform, factor))

    handlers = by_event(on(SlaChanged, handle_sla_changed, factor=3))
    await handlers["sla.changed"](sla_envelope())
    assert seen == [("wildberries", 3)]
    with pytest.raises(ValueError, match=r"two handlers for sla\.changed"):
        by_event(
            on(SlaChanged, handle_sla_changed, factor=1),
            on(SlaChanged, handle_sla_changed, factor=2),
        )


async def test_a_batch_handler_gets_only_its_event() -> None:
    batches: list[int] = []

    async def handle_mentions_received(envelopes: Sequence[Envelope[MentionReceived]]) -> None:
        batches.append(len(envelopes))

    handler = on_batch(MentionReceived, handle_mentions_received)
    received = make_envelope(MentionReceived(mention=mention()), producer="test")
    await handler([received, received])
    assert batches == [2]
    with pytest.raises(InvalidEvent, match=r"sla\.changed on a topic of mention\.received"):
        await handler([received, sla_envelope()])
    assert batches == [2]


def test_mypy_refuses_a_handler_registered_for_another_event(tmp_path: Path) -> None:
    source = tmp_path / "registration.py"
    source.write_text(
        textwrap.dedent(
            """
            from shared.bus import by_event, on
            from shared.events import AlertRaised, Envelope, SlaChanged


            async def handle_sla_changed(envelope: Envelope[SlaChanged], *, factor: int) -> None:
                return None


            good = by_event(on(SlaChanged, handle_sla_changed, factor=1))
            wrong_event = on(AlertRaised, handle_sla_changed, factor=1)
            wrong_dependency = on(SlaChanged, handle_sla_changed, factor="1")
            missing_dependency = on(SlaChanged, handle_sla_changed)
            """
        )
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--follow-imports=silent",
            "--no-incremental",
            str(source),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    lines = sorted(int(line.split(":")[1]) for line in errors)
    assert lines == [11, 12, 13], result.stdout
