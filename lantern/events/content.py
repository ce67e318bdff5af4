"""What an event says, cleaned and hashed the same way by every write path."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from lantern.core.hashing import content_hash

from .models import EventType, Role
from .schemas import attribute_errors

# Enum .values builds a new list each time; these are asked about once a line.
EVENT_TYPES = frozenset(EventType.values)
ROLES = frozenset(Role.values)


def event_content(
    *, event_type: str, occurred_at: datetime, reported_at: datetime | None, borough_code: str | None,
    attributes: dict[str, Any], narrative: str, restricted: bool,
    involvements: list[tuple[str, str]], location: dict[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    """Return an event's content (involvements as (person source id, role)) and its hash."""
    content = {
        "type": event_type,
        "occurred_at": occurred_at.isoformat(),
        "reported_at": reported_at.isoformat() if reported_at else None,
        "borough": borough_code,
        "location": location or None,
        "attributes": attributes,
        "narrative": narrative,
        "restricted": bool(restricted),
        "involvements": sorted({f"{source_id}\t{role}" for source_id, role in involvements}),
    }
    return content, content_hash(content)


def event_errors(
    event_type: str, attributes: Any, roles: list[str], occurred_at: datetime,
    reported_at: datetime | None, now: datetime, *, extreme_years: bool = True,
) -> dict[str, list[str]]:
    """Return what is wrong with an event, by field; empty when it is fine.

    `extreme_years`: whether the attributes may hold a year 1 or 9999, the only ones a time
    zone can carry beyond UTC's dates; the importer tells from the line's text, and spares
    the other lines the walk through their attributes."""
    errors: dict[str, list[str]] = {}
    if event_type not in EVENT_TYPES:
        expected = ", ".join(EventType.values)
        errors["type"] = [f"{event_type!r} is not an event type; expected one of {expected}"]
    else:
        problems = attribute_errors(event_type, attributes) or (
            list(_times_beyond_utc(attributes)) if extreme_years else [])
        if problems:
            errors["attributes"] = problems
    bad_roles = sorted({role for role in roles if role not in ROLES})
    if bad_roles:
        errors["involvements"] = [f"{role!r} is not a role" for role in bad_roles]
    if occurred_at.year < 1900:
        errors["occurred_at"] = ["must not be before 1900"]
    elif occurred_at > now:
        errors["occurred_at"] = ["must not be in the future"]
    if reported_at and reported_at < occurred_at:
        errors["reported_at"] = ["must not be before occurred_at"]
    elif reported_at and reported_at > now:
        errors["reported_at"] = ["must not be in the future"]
    return errors


def _times_beyond_utc(value: Any, where: str = "") -> Iterator[str]:
    """Say which date-times in attributes cannot be turned into UTC: a valid RFC 3339 time such
    as 9999-12-31T23:59:59-14:00 is in the year 10000 in UTC, which the rules, comparing
    times, cannot hold (it stopped them for a whole chunk of events)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _times_beyond_utc(item, f"{where}/{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _times_beyond_utc(item, f"{where}/{index}")
    elif isinstance(value, str) and len(value) >= 20 and value[10:11] in "Tt":  # shaped like a date-time
        try:
            datetime.fromisoformat(value).astimezone(UTC)
        except ValueError:
            pass  # not a date-time: the schema has said what it should be
        except OverflowError:
            yield f"{where}: {value!r} is beyond the dates that can be kept once turned into UTC"
