"""The working-time clock counts working hours on England and Wales working days, across clock changes."""

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from lantern.core.clock import Duration, WorkingCalendar, add, default_calendar, working_hours_between

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a London wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# Parsing and printing durations


@pytest.mark.parametrize(("text", "amount", "unit"), [
    ("4 working hours", 4, "working_hours"),
    ("1 working hour", 1, "working_hours"),
    ("24 working hours", 24, "working_hours"),
    ("72 hours", 72, "hours"),
    ("1 hour", 1, "hours"),
    ("1 working day", 1, "working_days"),
    ("2 working days", 2, "working_days"),
    ("3 days", 3, "days"),
    ("30 minutes", 30, "minutes"),
    ("1 minute", 1, "minutes"),
    ("  4   Working  HOURS ", 4, "working_hours"),
])
def test_duration_parses_the_accepted_forms(text, amount, unit):
    assert Duration.parse(text) == Duration(amount, unit)


@pytest.mark.parametrize("text", [
    "", "4", "hours", "four hours", "4 weeks", "-1 hours", "1.5 hours", "4 working minutes",
    "4 hours please", "working 4 hours", "4 hourss",
])
def test_duration_refuses_other_text_saying_what_it_accepts(text):
    with pytest.raises(ValueError, match="as a duration") as error:
        Duration.parse(text)
    message = str(error.value)
    assert f'"{text}"' in message
    assert '"4 working hours"' in message
    assert "working days" in message


@pytest.mark.parametrize(("amount", "unit"), [(-1, "hours"), (1, "weeks"), (True, "hours"), (1.5, "hours")])
def test_duration_refuses_impossible_values(amount, unit):
    with pytest.raises(ValueError, match="duration's"):
        Duration(amount, unit)


def test_duration_is_frozen():
    duration = Duration(4, "working_hours")
    with pytest.raises(dataclasses.FrozenInstanceError):
        duration.amount = 5  # type: ignore[misc]


@pytest.mark.parametrize(("duration", "text"), [
    (Duration(4, "working_hours"), "4 working hours"),
    (Duration(1, "working_hours"), "1 working hour"),
    (Duration(1, "working_days"), "1 working day"),
    (Duration(2, "working_days"), "2 working days"),
    (Duration(0, "days"), "0 days"),
    (Duration(1, "hours"), "1 hour"),
    (Duration(30, "minutes"), "30 minutes"),
    (Duration(1, "minutes"), "1 minute"),
])
def test_duration_prints_in_plain_english(duration, text):
    assert str(duration) == text


@pytest.mark.parametrize(("unit", "working"), [
    ("minutes", False), ("hours", False), ("days", False), ("working_hours", True), ("working_days", True),
])
def test_duration_knows_whether_it_counts_working_time(unit, working):
    assert Duration(3, unit).is_working_time is working


@given(st.integers(min_value=0, max_value=10_000),
       st.sampled_from(["minutes", "hours", "days", "working_hours", "working_days"]))
def test_printed_duration_parses_back(amount, unit):
    duration = Duration(amount, unit)
    assert Duration.parse(str(duration)) == duration


# The calendar


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 3, 3), True),     # a Tuesday
    (date(2026, 3, 7), False),    # Saturday
    (date(2026, 3, 8), False),    # Sunday
    (date(2026, 4, 3), False),    # Good Friday
    (date(2026, 4, 6), False),    # Easter Monday
    (date(2026, 4, 7), True),
    (date(2026, 5, 25), False),   # Spring bank holiday
    (date(2026, 12, 25), False),  # Christmas Day, a Friday
    (date(2026, 12, 28), False),  # Boxing Day falls on Saturday; Monday is the substitute
    (date(2026, 12, 29), True),
    (date(2040, 12, 25), False),  # far years come from the package's rules, not a typed-in list
])
def test_working_days_are_weekdays_that_are_not_bank_holidays(day, working):
    assert CAL.is_working_day(day) is working


def test_a_calendar_can_be_given_its_own_holidays():
    calendar = WorkingCalendar(holiday_dates={date(2026, 3, 3)})
    assert not calendar.is_working_day(date(2026, 3, 3))
    assert calendar.is_working_day(date(2026, 4, 6))


@pytest.mark.parametrize(("moment", "working"), [
    (at(2026, 3, 3, 9), True),
    (at(2026, 3, 3, 8, 59), False),
    (at(2026, 3, 3, 16, 59), True),
    (at(2026, 3, 3, 17), False),
    (at(2026, 3, 7, 12), False),   # Saturday
    (at(2026, 4, 6, 12), False),   # Easter Monday
    (datetime(2026, 3, 30, 8, 30, tzinfo=UTC), True),   # 09:30 BST
    (datetime(2026, 3, 27, 8, 30, tzinfo=UTC), False),  # 08:30 GMT
])
def test_working_moments(moment, working):
    assert CAL.is_working_moment(moment) is working


