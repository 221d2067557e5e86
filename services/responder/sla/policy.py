"""SLA deadline arithmetic and the "which SLA event is due now" decision, as pure functions.

The deadline is computed once, when a queue item opens, and stored: later policy edits do
not move deadlines already promised. Without a calendar the clock is wall time
(`published_at + hours`). With a business calendar only working time counts: working days
and hours in the calendar's IANA zone, minus holidays, plus transferred working days. All
arithmetic is done on aware datetimes converted per day from local wall time, so a DST
switch changes how long a *night* is, never how long a working day is.

Due-soon leads are measured in the same clock as the deadline: with a calendar, "4 h
before" means 4 business hours before, so a Monday-morning deadline warns on Friday
afternoon, while people are at work, not at 6 a.m. on Monday.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.events import SlaState

#: Search horizon for business time: a calendar with no working time at all must fail
#: loudly instead of looping forever.
_MAX_DAYS = 3 * 366

DEFAULT_HOURS = 24.0
DEFAULT_LEADS: tuple[timedelta, ...] = (timedelta(hours=4), timedelta(hours=1))


def _utc(value: datetime, name: str) -> datetime:
    """Aware → UTC. Python adds and subtracts datetimes sharing a ZoneInfo in *wall* time
    (Berlin 12:00 + 24 h on a DST night is 23 real hours), so all arithmetic runs in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working time: `start`..`end` local time on working days, in zone `tz`.

    `end == time(0)` means midnight at the end of the day (a 24 h working day).
    `holidays` are days off even on a working weekday; `extra_workdays` are working days
    even on a weekend (Russian transferred Saturdays). Shifts across midnight are not
    supported.
    """

    tz: str = "Europe/Moscow"
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0
    start: time = time(9, 0)
    end: time = time(18, 0)
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        ZoneInfo(self.tz)  # unknown zone -> ZoneInfoNotFoundError at configuration time
        if self.end != time(0) and self.end <= self.start:
            raise ValueError("business hours must end after they start (same day)")
        if not all(0 <= d <= 6 for d in self.workdays):
            raise ValueError("workdays are 0 (Monday) .. 6 (Sunday)")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() in self.workdays

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working interval of a local day as aware UTC datetimes, or None for a day off."""
        if not self.is_workday(day):
            return None
        zone = self.zone
        opens = datetime.combine(day, self.start, tzinfo=zone)
        if self.end == time(0):
            closes = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        else:
            closes = datetime.combine(day, self.end, tzinfo=zone)
        return opens.astimezone(UTC), closes.astimezone(UTC)

    def windows_from(
        self, moment: datetime, *, backwards: bool = False
    ) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals starting with the local day of `moment`, forwards or backwards."""
        day = moment.astimezone(self.zone).date()
        step = timedelta(days=-1 if backwards else 1)
        for _ in range(_MAX_DAYS):
            win = self.window(day)
            if win is not None:
                yield win
            day += step
        raise ValueError(f"no working time within {_MAX_DAYS} days: check the calendar")

    def is_open(self, moment: datetime) -> bool:
        moment = _utc(moment, "moment")
        win = self.window(moment.astimezone(self.zone).date())
        return win is not None and win[0] <= moment < win[1]


def add_business_time(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    """The moment (UTC) after `duration` of working time from `start` (negative: before)."""
    start = _utc(start, "start")
    if duration == timedelta(0):
        return start
    if duration < timedelta(0):
        return _subtract_business_time(start, -duration, calendar)
    remaining = duration
    for opens, closes in calendar.windows_from(start):
        begin = max(start, opens)
        if begin >= closes:
            continue
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable")  # windows_from raises first


def _subtract_business_time(
    start: datetime, duration: timedelta, calendar: BusinessCalendar
) -> datetime:
    remaining = duration
    for opens, closes in calendar.windows_from(start, backwards=True):
        finish = min(start, closes)
        if finish <= opens:
            continue
        available = finish - opens
        if remaining <= available:
            return finish - remaining
        remaining -= available
    raise AssertionError("unreachable")


def business_time_between(a: datetime, b: datetime, calendar: BusinessCalendar) -> timedelta:
    """Working time from `a` to `b` (negative when `b` is before `a`)."""
    a, b = _utc(a, "a"), _utc(b, "b")
    if b < a:
        return -business_time_between(b, a, calendar)
    total = timedelta(0)
    for opens, closes in calendar.windows_from(a):
        if opens >= b:
            break
        lo, hi = max(a, opens), min(b, closes)
        if hi > lo:
            total += hi - lo
    return total


@dataclass(frozen=True)
class SlaPolicy:
    """How long a team has to answer: hours per platform, optional calendar, warning leads."""

    default_hours: float = DEFAULT_HOURS
    platform_hours: Mapping[str, float] = field(default_factory=dict)
    calendar: BusinessCalendar | None = None
    #: Per-platform calendars (a marketplace team and an app team may keep different hours).
    platform_calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    due_soon_leads: tuple[timedelta, ...] = DEFAULT_LEADS

    def __post_init__(self) -> None:
        if self.default_hours <= 0 or any(h <= 0 for h in self.platform_hours.values()):
            raise ValueError("SLA hours must be positive")
        if any(lead <= timedelta(0) for lead in self.due_soon_leads):
            raise ValueError("due-soon leads must be positive")

    def hours_for(self, platform: str) -> float:
        return self.platform_hours.get(platform, self.default_hours)

    def calendar_for(self, platform: str) -> BusinessCalendar | None:
        return self.platform_calendars.get(platform, self.calendar)


def compute_due_at(published_at: datetime, platform: str, policy: SlaPolicy) -> datetime:
    """The deadline (UTC) to store when the item opens."""
    published_at = _utc(published_at, "published_at")
    budget = timedelta(hours=policy.hours_for(platform))
    calendar = policy.calendar_for(platform)
    if calendar is None:
        return published_at + budget
    return add_business_time(published_at, budget, calendar)


def remaining_time(
    now: datetime, due_at: datetime, calendar: BusinessCalendar | None = None
) -> timedelta:
    """Time left on the SLA's clock (negative once breached): the UI countdown."""
    now, due_at = _utc(now, "now"), _utc(due_at, "due_at")
    if calendar is None:
        return due_at - now
    return business_time_between(now, due_at, calendar)


