"""What an event says, cleaned and hashed the same way by every write path."""

from datetime import datetime
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
    reported_at: datetime | None, now: datetime,
) -> dict[str, list[str]]:
    """Return what is wrong with an event, by field; empty when it is fine."""
    errors: dict[str, list[str]] = {}
    if event_type not in EVENT_TYPES:
        expected = ", ".join(EventType.values)
        errors["type"] = [f"{event_type!r} is not an event type; expected one of {expected}"]
    else:
        problems = attribute_errors(event_type, attributes)
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
