"""Escalation ladders as a pure state machine.

owner at once → deputy after X min unacknowledged → team head after Y min. SLA events
from the responder climb the same ladder (breached jumps to at least the deputy).
`next_steps` is a pure function of (state, now): the caller sends what it returns,
then persists each sent step's `key` into `done_keys`, so after a restart nothing is
sent twice and nothing is lost. Quiet hours defer a step (never drop it) unless the
SLA is at risk.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.alerts.owner.schemas import DirectoryIndex
from shared.events import Sentiment, SlaState


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(StrEnum):
    owner = "owner"
    deputy = "deputy"
    team_head = "team_head"


LEVELS: tuple[Level, ...] = (Level.owner, Level.deputy, Level.team_head)


def _rank(level: Level) -> int:
    return LEVELS.index(level)


class LadderStep(_Model):
    level: Level
    #: Time after the escalation opened; pydantic accepts seconds or ISO 8601 ("PT15M").
    after: timedelta = timedelta(0)

    @field_validator("after")
    @classmethod
    def _non_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("after must not be negative")
        return value


def _default_steps() -> list[LadderStep]:
    return [
        LadderStep(level=Level.owner, after=timedelta(0)),
        LadderStep(level=Level.deputy, after=timedelta(minutes=15)),
        LadderStep(level=Level.team_head, after=timedelta(minutes=45)),
    ]


class EscalationPolicy(_Model):
    steps: list[LadderStep] = Field(default_factory=_default_steps)
    #: Lowest ladder level an SLA event reaches at once.
    due_soon_level: Level = Level.owner
    breached_level: Level = Level.deputy
    #: Quiet hours are overridden when the SLA is due within this margin (or breached).
    quiet_hours_sla_margin: timedelta = timedelta(minutes=30)

    @model_validator(mode="after")
    def _ordered(self) -> EscalationPolicy:
        levels = [s.level for s in self.steps]
        if not levels or levels[0] != Level.owner:
            raise ValueError("steps must start with the owner step")
        if len(set(levels)) != len(levels):
            raise ValueError("each level may appear once in steps")
        if [_rank(lv) for lv in levels] != sorted(_rank(lv) for lv in levels):
            raise ValueError("steps must go owner → deputy → team_head")
        afters = [s.after for s in self.steps]
        if afters != sorted(afters):
            raise ValueError("step times must not decrease up the ladder")
        return self


class PolicySet(_Model):
    """Policies per SLA state (checked first) and per sentiment, with a default."""

    default: EscalationPolicy = Field(default_factory=EscalationPolicy)
    by_sentiment: dict[Sentiment, EscalationPolicy] = Field(default_factory=dict)
    by_sla: dict[SlaState, EscalationPolicy] = Field(default_factory=dict)

    def select(self, sentiment: Sentiment | None, sla: SlaState | None) -> EscalationPolicy:
        if sla is not None and sla in self.by_sla:
            return self.by_sla[sla]
        if sentiment is not None and sentiment in self.by_sentiment:
            return self.by_sentiment[sentiment]
        return self.default


class SlaMark(_Model):
    state: SlaState
    at: datetime


class EscalationState(_Model):
    """Everything the ladder needs; plain data so the caller can persist it as JSON."""

    escalation_id: str = Field(min_length=1, max_length=128)
    owner_id: str
    team_id: str | None = None
    mention_id: str | None = None
    sentiment: Sentiment | None = None
    started_at: datetime
    sla_marks: tuple[SlaMark, ...] = ()
    sla_due_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    done_keys: frozenset[str] = frozenset()

    @property
    def sla_state(self) -> SlaState | None:
        return self.sla_marks[-1].state if self.sla_marks else None

    @property
    def closed(self) -> bool:
        return self.acknowledged_at is not None or self.sla_state == SlaState.met


Trigger = Literal["ladder", "sla.due_soon", "sla.breached"]
_SLA_TRIGGER: dict[SlaState, Trigger] = {
    SlaState.due_soon: "sla.due_soon",
    SlaState.breached: "sla.breached",
}


class Step(_Model):
    key: str
    escalation_id: str
    level: Level
    recipient_id: str
    #: "escalate" raises the ladder to `level`; "reminder" re-notifies on an SLA change.
    kind: Literal["escalate", "reminder"]
    trigger: Trigger
    due_at: datetime
    #: When to actually send: `due_at`/now, or the end of the recipient's quiet hours.
    send_at: datetime
    deferred: bool = False
    reason: str = ""


# --- state transitions (pure) ------------------------------------------------------------


def open_escalation(
    escalation_id: str,
    *,
    owner_id: str,
    started_at: datetime,
    team_id: str | None = None,
    mention_id: str | None = None,
    sentiment: Sentiment | None = None,
    sla_due_at: datetime | None = None,
) -> EscalationState:
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    return EscalationState(
        escalation_id=escalation_id,
        owner_id=owner_id,
        team_id=team_id,
        mention_id=mention_id,
        sentiment=sentiment,
        started_at=started_at,
        sla_due_at=sla_due_at,
    )


def apply_sla(
    state: EscalationState, sla: SlaState, at: datetime, due_at: datetime | None = None
) -> EscalationState:
    """Record an SLA change; a repeated state (redelivered event) changes nothing."""
    if any(m.state == sla for m in state.sla_marks):
        return state
    return state.model_copy(
        update={
            "sla_marks": (*state.sla_marks, SlaMark(state=sla, at=at)),
            "sla_due_at": due_at or state.sla_due_at,
        }
    )


def acknowledge(state: EscalationState, by: str, at: datetime) -> EscalationState:
    """Stop the climb; the first acknowledgement wins (idempotent)."""
    if state.acknowledged_at is not None:
        return state
    return state.model_copy(update={"acknowledged_at": at, "acknowledged_by": by})


def mark_done(state: EscalationState, *keys: str) -> EscalationState:
    return state.model_copy(update={"done_keys": state.done_keys | set(keys)})


# --- planning ------------------------------------------------------------------------------


def recipients(state: EscalationState, directory: DirectoryIndex) -> dict[Level, str]:
    """Who stands on each level; unknown/inactive people and repeats are skipped."""
    candidates = {
        Level.owner: state.owner_id,
        Level.deputy: directory.deputy_of(state.owner_id),
        Level.team_head: directory.head_of(state.owner_id, state.team_id),
    }
    out: dict[Level, str] = {}
    for level in LEVELS:
        pid = candidates[level]
        if not pid or pid in out.values():
            continue
        person = directory.person(pid)
        if level != Level.owner and (person is None or not person.active):
            continue
        out[level] = pid
    return out


def _floor(wanted: Level, available: dict[Level, str]) -> Level:
    """The lowest staffed level at or above `wanted` (or the highest staffed one)."""
    for level in LEVELS[_rank(wanted) :]:
        if level in available:
            return level
    return max(available, key=_rank)


def _plan(state: EscalationState, policy: EscalationPolicy, people: dict[Level, str]) -> list[Step]:
    """Every step the escalation will ever produce, with its due time (ignores `now`)."""
    floors = [
        (
            mark,
            _floor(
                policy.breached_level if mark.state == SlaState.breached else policy.due_soon_level,
                people,
            ),
        )
        for mark in state.sla_marks
        if mark.state in _SLA_TRIGGER
    ]
    steps: dict[Level, Step] = {}
    for ladder in policy.steps:
        if ladder.level not in people:
            continue
        due = state.started_at + ladder.after
        trigger: Trigger = "ladder"
        for mark, floor in floors:
            if _rank(ladder.level) <= _rank(floor) and mark.at < due:
                due, trigger = mark.at, _SLA_TRIGGER[mark.state]
        steps[ladder.level] = Step(
            key=f"{state.escalation_id}:{ladder.level.value}",
            escalation_id=state.escalation_id,
            level=ladder.level,
            recipient_id=people[ladder.level],
            kind="escalate",
            trigger=trigger,
            due_at=due,
            send_at=due,
        )
    plan = list(steps.values())
    for mark, _ in floors:
        reached = [s for s in plan if s.kind == "escalate" and s.due_at <= mark.at]
        if not reached:
            continue
        top = max(reached, key=lambda s: _rank(s.level))
        if top.trigger == _SLA_TRIGGER[mark.state] and top.due_at == mark.at:
            continue  # the escalation step itself carries this SLA news
        plan.append(
            Step(
                key=f"{state.escalation_id}:sla.{mark.state.value}",
                escalation_id=state.escalation_id,
                level=top.level,
                recipient_id=top.recipient_id,
                kind="reminder",
                trigger=_SLA_TRIGGER[mark.state],
                due_at=mark.at,
                send_at=mark.at,
            )
        )
    return sorted(plan, key=lambda s: (s.due_at, _rank(s.level), s.key))


def sla_at_risk(state: EscalationState, now: datetime, margin: timedelta) -> bool:
    if any(m.state == SlaState.breached for m in state.sla_marks):
        return True
    return state.sla_due_at is not None and state.sla_due_at - now <= margin


def next_steps(
    state: EscalationState,
    now: datetime,
    ack: datetime | None = None,
    *,
    policies: PolicySet,
    directory: DirectoryIndex,
) -> list[Step]:
    """Steps due at `now` and not yet done, in order.

    A step with `deferred=True` must not be sent before `send_at` (quiet hours); keep it
    pending and call again then (`next_wakeup` tells when). Send the others now and mark
    their keys done. `ack` is an acknowledgement not yet folded into `state`.
    """
    if state.closed or (ack is not None and ack <= now):
        return []
    policy = policies.select(state.sentiment, state.sla_state)
    people = recipients(state, directory)
    risk = sla_at_risk(state, now, policy.quiet_hours_sla_margin)
    out: list[Step] = []
    for step in _plan(state, policy, people):
        if step.due_at > now or step.key in state.done_keys:
            continue
        person = directory.person(step.recipient_id)
        quiet_end = person.quiet_until(now) if person else None
        if quiet_end is None:
            out.append(step.model_copy(update={"send_at": now}))
        elif risk:
            out.append(
                step.model_copy(
                    update={"send_at": now, "reason": "quiet hours overridden: SLA at risk"}
                )
            )
        else:
            out.append(
                step.model_copy(
                    update={"send_at": quiet_end, "deferred": True, "reason": "quiet hours"}
                )
            )
    return out


def next_wakeup(
    state: EscalationState, now: datetime, *, policies: PolicySet, directory: DirectoryIndex
) -> datetime | None:
    """The earliest future moment at which `next_steps` may return something new."""
    if state.closed:
        return None
    policy = policies.select(state.sentiment, state.sla_state)
    times: list[datetime] = []
    pending = [
        s
        for s in _plan(state, policy, recipients(state, directory))
        if s.key not in state.done_keys
    ]
    times += [s.due_at for s in pending if s.due_at > now]
    deferred = [
        s for s in next_steps(state, now, policies=policies, directory=directory) if s.deferred
    ]
    times += [s.send_at for s in deferred]
    if deferred and state.sla_due_at is not None:
        risk_at = state.sla_due_at - policy.quiet_hours_sla_margin
        if risk_at > now:
            times.append(risk_at)
    return min(times) if times else None