@dataclass(frozen=True)
class SlaEvent:
    """One SLA event due now; `key` is what the caller stores to send it only once."""

    state: SlaState
    key: str
    due_at: datetime
    lead_seconds: int | None = None


def event_key(state: SlaState, lead: timedelta | None = None) -> str:
    """Stable key for the once-only record: 'due_soon:14400', 'breached', 'met'."""
    if state is SlaState.due_soon:
        if lead is None:
            raise ValueError("due_soon needs its lead")
        return f"due_soon:{int(lead.total_seconds())}"
    return state.value


def due_soon_at(due_at: datetime, lead: timedelta, calendar: BusinessCalendar | None) -> datetime:
    """When (UTC) the warning for `lead` fires."""
    due_at = _utc(due_at, "due_at")
    if calendar is None:
        return due_at - lead
    return add_business_time(due_at, -lead, calendar)


def due_events(
    *,
    now: datetime,
    due_at: datetime,
    sent: Collection[str],
    leads: Iterable[timedelta] = DEFAULT_LEADS,
    calendar: BusinessCalendar | None = None,
    answered_at: datetime | None = None,
) -> list[SlaEvent]:
    """The SLA events to publish now, each at most once over the item's life.

    - answered on time -> `met` once; answered late -> `breached` if not sent yet.
    - past the deadline -> `breached` once; pending due-soon warnings are dropped.
    - otherwise -> the tightest due-soon lead whose moment has come; a looser lead is never
      sent after a tighter one (after downtime, only the most urgent warning goes out).
    """
    now, due_at = _utc(now, "now"), _utc(due_at, "due_at")
    sent_keys = set(sent)
    breached = event_key(SlaState.breached)
    if answered_at is not None:
        answered_at = _utc(answered_at, "answered_at")
        if answered_at <= due_at:
            met = event_key(SlaState.met)
            return [] if met in sent_keys else [SlaEvent(SlaState.met, met, due_at)]
        return [] if breached in sent_keys else [SlaEvent(SlaState.breached, breached, due_at)]
    if now >= due_at:
        return [] if breached in sent_keys else [SlaEvent(SlaState.breached, breached, due_at)]

    ordered = sorted(set(leads))  # tightest first
    sent_leads = [lead for lead in ordered if event_key(SlaState.due_soon, lead) in sent_keys]
    tightest_sent = sent_leads[0] if sent_leads else None
    for lead in ordered:
        if tightest_sent is not None and lead >= tightest_sent:
            break
        if now >= due_soon_at(due_at, lead, calendar):
            key = event_key(SlaState.due_soon, lead)
            return [SlaEvent(SlaState.due_soon, key, due_at, int(lead.total_seconds()))]
    return []


def next_check_at(
    *,
    due_at: datetime,
    sent: Collection[str],
    leads: Iterable[timedelta] = DEFAULT_LEADS,
    calendar: BusinessCalendar | None = None,
) -> datetime | None:
    """When the next event for an open item could fire (for a sweep's scheduling)."""
    due_at = _utc(due_at, "due_at")
    sent_keys = set(sent)
    if event_key(SlaState.breached) in sent_keys:
        return None
    ordered = sorted(set(leads))
    sent_leads = [lead for lead in ordered if event_key(SlaState.due_soon, lead) in sent_keys]
    candidates = [
        due_soon_at(due_at, lead, calendar)
        for lead in ordered
        if not sent_leads or lead < sent_leads[0]
    ]
    return min([*candidates, due_at])
