"""Writes to events. Attributes are checked against their type's schema before anything is saved."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.audit import audit_write
from lantern.core.hashing import content_hash
from lantern.core.models import AuditVerb
from lantern.organisations.models import Agency, Borough
from lantern.people.models import SourceRecord

from .models import Event, EventType, Involvement, Role
from .schemas import attribute_errors


@dataclass(frozen=True)
class EventResult:
    event: Event
    outcome: Literal["created", "updated", "unchanged"]


def _check(
    event_type: str, attributes: dict[str, Any], involvements: list[tuple[SourceRecord, str]],
    occurred_at: datetime, reported_at: datetime | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if event_type not in EventType.values:
        expected = ", ".join(EventType.values)
        errors["type"] = [f"{event_type!r} is not an event type; expected one of {expected}"]
    else:
        problems = attribute_errors(event_type, attributes)
        if problems:
            errors["attributes"] = problems
    bad_roles = sorted({role for _, role in involvements if role not in Role.values})
    if bad_roles:
        errors["involvements"] = [f"{role!r} is not a role" for role in bad_roles]
    if reported_at and reported_at < occurred_at:
        errors["reported_at"] = ["must not be before occurred_at"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_receive(
    *,
    agency: Agency,
    source_id: str,
    event_type: str,
    occurred_at: datetime,
    involvements: list[tuple[SourceRecord, str]],
    attributes: dict[str, Any] | None = None,
    reported_at: datetime | None = None,
    borough: Borough | None = None,
    narrative: str = "",
    restricted: bool = False,
    source_system: str = "",
    actor: Any = None,
) -> EventResult:
    """Store an agency's event and who was involved; the same event sent twice changes nothing."""
    attributes = attributes or {}
    _check(event_type, attributes, involvements, occurred_at, reported_at)
    digest = content_hash({
        "type": event_type, "occurred_at": occurred_at.isoformat(),
        "reported_at": reported_at.isoformat() if reported_at else None,
        "borough": borough.ons_code if borough else None, "attributes": attributes,
        "narrative": narrative, "restricted": restricted,
        "involvements": sorted(f"{r.agency_id}:{r.source_id}:{role}" for r, role in involvements),
    })
    event = Event.objects.select_for_update().filter(agency=agency, source_id=source_id).first()
    if event is not None and event.content_hash == digest:
        return EventResult(event, "unchanged")
    previous = {"version": event.version, "content_hash": event.content_hash} if event else None
    if event is None:
        event = Event(agency=agency, source_id=source_id, version=1)
    else:
        event.version += 1
    event.source_system = source_system or event.source_system or agency.code
    event.type, event.occurred_at, event.reported_at = event_type, occurred_at, reported_at
    event.borough, event.attributes, event.narrative = borough, attributes, narrative
    event.restricted, event.content_hash, event.received_at = restricted, digest, timezone.now()
    event.save()
    event.involvements.all().delete()
    Involvement.objects.bulk_create(
        [Involvement(event=event, source_record=record, role=role) for record, role in set(involvements)]
    )
    audit_write(
        actor=actor,
        verb=AuditVerb.EVENT_RECEIVE,
        target=event,
        payload={"agency": agency.code, "source_id": source_id, "type": event_type,
                 "version": event.version, "replaces": previous},
    )
    return EventResult(event, "created" if previous is None else "updated")