@pytest.mark.parametrize(("moment", "expected"), [
    (at(2026, 3, 3, 11), at(2026, 3, 3, 11)),
    (at(2026, 3, 3, 7), at(2026, 3, 3, 9)),
    (at(2026, 3, 6, 17), at(2026, 3, 9, 9)),   # Friday closing
    (at(2026, 3, 8, 12), at(2026, 3, 9, 9)),   # Sunday
    (at(2026, 4, 2, 18), at(2026, 4, 7, 9)),   # Easter: past Good Friday and Easter Monday
    (datetime(2026, 3, 28, 12, tzinfo=UTC), at(2026, 3, 30, 9)),
])
def test_next_working_moment(moment, expected):
    result = CAL.next_working_moment(moment)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


def test_working_day_hours():
    assert CAL.working_day_hours == 8.0
    assert WorkingCalendar(day_start=time(8, 30), day_end=time(16, 0)).working_day_hours == 7.5


def test_a_working_day_must_end_after_it_starts():
    with pytest.raises(ValueError, match="must end after it starts"):
        WorkingCalendar(day_start=time(17), day_end=time(9))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        add(datetime(2026, 3, 3, 10), Duration(1, "working_hours"), CAL)
    with pytest.raises(ValueError, match="time zone"):
        CAL.is_working_moment(datetime(2026, 3, 3, 10))


def test_a_calendar_with_no_working_days_is_refused_rather_than_looping():
    class Everything:
        def __contains__(self, item: object) -> bool:
            return True

    calendar = WorkingCalendar(holiday_dates=Everything())
    with pytest.raises(ValueError, match="no working day"):
        add(at(2026, 3, 3, 10), Duration(1, "working_hours"), calendar)


# Adding working time


@pytest.mark.parametrize(("start", "text", "expected"), [
    # within a day
    (at(2026, 3, 3, 10), "4 working hours", at(2026, 3, 3, 14)),
    (at(2026, 3, 3, 10), "0 working hours", at(2026, 3, 3, 10)),
    # across the evening
    (at(2026, 3, 3, 15), "4 working hours", at(2026, 3, 4, 11)),
    # across a weekend
    (at(2026, 3, 6, 15), "4 working hours", at(2026, 3, 9, 11)),
    # across Good Friday and Easter Monday 2026
    (at(2026, 4, 2, 15), "4 working hours", at(2026, 4, 7, 11)),
    # across Christmas 2026: Friday 25th, the weekend, and Monday 28th for Boxing Day
    (at(2026, 12, 24, 15), "4 working hours", at(2026, 12, 29, 11)),
    # starting out of hours
    (at(2026, 3, 3, 7, 30), "4 working hours", at(2026, 3, 3, 13)),
    (at(2026, 3, 3, 18), "4 working hours", at(2026, 3, 4, 13)),
    (at(2026, 3, 3, 17), "1 working hour", at(2026, 3, 4, 10)),
    (at(2026, 3, 8, 12), "4 working hours", at(2026, 3, 9, 13)),   # Sunday
    # ending exactly at closing stays at closing
    (at(2026, 3, 3, 13), "4 working hours", at(2026, 3, 3, 17)),
    (at(2026, 3, 6, 9), "8 working hours", at(2026, 3, 6, 17)),
    (at(2026, 3, 3, 9), "24 working hours", at(2026, 3, 5, 17)),
    # the clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026
    (at(2026, 3, 27, 15), "4 working hours", at(2026, 3, 30, 11)),
    (at(2026, 10, 23, 15), "4 working hours", at(2026, 10, 26, 11)),
    (datetime(2026, 3, 30, 8, tzinfo=UTC), "1 working hour", at(2026, 3, 30, 10)),  # 09:00 BST
    # working days are working_day_hours each
    (at(2026, 3, 6, 15), "1 working day", at(2026, 3, 9, 15)),     # Friday to Monday
    (at(2026, 5, 22, 15), "1 working day", at(2026, 5, 26, 15)),   # Monday 25 May is a bank holiday
    (at(2026, 3, 7, 10), "1 working day", at(2026, 3, 9, 17)),     # Saturday: a whole day from Monday's opening
    (at(2026, 3, 4, 10), "2 working days", at(2026, 3, 6, 10)),
    (at(2026, 12, 24, 10), "1 working day", at(2026, 12, 29, 10)),
    (at(2026, 3, 27, 10), "1 working day", at(2026, 3, 30, 10)),   # across the spring clock change
    # elapsed time is plain time, even across a clock change
    (at(2026, 3, 3, 16, 50), "30 minutes", at(2026, 3, 3, 17, 20)),
    (at(2026, 3, 7, 22), "1 hour", at(2026, 3, 7, 23)),
    (at(2026, 3, 28, 12), "1 day", at(2026, 3, 29, 13)),
    (at(2026, 3, 27, 12), "72 hours", at(2026, 3, 30, 13)),
    (at(2026, 10, 23, 12), "3 days", at(2026, 10, 26, 11)),
])
def test_add(start, text, expected):
    result = add(start, Duration.parse(text), CAL)
    assert result == expected
    # Same instant and same wall clock: the answer is given in the calendar's zone.
    assert result.tzinfo == LONDON
    assert result.replace(tzinfo=None) == expected.replace(tzinfo=None)


