"""People and teams: who is responsible, how to reach them, and when not to wake them.

Pure pydantic models plus time helpers (working hours, quiet hours) so that the routing
and escalation logic can be tested with a fixed clock and no database.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from services.alerts import channel  # noqa: F401  (registers every channel module)
from services.alerts.channel.contract import spec_for, specs

_ID = r"^[A-Za-z0-9_.\-]+$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    agent = "agent"


class ContactsBase(_Model):
    """Where one person can be reached; one optional key per registered channel."""

    @model_validator(mode="before")
    @classmethod
    def _former_keys(cls, data: Any) -> Any:
        """A directory written with a channel's former contact key still loads."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for spec in specs():
            for key in spec.former_keys:
                if key in out:
                    value = out.pop(key)
                    out.setdefault(spec.contact_key, value)
        return out

    def channels(self) -> list[str]:
        """Configured channels, in the registry's order (the order notifications try them)."""
        return [spec.kind for spec in specs() if getattr(self, spec.contact_key, None)]

    def target(self, kind: str) -> str | None:
        """The person's address on that channel (chat id, URL, e-mail), if any."""
        spec = spec_for(kind)
        value = getattr(self, spec.contact_key, None) if spec else None
        return str(value) if value else None


def _contacts_model() -> type[ContactsBase]:
    """`Contacts` with a validated field per registered channel (`contact_key`, `pattern`)."""
    fields: dict[str, Any] = {
        spec.contact_key: (
            str | None,
            Field(default=None, max_length=spec.max_length, pattern=spec.pattern),
        )
        for spec in specs()
    }
    return create_model("Contacts", __base__=ContactsBase, __module__=__name__, **fields)


if TYPE_CHECKING:
    Contacts = ContactsBase
else:
    Contacts = _contacts_model()


class TimeWindow(_Model):
    """A daily local-time window; `end <= start` means it wraps past midnight."""

    start: time
    end: time
    #: ISO weekdays (1 = Monday … 7 = Sunday) on which the window *starts*.
    days: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7])

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if not value or any(d < 1 or d > 7 for d in value):
            raise ValueError("days must be ISO weekdays 1..7 (Monday = 1)")
        return sorted(set(value))

    @model_validator(mode="after")
    def _not_empty(self) -> TimeWindow:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self

    def occurrence(self, local: datetime) -> tuple[datetime, datetime] | None:
        """The window occurrence containing `local` (aware, in the person's zone), if any."""
        for offset in (0, -1):  # today's window, or yesterday's one wrapping past midnight
            day = local.date() + timedelta(days=offset)
            if day.isoweekday() not in self.days:
                continue
            begin = datetime.combine(day, self.start, tzinfo=local.tzinfo)
            end_day = day if self.end > self.start else day + timedelta(days=1)
            finish = datetime.combine(end_day, self.end, tzinfo=local.tzinfo)
            if begin <= local < finish:
                return begin, finish
        return None


class Person(_Model):
    id: str = Field(min_length=1, max_length=64, pattern=_ID)
    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.agent
    contacts: Contacts = Field(default_factory=Contacts)
    #: IANA time zone name, e.g. "Europe/Moscow"; working and quiet hours are local to it.
    timezone: str = "UTC"
    working_hours: list[TimeWindow] = Field(default_factory=list)
    quiet_hours: list[TimeWindow] = Field(default_factory=list)
    deputy_id: str | None = Field(default=None, max_length=64, pattern=_ID)
    active: bool = True

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _deputy_not_self(self) -> Person:
        if self.deputy_id == self.id:
            raise ValueError("a person cannot be their own deputy")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working(self, now: datetime) -> bool:
        """True in working hours; no working hours configured means always reachable."""
        if not self.working_hours:
            return True
        local = now.astimezone(self.zone)
        return any(w.occurrence(local) for w in self.working_hours)

    def quiet_until(self, now: datetime) -> datetime | None:
        """End of the quiet period `now` falls in (UTC-aware), or None when not quiet.

        Adjacent or overlapping windows are chained so the result is a time that is
        itself outside every quiet window.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        current = now.astimezone(self.zone)
        found: datetime | None = None
        for _ in range(len(self.quiet_hours) * 2 + 1):
            ends = [occ[1] for w in self.quiet_hours if (occ := w.occurrence(current))]
            if not ends:
                break
            current = max(ends)
            found = current
        return found.astimezone(now.tzinfo) if found else None


class Team(_Model):
    id: str = Field(min_length=1, max_length=64, pattern=_ID)
    name: str = Field(min_length=1, max_length=200)
    head_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    members: list[str] = Field(default_factory=list)


class DirectoryIndex(_Model):
    """People and teams looked up by id: what escalation needs to find deputies and heads."""

    people: dict[str, Person] = Field(default_factory=dict)
    teams: dict[str, Team] = Field(default_factory=dict)

    @classmethod
    def build(cls, people: list[Person], teams: list[Team]) -> DirectoryIndex:
        return cls(people={p.id: p for p in people}, teams={t.id: t for t in teams})

    def person(self, person_id: str | None) -> Person | None:
        return self.people.get(person_id) if person_id else None

    def deputy_of(self, person_id: str) -> str | None:
        person = self.people.get(person_id)
        return person.deputy_id if person else None

    def team_of(self, person_id: str) -> Team | None:
        """The first team (by id) listing the person as member or head."""
        for team_id in sorted(self.teams):
            team = self.teams[team_id]
            if person_id in team.members or person_id == team.head_id:
                return team
        return None

    def head_of(self, person_id: str, team_id: str | None = None) -> str | None:
        team = self.teams.get(team_id) if team_id else None
        team = team or self.team_of(person_id)
        return team.head_id if team else None
