"""Database check constraints that stay cheap when millions of rows go in."""

from collections.abc import Iterable

from django.db.models import Q


def one_of(field: str, values: Iterable[str]) -> Q:
    """Return a condition that `field` holds one of `values`, for a CheckConstraint.

    The same rule as `Q(field__in=values)`, written as equalities joined by OR: SQLite
    builds a temporary table for an IN list every time it checks a row, which cost about
    2 µs a row (an event's type, an involvement's role), against 0.1 µs for the equalities
    (bench/sqlite_bulk.py).
    """
    return Q(*[(field, value) for value in values], _connector=Q.OR)