def test_working_days_follow_the_calendars_day_length():
    long_days = WorkingCalendar(day_start=time(8), day_end=time(18), holiday_dates=set())
    assert add(at(2026, 3, 2, 10), Duration(1, "working_days"), long_days) == at(2026, 3, 3, 10)
    assert add(at(2026, 3, 2, 10), Duration(8, "working_hours"), long_days) == at(2026, 3, 2, 18)


def test_adding_working_time_steps_a_day_at_a_time():
    class CountingCalendar(WorkingCalendar):
        calls = 0

        def is_working_day(self, day: date) -> bool:
            self.calls += 1
            return super().is_working_day(day)

    calendar = CountingCalendar()
    assert add(at(2026, 3, 2, 9), Duration(72, "working_hours"), calendar) == at(2026, 3, 12, 17)
    assert calendar.calls <= 14


# Counting working time


@pytest.mark.parametrize(("start", "end", "hours"), [
    (at(2026, 3, 3, 10), at(2026, 3, 3, 14), 4.0),
    (at(2026, 3, 3, 10), at(2026, 3, 3, 10, 30), 0.5),
    (at(2026, 3, 3, 15), at(2026, 3, 4, 11), 4.0),
    (at(2026, 3, 6, 15), at(2026, 3, 9, 11), 4.0),
    (at(2026, 4, 2, 15), at(2026, 4, 7, 11), 4.0),
    (at(2026, 12, 24, 15), at(2026, 12, 29, 11), 4.0),
    (at(2026, 3, 3, 18), at(2026, 3, 4, 8), 0.0),
    (at(2026, 3, 3, 14), at(2026, 3, 3, 10), 0.0),
    (at(2026, 3, 3, 14), at(2026, 3, 3, 14), 0.0),
    (at(2026, 3, 2), at(2026, 3, 9), 40.0),
    (at(2026, 4, 6), at(2026, 4, 13), 32.0),   # Easter Monday week
    (at(2026, 3, 27, 9), at(2026, 3, 30, 17), 16.0),
    (at(2026, 10, 23, 9), at(2026, 10, 26, 17), 16.0),
    (datetime(2026, 3, 30, 8, tzinfo=UTC), datetime(2026, 3, 30, 16, tzinfo=UTC), 8.0),  # 09:00 to 17:00 BST
])
def test_working_hours_between(start, end, hours):
    assert working_hours_between(start, end, CAL) == hours


# The default calendar


def test_default_calendar_follows_the_settings(settings):
    settings.LANTERN_WORKING_DAY = ("08:00", "18:00")
    calendar = default_calendar()
    assert (calendar.day_start, calendar.day_end) == (time(8), time(18))
    assert calendar.working_day_hours == 10.0
    assert calendar.tz == ZoneInfo(settings.TIME_ZONE)
    assert default_calendar() is calendar
    assert not calendar.is_working_day(date(2026, 4, 6))


def test_default_calendar_is_used_when_none_is_given(settings):
    settings.LANTERN_WORKING_DAY = ("10:00", "16:00")
    assert add(at(2026, 3, 3, 15), Duration(2, "working_hours")) == at(2026, 3, 4, 11)
    assert working_hours_between(at(2026, 3, 3), at(2026, 3, 4)) == 6.0


@pytest.mark.parametrize("value", [("9am", "5pm"), ("09:00",), "09:00-17:00", ("17:00", "09:00")])
def test_default_calendar_refuses_a_bad_setting(settings, value):
    settings.LANTERN_WORKING_DAY = value
    with pytest.raises(ImproperlyConfigured, match="LANTERN_WORKING_DAY"):
        default_calendar()


# Properties

working_starts = st.builds(
    lambda day, offset: datetime.combine(day, time(9), tzinfo=LONDON) + timedelta(microseconds=offset),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 12, 31)).filter(CAL.is_working_day),
    st.integers(min_value=0, max_value=8 * 3600 * 10**6 - 1),
)
any_starts = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31),
    timezones=st.sampled_from([LONDON, UTC]), allow_imaginary=False,
)
working_durations = st.builds(
    Duration, st.integers(min_value=0, max_value=200), st.sampled_from(["working_hours", "working_days"]),
)


@given(working_starts, st.integers(min_value=0, max_value=200))
def test_working_hours_between_undoes_add(start, hours):
    assert CAL.is_working_moment(start)
    end = add(start, Duration(hours, "working_hours"), CAL)
    assert working_hours_between(start, end, CAL) == hours


@given(any_starts, working_durations)
def test_add_lands_in_working_time_or_exactly_at_closing(start, duration):
    end = add(start, duration, CAL)
    assert end >= start
    closing = CAL.is_working_day(end.date()) and end.time() == time(17)
    assert CAL.is_working_moment(end) or closing
    assert working_hours_between(start, end, CAL) == duration.amount * (
        CAL.working_day_hours if duration.unit == "working_days" else 1
    )
