from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from services.alerts.escalation.ladder import (
    EscalationPolicy,
    EscalationState,
    LadderStep,
    Level,
    PolicySet,
    acknowledge,
    apply_sla,
    mark_done,
    next_steps,
    next_wakeup,
    open_escalation,
)
from services.alerts.escalation.tokens import (
    AckTokenError,
    ack_url,
    create_ack_token,
    verify_ack_token,
)
from services.alerts.owner.schemas import DirectoryIndex, Person, Team, TimeWindow
from shared.events import Sentiment, SlaState

T0 = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)  # Monday, 13:00 in Moscow
NIGHT = datetime(2025, 1, 6, 20, 0, tzinfo=UTC)  # 23:00 in Moscow
MIN = timedelta(minutes=1)

DIRECTORY = DirectoryIndex.build(
    [
        Person(
            id="anna",
            name="Anna",
            timezone="Europe/Moscow",
            deputy_id="boris",
            quiet_hours=[TimeWindow(start=time(22), end=time(8))],
        ),
        Person(id="boris", name="Boris"),
        Person(id="vera", name="Vera"),
    ],
    [Team(id="support", name="Support", head_id="vera", members=["anna", "boris"])],
)
POLICIES = PolicySet()


def steps(state: EscalationState, now: datetime, **kw):  # type: ignore[no-untyped-def]
    return next_steps(state, now, policies=POLICIES, directory=DIRECTORY, **kw)


def start(at: datetime = T0, **kw) -> EscalationState:  # type: ignore[no-untyped-def]
    return open_escalation(
        "esc-1", owner_id="anna", started_at=at, sentiment=Sentiment.negative, **kw
    )


def run(state: EscalationState, now: datetime) -> tuple[EscalationState, list[tuple[str, str]]]:
    """What the ticker does: send what is due (not deferred), persist the keys."""
    due = [s for s in steps(state, now) if not s.deferred]
    return mark_done(state, *(s.key for s in due)), [(s.level.value, s.recipient_id) for s in due]


def test_ladder_timing() -> None:
    state, sent = run(start(), T0)
    assert sent == [("owner", "anna")]
    state, sent = run(state, T0 + 14 * MIN)
    assert sent == []
    state, sent = run(state, T0 + 15 * MIN)
    assert sent == [("deputy", "boris")]
    state, sent = run(state, T0 + 44 * MIN)
    assert sent == []
    state, sent = run(state, T0 + 45 * MIN)
    assert sent == [("team_head", "vera")]
    assert run(state, T0 + 10 * 60 * MIN)[1] == []


def test_idempotent_and_exactly_once_across_restart() -> None:
    state = start()
    late = T0 + 50 * MIN
    first = steps(state, late)
    assert first == steps(state, late)  # pure: same input, same answer
    assert [s.key for s in first] == ["esc-1:owner", "esc-1:deputy", "esc-1:team_head"]
    state = mark_done(state, first[0].key)
    # "Restart": the persisted JSON is all that survives.
    restored = EscalationState.model_validate_json(state.model_dump_json())
    assert [s.key for s in steps(restored, late)] == ["esc-1:deputy", "esc-1:team_head"]
    restored = mark_done(restored, "esc-1:deputy", "esc-1:team_head")
    assert steps(restored, late) == []


def test_ack_stops_the_climb() -> None:
    state, _ = run(start(), T0)
    state = acknowledge(state, "anna", T0 + 5 * MIN)
    assert acknowledge(state, "boris", T0 + 6 * MIN).acknowledged_by == "anna"
    assert steps(state, T0 + 60 * MIN) == []
    assert next_wakeup(state, T0, policies=POLICIES, directory=DIRECTORY) is None
    fresh, _ = run(start(), T0)
    assert steps(fresh, T0 + 60 * MIN, ack=T0 + 10 * MIN) == []


def test_sla_breach_jumps_to_deputy_and_keeps_climbing() -> None:
    state, _ = run(start(), T0)
    state = apply_sla(state, SlaState.breached, T0 + 5 * MIN)
    assert apply_sla(state, SlaState.breached, T0 + 7 * MIN) == state  # redelivered event
    due = steps(state, T0 + 5 * MIN)
    assert [(s.level, s.trigger, s.kind) for s in due] == [
        (Level.deputy, "sla.breached", "escalate")
    ]
    state = mark_done(state, due[0].key)
    assert steps(state, T0 + 44 * MIN) == []  # deputy not notified again at 15 min
    assert [s.level for s in steps(state, T0 + 45 * MIN)] == [Level.team_head]


def test_sla_due_soon_reminds_the_current_level() -> None:
    state, _ = run(start(), T0)
    state = apply_sla(state, SlaState.due_soon, T0 + 5 * MIN, due_at=T0 + 65 * MIN)
    due = steps(state, T0 + 5 * MIN)
    assert [(s.key, s.recipient_id, s.kind) for s in due] == [
        ("esc-1:sla.due_soon", "anna", "reminder")
    ]


