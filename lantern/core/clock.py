"""The working-time clock that safeguarding deadlines are counted on.

MASH triage, partner replies and decisions run to clocks such as "4 working hours" or
"1 working day": time counts only inside the working day, on weekdays that are not England
and Wales bank holidays. Elapsed units ("72 hours", "3 days") count plain time.

Working time is reckoned on the local wall clock one day at a time, so a working day is
9:00 to 17:00 on the clock on the wall whether or not the clocks changed that weekend.
"""

import re
import threading
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any, Literal, cast, get_args
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

Unit = Literal["minutes", "hours", "days", "working_hours", "working_days"]
UNITS: tuple[Unit, ...] = get_args(Unit)
WORKING_UNITS: frozenset[Unit] = frozenset({"working_hours", "working_days"})

_LABELS: dict[Unit, tuple[str, str]] = {
    "minutes": ("minute", "minutes"),
    "hours": ("hour", "hours"),
    "days": ("day", "days"),
    "working_hours": ("working hour", "working hours"),
    "working_days": ("working day", "working days"),
}
_ELAPSED: dict[Unit, timedelta] = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
}
_DURATION_TEXT = re.compile(r"(?P<amount>\d+)\s*(?P<working>working\s+)?(?P<unit>minute|hour|day)s?", re.IGNORECASE)
_ACCEPTED_FORMS = (
    'a whole number and a unit, for example "4 working hours", "1 working day", "72 hours", "3 days" '
    'or "30 minutes" (units: minutes, hours, days, working hours, working days)'
)
LONDON = ZoneInfo("Europe/London")
# A calendar with no working day for this long is misconfigured; stop rather than loop for ever.
_MAX_DAYS_WITHOUT_WORK = 2 * 366


