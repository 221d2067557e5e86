"""Dates as Russian review sites print them: «12 марта 2025», «12 мар. 2025 г., 14:05»,
«сегодня в 10:15», «вчера», «2 дня назад», «неделю назад». strptime knows only C-locale
month names, so these are parsed here (pure: `now` and the site's zone are given).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

#: Month stems: genitive (марта), nominative (март) and short (мар.) forms all start so.
_MONTHS = {
    "янв": 1,
    "фев": 2,
    "мар": 3,
    "апр": 4,
    "мая": 5,
    "май": 5,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "окт": 10,
    "ноя": 11,
    "дек": 12,
}
_ABSOLUTE = re.compile(
    r"^(?P<day>\d{1,2})\s+(?P<month>[а-яё]+)\.?(?:\s+(?P<year>\d{4}))?(?:\s*г(?:ода|\.)?)?"
    r"(?:[,\s]+(?:в\s+)?(?P<hh>\d{1,2}):(?P<mm>\d{2}))?$"
)
_DAY_WORD = re.compile(
    r"^(?P<word>сегодня|вчера|позавчера)(?:[,\s]+(?:в\s+)?(?P<hh>\d{1,2}):(?P<mm>\d{2}))?$"
)
_AGO = re.compile(r"^(?:(?P<n>\d+)\s+)?(?P<unit>[а-яё]+)\s+назад$")
_UNITS = (
    ("секунд", timedelta(seconds=1)),
    ("минут", timedelta(minutes=1)),
    ("час", timedelta(hours=1)),
    ("дн", timedelta(days=1)),
    ("день", timedelta(days=1)),
    ("недел", timedelta(weeks=1)),
    ("месяц", timedelta(days=30)),
    ("год", timedelta(days=365)),
    ("лет", timedelta(days=365)),
)
_DAYS_BACK = {"сегодня": 0, "вчера": 1, "позавчера": 2}


def parse_ru_date(raw: str, now: datetime, tz: tzinfo) -> datetime | None:
    """The moment a Russian date text names, in `tz`; None when it is not one.

    A date without a year is the latest such date not after `now` (sites omit the
    current year); relative dates count back from `now`.
    """
    text = " ".join(raw.lower().replace("\xa0", " ").split()).strip(" .")
    local_now = now.astimezone(tz)
    if match := _ABSOLUTE.match(text):
        month = _month(match["month"])
        if month is None:
            return None
        year = int(match["year"]) if match["year"] else local_now.year
        try:
            when = datetime(
                year, month, int(match["day"]), *_clock(match["hh"], match["mm"]), tzinfo=tz
            )
        except ValueError:
            return None
        if not match["year"] and when > local_now:
            when = when.replace(year=year - 1)
        return when
    if match := _DAY_WORD.match(text):
        day = (local_now - timedelta(days=_DAYS_BACK[match["word"]])).date()
        if match["hh"]:
            return datetime(
                day.year, day.month, day.day, *_clock(match["hh"], match["mm"]), tzinfo=tz
            )
        return datetime(day.year, day.month, day.day, tzinfo=tz)
    if match := _AGO.match(text):
        step = next((size for stem, size in _UNITS if match["unit"].startswith(stem)), None)
        if step is None:
            return None
        return local_now - step * int(match["n"] or 1)
    return None


def _month(word: str) -> int | None:
    return next((n for stem, n in _MONTHS.items() if word.startswith(stem)), None)


def _clock(hh: str | None, mm: str | None) -> tuple[int, int]:
    if hh is None or mm is None:
        return 0, 0
    return min(int(hh), 23), min(int(mm), 59)