def test_breached_policy_can_jump_higher_and_missing_deputy_is_skipped() -> None:
    policies = PolicySet(
        by_sla={SlaState.breached: EscalationPolicy(breached_level=Level.team_head)}
    )
    state, _ = run(start(), T0)
    state = apply_sla(state, SlaState.breached, T0 + 2 * MIN)
    due = next_steps(state, T0 + 2 * MIN, policies=policies, directory=DIRECTORY)
    assert [s.level for s in due] == [Level.deputy, Level.team_head]
    no_deputy = open_escalation("e2", owner_id="boris", started_at=T0)
    due = next_steps(
        apply_sla(no_deputy, SlaState.breached, T0), T0, policies=POLICIES, directory=DIRECTORY
    )
    assert [(s.level, s.recipient_id) for s in due] == [
        (Level.owner, "boris"),
        (Level.team_head, "vera"),
    ]


def test_policy_per_sentiment_and_sla_met_closes() -> None:
    policies = PolicySet(
        by_sentiment={Sentiment.neutral: EscalationPolicy(steps=[LadderStep(level=Level.owner)])}
    )
    state = open_escalation("e3", owner_id="anna", started_at=T0, sentiment=Sentiment.neutral)
    due = next_steps(state, T0 + 600 * MIN, policies=policies, directory=DIRECTORY)
    assert [s.level for s in due] == [Level.owner]
    met = apply_sla(start(), SlaState.met, T0 + MIN)
    assert steps(met, T0 + 60 * MIN) == []


def test_quiet_hours_defer_not_drop() -> None:
    state = start(NIGHT)
    due = steps(state, NIGHT)
    assert len(due) == 1 and due[0].deferred
    assert due[0].send_at == datetime(2025, 1, 7, 5, 0, tzinfo=UTC)  # 08:00 Moscow
    assert due[0].reason == "quiet hours"
    assert next_wakeup(state, NIGHT, policies=POLICIES, directory=DIRECTORY) == NIGHT + 15 * MIN
    # The deputy (no quiet hours) is not deferred; anna's step is still pending at 08:00.
    state, sent = run(state, NIGHT + 15 * MIN)
    assert sent == [("deputy", "boris")]
    morning = datetime(2025, 1, 7, 5, 0, tzinfo=UTC)
    due = [s for s in steps(state, morning) if s.level == Level.owner]
    assert due and not due[0].deferred and due[0].send_at == morning


def test_quiet_hours_overridden_when_sla_at_risk() -> None:
    at_risk = start(NIGHT, sla_due_at=NIGHT + 20 * MIN)  # margin is 30 min
    due = steps(at_risk, NIGHT)
    assert not due[0].deferred and "SLA at risk" in due[0].reason
    relaxed = start(NIGHT, sla_due_at=NIGHT + 3 * 60 * MIN)
    assert steps(relaxed, NIGHT)[0].deferred
    # Deferred until the SLA margin is reached: the wakeup says when to look again.
    assert next_wakeup(relaxed, NIGHT, policies=POLICIES, directory=DIRECTORY) == NIGHT + 15 * MIN
    breached = apply_sla(relaxed, SlaState.breached, NIGHT + MIN)
    assert not steps(breached, NIGHT + MIN)[0].deferred


def test_quiet_hours_windows() -> None:
    anna = DIRECTORY.people["anna"]
    assert anna.quiet_until(T0) is None
    assert anna.quiet_until(datetime(2025, 1, 7, 1, 0, tzinfo=UTC)) == datetime(
        2025, 1, 7, 5, 0, tzinfo=UTC
    )
    weekend = Person(
        id="p", name="P", quiet_hours=[TimeWindow(start=time(0), end=time(23, 59), days=[6, 7])]
    )
    saturday = datetime(2025, 1, 11, 12, 0, tzinfo=UTC)
    assert weekend.quiet_until(saturday) == datetime(2025, 1, 11, 23, 59, tzinfo=UTC)
    with pytest.raises(ValueError):
        weekend.quiet_until(datetime(2025, 1, 11, 12, 0))


SECRET = b"0123456789abcdef0123456789abcdef"


def test_ack_token_roundtrip_and_url() -> None:
    token = create_ack_token(SECRET, "esc.1/ä", T0 + 60 * MIN)
    assert verify_ack_token(SECRET, token, T0) == "esc.1/ä"
    assert ack_url("https://x.example/ack/", token).startswith("https://x.example/ack/")


def test_ack_token_tamper_and_expiry() -> None:
    token = create_ack_token(SECRET, "esc-1", T0 + 60 * MIN)
    raw_id, exp, sig = token.split(".")
    other = create_ack_token(SECRET, "esc-2", T0 + 60 * MIN).split(".")[0]
    cases = {
        "invalid signature": [
            f"{other}.{exp}.{sig}",
            f"{raw_id}.{int(exp) + 3600}.{sig}",
            f"{raw_id}.{exp}.{sig[:-2]}AA",
        ],
        "malformed token": ["", "a.b", f"{raw_id}.soon.{sig}", f"{raw_id}.{exp}.{sig}.x"],
    }
    for reason, tokens in cases.items():
        for bad in tokens:
            with pytest.raises(AckTokenError) as info:
                verify_ack_token(SECRET, bad, T0)
            assert info.value.reason == reason, bad
    with pytest.raises(AckTokenError, match="invalid signature"):
        verify_ack_token(b"another-secret-of-32-bytes-long!", token, T0)
    with pytest.raises(AckTokenError, match="expired"):
        verify_ack_token(SECRET, token, T0 + 60 * MIN)
    with pytest.raises(ValueError):
        create_ack_token(b"short", "esc-1", T0)