@dataclass(frozen=True)
class Duration:
    """A clock length such as 4 working hours or 72 hours."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        """Refuse amounts and units that no clock could run to."""
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise ValueError(f"A duration's amount must be a whole number of zero or more, not {self.amount!r}.")
        if self.unit not in UNITS:
            raise ValueError(f"A duration's unit must be one of {', '.join(UNITS)}, not {self.unit!r}.")

    @classmethod
    def parse(cls, text: str) -> "Duration":
        """Return the duration written in text such as "4 working hours"."""
        match = _DURATION_TEXT.fullmatch(" ".join(str(text).split()))
        if match is None:
            raise ValueError(f'Cannot read "{text}" as a duration. Write {_ACCEPTED_FORMS}.')
        base = match["unit"].lower() + "s"
        unit = cast(Unit, f"working_{base}" if match["working"] else base)
        if unit not in UNITS:
            raise ValueError(
                f'Cannot read "{text}" as a duration: working time is counted in hours or days, not minutes. '
                f"Write {_ACCEPTED_FORMS}."
            )
        return cls(int(match["amount"]), unit)

    @property
    def is_working_time(self) -> bool:
        """Return whether this duration counts only working time."""
        return self.unit in WORKING_UNITS

    def __str__(self) -> str:
        singular, plural = _LABELS[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"


class WorkingCalendar:
    """Working hours on working days: weekdays that are not bank holidays."""

    def __init__(
        self,
        day_start: time = time(9, 0),
        day_end: time = time(17, 0),
        tz: tzinfo = LONDON,
        holiday_dates: Container[date] | None = None,
    ) -> None:
        if day_start.tzinfo is not None or day_end.tzinfo is not None:
            raise ValueError("The working day's start and end must be plain wall-clock times, without a time zone.")
        if day_end <= day_start:
            raise ValueError(f"The working day must end after it starts, not run from {day_start} to {day_end}.")
        self.day_start = day_start
        self.day_end = day_end
        self.tz = tz
        # The holidays package works out each year's dates the first time a date in it is asked about,
        # so later years need no upgrade to the list.
        self.holiday_dates: Container[date] = (
            holidays.country_holidays("GB", subdiv="ENG") if holiday_dates is None else holiday_dates
        )
        # That lazy fill marks a year done before adding its dates, so two threads sharing the cached
        # default calendar could otherwise see a year with no bank holidays in it.
        self._holiday_lock = threading.Lock()
        self._day_length = datetime.combine(date.min, day_end) - datetime.combine(date.min, day_start)

    def __repr__(self) -> str:
        return f"WorkingCalendar(day_start={self.day_start!r}, day_end={self.day_end!r}, tz={self.tz!r})"

    @property
    def working_day_hours(self) -> float:
        """Return the length of one working day in hours."""
        return self._day_length.total_seconds() / 3600

    def is_working_day(self, day: date) -> bool:
        """Return whether the day is a weekday that is not a bank holiday."""
        if day.weekday() >= 5:
            return False
        with self._holiday_lock:
            return day not in self.holiday_dates

    def is_working_moment(self, moment: datetime) -> bool:
        """Return whether the moment falls inside working hours on a working day."""
        wall = self._wall(moment)
        return self.is_working_day(wall.date()) and self.day_start <= wall.time() < self.day_end

    def next_working_moment(self, moment: datetime) -> datetime:
        """Return the moment itself if it is in working hours, else the next opening time."""
        wall = self._wall(moment)
        for opens, closes in self._working_windows(wall.date()):
            begin = max(wall, opens)
            if begin < closes:
                return moment.astimezone(self.tz) if begin == wall else self._aware(begin)
        raise AssertionError("unreachable: _working_windows never ends")  # pragma: no cover

    def _add_working_time(self, start: datetime, length: timedelta) -> datetime:
        """Return the moment when `length` of working time has passed since start."""
        wall = self._wall(start)
        remaining = length
        for opens, closes in self._working_windows(wall.date()):
            begin = max(wall, opens)
            if begin >= closes:
                continue
            available = closes - begin
            # `<=` keeps a deadline that lands exactly on closing time at closing, not next morning.
            if remaining <= available:
                return self._aware(begin + remaining)
            remaining -= available
        raise AssertionError("unreachable: _working_windows never ends")  # pragma: no cover

    def _working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Return the working time that passes from start to end."""
        if end <= start:
            return timedelta(0)
        first, last = self._wall(start), self._wall(end)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                lo = max(first, datetime.combine(day, self.day_start))
                hi = min(last, datetime.combine(day, self.day_end))
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def _working_windows(self, first_day: date) -> Iterator[tuple[datetime, datetime]]:
        """Yield each working day's opening and closing wall-clock times from first_day on."""
        day = first_day
        idle = 0
        while True:
            if self.is_working_day(day):
                idle = 0
                yield datetime.combine(day, self.day_start), datetime.combine(day, self.day_end)
            else:
                idle += 1
                if idle > _MAX_DAYS_WITHOUT_WORK:
                    raise ValueError(f"{self!r} has no working day in the two years after {first_day}.")
            day += timedelta(days=1)

    def _wall(self, moment: datetime) -> datetime:
        """Return the moment as a naive reading of this calendar's wall clock."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"The working-time clock needs a datetime with a time zone, not {moment!r}.")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, wall: datetime) -> datetime:
        return wall.replace(tzinfo=self.tz)


def _parse_clock_time(value: Any, name: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f'{name} must hold two times such as ("09:00", "17:00"), not {value!r}.') from None


@cache
def default_calendar() -> WorkingCalendar:
    """Return the calendar set by LANTERN_WORKING_DAY and TIME_ZONE, with England and Wales bank holidays."""
    working_day = getattr(settings, "LANTERN_WORKING_DAY", ("09:00", "17:00"))
    try:
        start_text, end_text = working_day
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f'LANTERN_WORKING_DAY must hold two times such as ("09:00", "17:00"), not {working_day!r}.'
        ) from None
    start = _parse_clock_time(start_text, "LANTERN_WORKING_DAY")
    end = _parse_clock_time(end_text, "LANTERN_WORKING_DAY")
    try:
        return WorkingCalendar(start, end, ZoneInfo(settings.TIME_ZONE))
    except ValueError as error:
        raise ImproperlyConfigured(f"LANTERN_WORKING_DAY: {error}") from None


@receiver(setting_changed)
def _forget_default_calendar(*, setting: str, **kwargs: Any) -> None:
    """Rebuild the default calendar after tests override the settings it is made from."""
    if setting in {"LANTERN_WORKING_DAY", "TIME_ZONE"}:
        default_calendar.cache_clear()


def add(start: datetime, duration: Duration, calendar: WorkingCalendar | None = None) -> datetime:
    """Return the moment a clock of the given duration started at start runs out."""
    if calendar is None:
        calendar = default_calendar()
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"The working-time clock needs a datetime with a time zone, not {start!r}.")
    if duration.unit == "working_hours":
        return calendar._add_working_time(start, timedelta(hours=duration.amount))
    if duration.unit == "working_days":
        return calendar._add_working_time(start, duration.amount * calendar._day_length)
    # Elapsed time is added in UTC: aware arithmetic in a local zone would make "24 hours" 23 or 25
    # real hours over a clock change.
    return (start.astimezone(UTC) + duration.amount * _ELAPSED[duration.unit]).astimezone(calendar.tz)


def working_hours_between(start: datetime, end: datetime, calendar: WorkingCalendar | None = None) -> float:
    """Return the working hours that pass from start to end, or 0 if end is not after start."""
    if calendar is None:
        calendar = default_calendar()
    return calendar._working_time_between(start, end).total_seconds() / 3600
