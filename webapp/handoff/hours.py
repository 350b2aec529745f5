"""When a municipality's staff can answer: weekly opening hours, public holidays, closures.

``Schedule`` holds one municipality's week (``OfficeHours`` rows) and the days it is closed:
Sweden's public holidays and the eves municipalities close on (computed here for any year,
so no table runs out), plus ``Holiday`` rows for that municipality or for all of them. It
answers two questions the hand-off asks: is it open now, and when does it open next. Times
are Swedish local time (``Europe/Stockholm``), whatever the server's zone.

The formatting functions write those answers for a newcomer with Babel, in their locale: for
Dari (``fa_AF``) that gives Afghan month names ("7 دسمبر", not the Iranian "دسامبر").
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot.i18n import babel_locale

SWEDISH_TIME = ZoneInfo("Europe/Stockholm")
# How far ahead ``next_opening`` looks: longer than any closure a municipality announces.
LOOKAHEAD_DAYS = 45


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _weekday_between(year: int, month: int, first_day: int, weekday: int) -> dt.date:
    """The day with ``weekday`` (0 = Monday) in the week starting at ``first_day``."""
    start = dt.date(year, month, first_day)
    return start + dt.timedelta(days=(weekday - start.weekday()) % 7)


@functools.lru_cache(maxsize=32)
def swedish_closed_days(year: int) -> Dict[dt.date, str]:
    """Public holidays (lag 1989:253) and the eves on which municipal offices close."""
    easter = easter_sunday(year)
    midsummer_eve = _weekday_between(year, 6, 19, 4)  # the Friday of 19–25 June
    return {
        dt.date(year, 1, 1): "Nyårsdagen",
        dt.date(year, 1, 6): "Trettondedag jul",
        easter - dt.timedelta(days=2): "Långfredagen",
        easter: "Påskdagen",
        easter + dt.timedelta(days=1): "Annandag påsk",
        dt.date(year, 5, 1): "Första maj",
        easter + dt.timedelta(days=39): "Kristi himmelsfärdsdag",
        easter + dt.timedelta(days=49): "Pingstdagen",
        dt.date(year, 6, 6): "Sveriges nationaldag",
        midsummer_eve: "Midsommarafton",
        midsummer_eve + dt.timedelta(days=1): "Midsommardagen",
        _weekday_between(year, 10, 31, 5): "Alla helgons dag",
        dt.date(year, 12, 24): "Julafton",
        dt.date(year, 12, 25): "Juldagen",
        dt.date(year, 12, 26): "Annandag jul",
        dt.date(year, 12, 31): "Nyårsafton",
    }


Interval = Tuple[dt.time, dt.time]


@dataclass
class Schedule:
    """One municipality's opening hours: ``week[weekday]`` is a list of (opens, closes)."""

    week: Dict[int, List[Interval]] = field(default_factory=dict)
    closed_dates: FrozenSet[dt.date] = frozenset()

    @property
    def known(self) -> bool:
        return any(self.week.values())

    def is_closed_day(self, day: dt.date) -> bool:
        return day in self.closed_dates or day in swedish_closed_days(day.year)

    def is_open(self, at: dt.datetime) -> bool:
        local = at.astimezone(SWEDISH_TIME)
        if self.is_closed_day(local.date()):
            return False
        return any(opens <= local.time() < closes for opens, closes in self.week.get(local.weekday(), []))

    def next_opening(self, after: dt.datetime) -> Optional[dt.datetime]:
        """The next moment it opens, strictly after ``after`` (Swedish time); None if not
        within ``LOOKAHEAD_DAYS`` (no hours at all, or a long closure)."""
        local = after.astimezone(SWEDISH_TIME)
        for offset in range(LOOKAHEAD_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            if self.is_closed_day(day):
                continue
            for opens, _closes in sorted(self.week.get(day.weekday(), [])):
                candidate = dt.datetime.combine(day, opens, tzinfo=SWEDISH_TIME)
                if candidate > local:
                    return candidate
        return None


def schedule_for(municipality_code: Optional[str], today: Optional[dt.date] = None) -> Schedule:
    """The schedule from the database (``OfficeHours``, ``Holiday``); empty when unknown."""
    from webapp.handoff.models import Holiday, OfficeHours

    if not municipality_code:
        return Schedule()
    week: Dict[int, List[Interval]] = {}
    for row in OfficeHours.objects.filter(municipality_id=municipality_code):
        week.setdefault(row.weekday, []).append((row.opens, row.closes))
    today = today or dt.datetime.now(SWEDISH_TIME).date()
    closures = Holiday.objects.filter(date__gte=today, date__lte=today + dt.timedelta(days=LOOKAHEAD_DAYS))
    closures = closures.filter(municipality_id=municipality_code) | closures.filter(municipality=None)
    return Schedule(week, frozenset(closures.values_list("date", flat=True)))


# --- for the newcomer, in their language ---------------------------------------------------------

def format_opening(moment: dt.datetime, language: str) -> str:
    """"måndag 7 december 2026 08:00", "الاثنين، 7 ديسمبر 2026، 8:00 ص",
    "دوشنبه 7 دسمبر 2026، ساعت 8:00": the locale's own date, time and the way it joins them."""
    locale = babel_locale(language)
    local = moment.astimezone(SWEDISH_TIME)
    date_text = format_date(local.date(), format="full", locale=locale)
    time_text = format_time(local.time(), format="short", locale=locale)
    return locale.datetime_formats["full"].replace("{1}", date_text).replace("{0}", time_text)


def format_week(schedule: Schedule, language: str) -> str:
    """The weekly hours in one line, days with the same hours grouped: "måndag–fredag 08:00–16:30"."""
    locale = babel_locale(language)
    day_names = locale.days["format"]["wide"]
    groups: List[Tuple[int, int, Tuple[Interval, ...]]] = []
    for weekday in range(7):
        hours = tuple(sorted(schedule.week.get(weekday, [])))
        if not hours:
            continue
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == hours:
            groups[-1] = (groups[-1][0], weekday, hours)
        else:
            groups.append((weekday, weekday, hours))
    parts = []
    for first, last, hours in groups:
        days = day_names[first] if first == last else f"{day_names[first]}–{day_names[last]}"
        times = ", ".join(f"{format_time(o, 'short', locale=locale)}–{format_time(c, 'short', locale=locale)}"
                          for o, c in hours)
        parts.append(f"{days} {times}")
    separator = "؛ " if language in ("ar", "fa_AF") else "; "
    return separator.join(parts)
