"""SLA arithmetic: wall clock, business calendars (weekends, holidays, DST, zones), events."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.responder.sla import (
    BusinessCalendar,
    SlaPolicy,
    add_business_time,
    business_time_between,
    compute_due_at,
    due_events,
    due_soon_at,
    next_check_at,
    remaining_time,
)
from shared.events import SlaState

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def msk(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=MSK)


OFFICE = BusinessCalendar(tz="Europe/Moscow")  # Mon-Fri 09:00-18:00


# --- wall clock -------------------------------------------------------------------------


def test_default_is_published_plus_24h_and_per_platform_hours():
    published = datetime(2025, 3, 1, 10, tzinfo=UTC)
    policy = SlaPolicy(platform_hours={"google_play": 48})
    assert compute_due_at(published, "wildberries", policy) == published + 24 * H
    assert compute_due_at(published, "google_play", policy) == published + 48 * H


def test_wall_clock_over_dst_is_24_real_hours():
    published = datetime(2025, 3, 29, 12, tzinfo=BERLIN)  # clocks go forward that night
    due = compute_due_at(published, "wb", SlaPolicy())
    assert due.tzinfo is UTC
    assert due - published.astimezone(UTC) == 24 * H
    assert due.astimezone(BERLIN).hour == 13  # one local hour "lost"
    # The trap this guards against: Python adds in wall time within one ZoneInfo.
    assert (published + 24 * H).astimezone(BERLIN).hour == 12


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_due_at(datetime(2025, 3, 1), "wb", SlaPolicy())


# --- business calendar -------------------------------------------------------------------


def test_friday_evening_rolls_over_the_weekend():
    policy = SlaPolicy(calendar=OFFICE)
    due = compute_due_at(msk(2025, 3, 7, 17), "wb", policy)  # Friday 17:00
    # Fri 1 h + Mon 9 h + Tue 9 h + Wed 5 h
    assert due == msk(2025, 3, 12, 14)


def test_weekend_and_before_opening_start_at_opening():
    policy = SlaPolicy(calendar=OFFICE, default_hours=9)
    assert compute_due_at(msk(2025, 3, 8, 12), "wb", policy) == msk(2025, 3, 10, 18)  # Saturday
    assert compute_due_at(msk(2025, 3, 10, 7), "wb", policy) == msk(2025, 3, 10, 18)  # 07:00
    assert compute_due_at(msk(2025, 3, 10, 18), "wb", policy) == msk(2025, 3, 11, 18)  # closed


def test_holidays_are_skipped_and_transferred_saturdays_count():
    cal = BusinessCalendar(
        tz="Europe/Moscow",
        holidays=frozenset({date(2025, 11, 3), date(2025, 11, 4)}),
        extra_workdays=frozenset({date(2025, 11, 1)}),  # a working Saturday
    )
    policy = SlaPolicy(calendar=cal, default_hours=9)
    # Friday 31 Oct 14:00: 4 h Friday, 5 h on the working Saturday.
    assert compute_due_at(msk(2025, 10, 31, 14), "wb", policy) == msk(2025, 11, 1, 14)
    # Saturday 15:00: 3 h Saturday, then Monday and Tuesday are holidays -> Wednesday 15:00.
    assert compute_due_at(msk(2025, 11, 1, 15), "wb", policy) == msk(2025, 11, 5, 15)


def test_new_year_holidays():
    cal = BusinessCalendar(
        tz="Europe/Moscow", holidays=frozenset(date(2026, 1, d) for d in range(1, 9))
    )
    due = compute_due_at(msk(2025, 12, 31, 17), "wb", SlaPolicy(calendar=cal))
    # Wed 31 Dec 1 h, then Fri 9 Jan 9 h, Mon 12 Jan 9 h, Tue 13 Jan 5 h.
    assert due == msk(2026, 1, 13, 14)


def test_business_hours_across_spring_dst():
    cal = BusinessCalendar(tz="Europe/Berlin")
    start = datetime(2025, 3, 28, 16, tzinfo=BERLIN)  # Friday, CET
    due = add_business_time(start, 8 * H, cal)  # 2 h Friday, 6 h Monday (CEST)
    local = due.astimezone(BERLIN)
    assert (local.date(), local.time()) == (date(2025, 3, 31), time(15))
    assert due.astimezone(UTC) == datetime(2025, 3, 31, 13, tzinfo=UTC)


def test_round_the_clock_calendar_equals_wall_clock_across_fall_back():
    always = BusinessCalendar(
        tz="Europe/Berlin", workdays=frozenset(range(7)), start=time(0), end=time(0)
    )
    start = datetime(2025, 10, 25, 12, tzinfo=BERLIN)  # the night after has 25 hours
    due = add_business_time(start, 24 * H, always)
    assert due - start.astimezone(UTC) == 24 * H
    assert due.astimezone(BERLIN).hour == 11
    assert business_time_between(start, due, always) == 24 * H


def test_time_zone_of_the_calendar_decides():
    published = datetime(2025, 3, 3, 6, tzinfo=UTC)  # Monday 09:00 MSK, 16:00 Vladivostok
    moscow = add_business_time(published, 4 * H, BusinessCalendar(tz="Europe/Moscow"))
    vlad = add_business_time(published, 4 * H, BusinessCalendar(tz="Asia/Vladivostok"))
    assert moscow == datetime(2025, 3, 3, 10, tzinfo=UTC)
    assert vlad == datetime(2025, 3, 4, 1, tzinfo=UTC)  # 2 h Monday + 2 h Tuesday 09-11


def test_per_platform_calendar():
    night_team = BusinessCalendar(tz="Asia/Vladivostok")
    policy = SlaPolicy(calendar=OFFICE, platform_calendars={"google_play": night_team})
    published = datetime(2025, 3, 3, 6, tzinfo=UTC)
    assert compute_due_at(published, "google_play", policy) != compute_due_at(
        published, "wb", policy
    )


def test_bad_calendars_are_refused():
    with pytest.raises(ValueError):
        BusinessCalendar(start=time(18), end=time(9))
    with pytest.raises(Exception):  # noqa: B017 - ZoneInfoNotFoundError
        BusinessCalendar(tz="Mars/Olympus")
    never = BusinessCalendar(workdays=frozenset())
    with pytest.raises(ValueError, match="no working time"):
        add_business_time(msk(2025, 3, 3, 9), H, never)


def test_business_time_properties_hold_over_random_cases():
    """Round trips and bounds over two years of starts, with DST and holidays in play."""
    rng = random.Random(5)
    cal = BusinessCalendar(
        tz="Europe/Berlin",
        holidays=frozenset({date(2025, 12, 25), date(2025, 12, 26), date(2026, 4, 3)}),
        extra_workdays=frozenset({date(2025, 11, 1)}),
    )
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    for _ in range(300):
        start = origin + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        if rng.random() < 0.5:
            start = start.astimezone(BERLIN)  # local inputs must not switch to wall-time math
        duration = timedelta(minutes=rng.randrange(1, 60 * 60))
        end = add_business_time(start, duration, cal)
        assert end > start
        assert business_time_between(start, end, cal) == duration
        # The deadline lands inside working time or exactly at a closing time.
        assert cal.is_open(end) or cal.is_open(end - timedelta(microseconds=1))
        # Monotonic: more working time never ends earlier.
        assert add_business_time(start, duration + timedelta(minutes=1), cal) > end
        # Going back by the same amount returns to the start, or to the opening after it.
        back = add_business_time(end, -duration, cal)
        assert back >= start
        assert business_time_between(start, back, cal) == timedelta(0)
        assert business_time_between(back, end, cal) == duration


def test_remaining_time_counts_only_working_time():
    due = msk(2025, 3, 10, 11)  # Monday 11:00
    friday = msk(2025, 3, 7, 17)
    assert remaining_time(friday, due, OFFICE) == 3 * H
    assert remaining_time(friday, due) == due - friday
    assert remaining_time(msk(2025, 3, 10, 12), due, OFFICE) == -H


# --- events -------------------------------------------------------------------------------


def _sweep(start: datetime, end: datetime, due: datetime, **kw) -> list[tuple[datetime, str]]:
    sent: list[str] = []
    log: list[tuple[datetime, str]] = []
    now = start
    while now <= end:
        for event in due_events(now=now, due_at=due, sent=sent, **kw):
            sent.append(event.key)
            log.append((now, event.key))
        now += timedelta(minutes=10)
    return log


def test_each_event_fires_once_in_order():
    published = datetime(2025, 3, 3, 8, tzinfo=UTC)
    due = published + 24 * H
    log = _sweep(published, due + 5 * H, due)
    assert [key for _, key in log] == ["due_soon:14400", "due_soon:3600", "breached"]
    assert log[0][0] == due - 4 * H
    assert log[1][0] == due - H
    assert log[2][0] == due


def test_after_downtime_only_the_most_urgent_warning_goes_out():
    due = datetime(2025, 3, 4, 8, tzinfo=UTC)
    events = due_events(now=due - 30 * timedelta(minutes=1), due_at=due, sent=[])
    assert [e.key for e in events] == ["due_soon:3600"]
    assert events[0].state is SlaState.due_soon and events[0].lead_seconds == 3600
    # The looser warning never follows the tighter one.
    assert due_events(now=due - timedelta(minutes=20), due_at=due, sent=["due_soon:3600"]) == []
    # Past the deadline with nothing sent: only the breach.
    assert [e.key for e in due_events(now=due + H, due_at=due, sent=[])] == ["breached"]
    assert due_events(now=due + 2 * H, due_at=due, sent=["breached"]) == []


def test_met_and_late_answers():
    due = datetime(2025, 3, 4, 8, tzinfo=UTC)
    met = due_events(now=due + H, due_at=due, sent=["due_soon:14400"], answered_at=due - H)
    assert [e.state for e in met] == [SlaState.met]
    assert due_events(now=due + H, due_at=due, sent=["met"], answered_at=due - H) == []
    late = due_events(now=due + 2 * H, due_at=due, sent=[], answered_at=due + H)
    assert [e.key for e in late] == ["breached"]
    assert due_events(now=due + 2 * H, due_at=due, sent=["breached"], answered_at=due + H) == []


def test_business_leads_warn_during_working_hours():
    due = msk(2025, 3, 10, 10)  # Monday 10:00
    assert due_soon_at(due, 4 * H, OFFICE) == msk(2025, 3, 7, 15)  # Friday 15:00
    assert due_soon_at(due, 4 * H, None) == msk(2025, 3, 10, 6)
    events = due_events(now=msk(2025, 3, 7, 15, 5), due_at=due, sent=[], calendar=OFFICE)
    assert [e.key for e in events] == ["due_soon:14400"]


def test_custom_leads_and_next_check():
    due = datetime(2025, 3, 4, 8, tzinfo=UTC)
    leads = (2 * H, 30 * timedelta(minutes=1))
    assert next_check_at(due_at=due, sent=[], leads=leads) == due - 2 * H
    assert next_check_at(due_at=due, sent=["due_soon:7200"], leads=leads) == due - 0.5 * H
    assert next_check_at(due_at=due, sent=["due_soon:7200", "due_soon:1800"], leads=leads) == due
    assert next_check_at(due_at=due, sent=["breached"], leads=leads) is None
    log = _sweep(due - 3 * H, due + H, due, leads=leads)
    assert [k for _, k in log] == ["due_soon:7200", "due_soon:1800", "breached"]


def test_policy_validation():
    with pytest.raises(ValueError):
        SlaPolicy(default_hours=0)
    with pytest.raises(ValueError):
        SlaPolicy(due_soon_leads=(timedelta(0),))
