"""Writes to events. Attributes are checked against their type's schema before anything is saved."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.investigations.overlap import propose_joins
from lantern.organisations.models import Agency, Borough
from lantern.people.models import SourceRecord
from lantern.referrals.criteria import contacts_from_events
from lantern.safeguarding.engine import rules_after_intake

from .content import event_content, event_errors
from .models import Event, EventVersion, Involvement


@dataclass(frozen=True)
class EventResult:
    event: Event
    outcome: Literal["created", "updated", "unchanged"]


def event_snapshot(event: Event) -> dict[str, Any]:
    """Return an event's stored content, to keep as an earlier version."""
    return {
        "type": event.type, "occurred_at": event.occurred_at.isoformat(),
        "reported_at": event.reported_at.isoformat() if event.reported_at else None,
        "borough_id": event.borough_id, "location_id": event.location_id,
        "attributes": event.attributes, "narrative": event.narrative, "restricted": event.restricted,
        "involvements": sorted(
            f"{source_id}\t{role}" for source_id, role in
            event.involvements.values_list("source_record__source_id", "role")
        ),
    }


def event_versions_keep(events: list[Event]) -> None:
    """Keep each event's current version before a newer one replaces it."""
    EventVersion.objects.bulk_create([
        EventVersion(event=e, version=e.version, received_at=e.received_at, content_hash=e.content_hash,
                     data=event_snapshot(e))
        for e in events
    ])


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
    errors = event_errors(event_type, attributes, [role for _, role in involvements], occurred_at,
                          reported_at, timezone.now())
    if errors:
        raise ValidationError(errors)
    _, digest = event_content(
        event_type=event_type, occurred_at=occurred_at, reported_at=reported_at,
        borough_code=borough.ons_code if borough else None, attributes=attributes,
        narrative=narrative, restricted=restricted,
        involvements=[(record.source_id, role) for record, role in involvements],
    )
    event = Event.objects.select_for_update().filter(agency=agency, source_id=source_id).first()
    if event is not None and event.content_hash == digest:
        return EventResult(event, "unchanged")
    outcome: Literal["created", "updated"] = "updated" if event else "created"
    if event is None:
        event = Event(agency=agency, source_id=source_id, version=1)
    else:
        event_versions_keep([event])
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
    # An event that meets referral criteria reaches the MASH at once.
    contacts_from_events([event.pk], actor=actor)
    # And every safeguarding rule that listens to its type.
    rules_after_intake([event.pk], actor=actor)
    propose_joins([event.pk], actor=actor)
    audit_write(
        actor=actor, verb=AuditVerb.EVENT_RECEIVE, target=event,
        payload={"agency": agency.code, "source_id": source_id, "type": event_type,
                 "version": event.version},
    )
    return EventResult(event, outcome)
