"""Ages from dates of birth that may be partial (a year, or a year and month)."""

from datetime import date


def age_on(year: int | None, month: int | None, day: int | None, today: date) -> int | None:
    """Return the age in whole years, or None when the year is unknown (partial dates count from 1 January)."""
    if year is None:
        return None
    born = (month or 1, day or 1)
    return today.year - year - ((today.month, today.day) < born)
