"""The safeguarding rules' clocks: school days for Operation Encompass, and durations from settings.

Term dates are configuration (LANTERN_SCHOOL_TERMS, pairs of ISO dates, each pair a stretch
of school days such as a half term); weekends and England and Wales bank holidays inside a
term are not school days. Past the last configured term, any working day counts, so a
missing term table delays nothing.
"""

from datetime import date, datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from lantern.core.clock import Duration, add, default_calendar
from lantern.people.ages import age_on

ADULT_AGE = 18
RECEPTION_AGE = 4
# Children start reception in the September after they turn four.
SCHOOL_YEAR_STARTS = (9, 1)


@cache
def _terms() -> tuple[tuple[date, date], ...]:
    """Return the configured terms in date order."""
    return tuple(sorted((date.fromisoformat(start), date.fromisoformat(end))
                        for start, end in settings.LANTERN_SCHOOL_TERMS))


@cache
def _school_day_start() -> time:
    return time.fromisoformat(settings.LANTERN_SCHOOL_DAY_START)


@receiver(setting_changed)
def _forget_terms(*, setting: str, **kwargs: object) -> None:
    """Re-read the term dates after tests override them."""
    if setting in {"LANTERN_SCHOOL_TERMS", "LANTERN_SCHOOL_DAY_START"}:
        _terms.cache_clear()
        _school_day_start.cache_clear()


def is_school_day(day: date) -> bool:
    """Return whether schools are open on this day (in term, a weekday, not a bank holiday)."""
    if not default_calendar().is_working_day(day):
        return False
    terms = _terms()
    if not terms or day > terms[-1][1]:
        return True
    return any(start <= day <= end for start, end in terms)


def next_school_day_start(moment: datetime) -> datetime:
    """Return when the next school day starts after this moment (the same day if school has not yet begun)."""
    calendar = default_calendar()
    wall = moment.astimezone(calendar.tz)
    day = wall.date()
    for _ in range(3 * 366):
        opens = datetime.combine(day, _school_day_start(), tzinfo=calendar.tz)
        if opens > wall and is_school_day(day):
            return opens
        day += timedelta(days=1)
    raise ValueError(f"No school day in the three years after {moment}: check LANTERN_SCHOOL_TERMS")


def is_school_age(year: int | None, month: int | None, day: int | None, on: date) -> bool:
    """Return whether a child is of reception age to 17 on the day (partial dates count from 1 January)."""
    age = age_on(year, month, day, on)
    if year is None or age is None or age >= ADULT_AGE:
        return False
    school_year = on.year if (on.month, on.day) >= SCHOOL_YEAR_STARTS else on.year - 1
    return (year, month or 1, day or 1) <= (school_year - RECEPTION_AGE, 8, 31)


def setting_duration(name: str) -> Duration:
    """Return the duration a setting holds, such as "72 hours"."""
    return Duration.parse(getattr(settings, name))


def after(start: datetime, name: str) -> datetime:
    """Return when a clock named by a setting, started at start, runs out."""
    return add(start, setting_duration(name))


def end_of_day(moment: datetime) -> datetime:
    """Return the last minute of the moment's local day ("the same day")."""
    tz = default_calendar().tz
    wall = moment.astimezone(tz)
    return datetime.combine(wall.date(), time(23, 59), tzinfo=tz)


def next_wall_time(moment: datetime, text: str) -> datetime:
    """Return the first time the wall clock shows `text` (e.g. "00:00") after the moment."""
    tz = default_calendar().tz
    wall = moment.astimezone(tz)
    at = datetime.combine(wall.date(), time.fromisoformat(text), tzinfo=tz)
    return at if at > wall else datetime.combine(wall.date() + timedelta(days=1), time.fromisoformat(text), tzinfo=tz)
