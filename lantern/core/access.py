"""The one access checkpoint: who may see which person, record and event.

Every view, API call and export reaches case data through the functions here. A record a
user may not see and a record that does not exist look the same (404), so the checkpoint
never confirms that someone is known to an agency.

Scope, by role (policy as data, in ROLE_SCOPES):
- the MASH (researchers, supervisors) sees every agency's records in its own borough;
- investigators see their own agency's records, and what is shared with it, in any borough;
- officers, social workers and partners see their own agency's records, and what is shared
  with it, in their own borough;
- scrutiny panel members see everything, pseudonymised, and never restricted records;
- system administrators see no case data.
A restricted record opens only after the user states a reason, which is audited.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lantern.accounts.models import Role
from lantern.events.markers import Marker, markers_from
from lantern.events.models import Event, Involvement
from lantern.events.schemas import attribute_schema
from lantern.people.models import Person, SourceRecord
from lantern.referrals.models import Contact, InformationRequest
from lantern.sharing.models import RecordShare

from .audit import audit_write
from .models import AuditVerb

if TYPE_CHECKING:
    from lantern.safeguarding.models import Notification, Task

MIN_REASON_LENGTH = 10


def checked_reason(text: str, field_name: str, what: str) -> str:
    """Return a reason someone gave, trimmed, or refuse it (naming the field) when it is too short to mean anything."""
    text = text.strip()
    if len(text) < MIN_REASON_LENGTH:
        raise ValidationError({field_name: f"{what} must be at least {MIN_REASON_LENGTH} characters"})
    return text


@dataclass(frozen=True)
class Scope:
    sees_case_data: bool
    all_agencies: bool
    all_boroughs: bool
    pseudonymised: bool
    may_open_restricted: bool


NO_CASE_DATA = Scope(False, False, False, False, False)
ROLE_SCOPES: dict[str, Scope] = {
    Role.RESEARCHER: Scope(True, all_agencies=True, all_boroughs=False, pseudonymised=False,
                           may_open_restricted=True),
    Role.SUPERVISOR: Scope(True, all_agencies=True, all_boroughs=False, pseudonymised=False,
                           may_open_restricted=True),
    Role.INVESTIGATOR: Scope(True, all_agencies=False, all_boroughs=True, pseudonymised=False,
                             may_open_restricted=True),
    Role.OFFICER: Scope(True, all_agencies=False, all_boroughs=False, pseudonymised=False,
                        may_open_restricted=True),
    Role.SOCIAL_WORKER: Scope(True, all_agencies=False, all_boroughs=False, pseudonymised=False,
                              may_open_restricted=True),
    Role.PARTNER: Scope(True, all_agencies=False, all_boroughs=False, pseudonymised=False,
                        may_open_restricted=True),
    Role.SCRUTINY: Scope(True, all_agencies=True, all_boroughs=True, pseudonymised=True,
                         may_open_restricted=False),
    Role.ADMIN: NO_CASE_DATA,
}


def scope_for(user: Any) -> Scope:
    """Return what a user's role lets them see; nothing for anyone not signed in and active."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_CASE_DATA
    return ROLE_SCOPES.get(user.role, NO_CASE_DATA)


M = TypeVar("M", bound=Model)


def _visible(user: Any, queryset: QuerySet[M], share_field: str) -> QuerySet[M]:
    """Filter records or events (both have agency, borough, restricted) to what the user may see."""
    scope = scope_for(user)
    if not scope.sees_case_data:
        return queryset.none()
    if not scope.all_agencies:
        if user.agency_id is None:
            return queryset.none()
        shared = RecordShare.objects.filter(agency_id=user.agency_id, **{share_field: OuterRef("pk")})
        queryset = queryset.filter(Q(agency_id=user.agency_id) | Exists(shared))
    if not scope.all_boroughs:
        if user.borough_id is None:
            return queryset.none()
        queryset = queryset.filter(borough_id=user.borough_id)
    if not scope.may_open_restricted:
        queryset = queryset.filter(restricted=False)
    return queryset


def visible_records(user: Any) -> QuerySet[SourceRecord]:
    """Return the source records a user may see (restricted ones still need a stated reason)."""
    return _visible(user, SourceRecord.objects.all(), "source_record")


def visible_events(user: Any) -> QuerySet[Event]:
    """Return the events a user may see (restricted ones still need a stated reason)."""
    return _visible(user, Event.objects.all(), "event")


def visible_persons(user: Any) -> QuerySet[Person]:
    """Return the people of whom the user may see at least one record."""
    return Person.objects.filter(
        merged_into__isnull=True,
        pk__in=visible_records(user).filter(person__isnull=False).values("person_id"),
    )


class ReasonRequired(Exception):
    """The person holds restricted records; the user must state why they need to see them."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"A reason is needed to open restricted records for {reference}")
        self.reference = reference


@dataclass
class PersonAccess:
    """What one user may see of one person, already audited."""

    person: Person
    records: list[SourceRecord]
    events: list[Event]
    roles_by_event: dict[int, list[str]]
    markers: list[Marker]
    pseudonymised: bool
    reason: str
    more_exists: bool = field(default=False)
    # Records another agency shared with the user's agency: who shared each, when, and why.
    shares: dict[int, RecordShare] = field(default_factory=dict)


def _current_person(reference: str) -> Person | None:
    person = Person.objects.filter(reference=reference).first()
    seen: set[int] = set()
    # A merged person's reference still finds the person it was merged into.
    while person is not None and person.merged_into_id is not None and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person


def access_person_by_reference(user: Any, reference: str, *, reason: str = "") -> PersonAccess:
    """Return what the user may see of a person, and audit the view; 404 if they may see nothing."""
    scope = scope_for(user)
    person = _current_person(reference) if scope.sees_case_data else None
    if person is None:
        raise Http404("No such person")
    reason = reason.strip()
    has_reason = len(reason) >= MIN_REASON_LENGTH
    all_records = list(visible_records(user).filter(person=person).select_related("agency", "borough"))
    if not all_records:
        raise Http404("No such person")
    events_qs = visible_events(user).filter(involvements__source_record__person=person).distinct()
    events = list(events_qs.select_related("agency", "borough").order_by("-occurred_at"))
    restricted = any(r.restricted for r in all_records) or any(e.restricted for e in events)
    if restricted and not has_reason:
        raise ReasonRequired(person.reference)
    roles_by_event: dict[int, list[str]] = {}
    for event_id, role in Involvement.objects.filter(
        event__in=[e.pk for e in events], source_record__person=person
    ).values_list("event_id", "role"):
        roles_by_event.setdefault(event_id, []).append(role)
    pairs = [(event, role) for event in events for role in roles_by_event.get(event.pk, [])]
    total_records = SourceRecord.objects.filter(person=person).count()
    shares: dict[int, RecordShare] = {
        share.source_record_id: share  # type: ignore[misc]  # never None: filtered on records
        for share in RecordShare.objects.filter(
            agency_id=user.agency_id, source_record__in=[r.pk for r in all_records]
        ).select_related("agency", "shared_by__agency")
    } if user.agency_id else {}

    if scope.pseudonymised:
        for record in all_records:
            _pseudonymise_record(record)
        for event in events:
            _pseudonymise_event(event)
    audit_write(
        actor=user, verb=AuditVerb.PERSON_VIEW, target=person, reason=reason if has_reason else "",
        payload={"records": len(all_records), "events": len(events),
                 "pseudonymised": scope.pseudonymised},
    )
    return PersonAccess(
        person=person,
        records=all_records,
        events=events,
        roles_by_event=roles_by_event,
        markers=markers_from(pairs, timezone.localdate()),
        pseudonymised=scope.pseudonymised,
        reason=reason if has_reason else "",
        more_exists=total_records > len(all_records),
        shares=shares,
    )


IDENTIFYING_RECORD_FIELDS = (
    "given_names", "family_name", "address_line1", "address_line2", "address_town", "postcode",
    "uprn", "nhs_number", "phone", "email", "school_urn",
)


@cache
def _coded_attributes(event_type: str) -> frozenset[str]:
    """Return the attributes that hold codes, numbers or yes/no (not free text), from the schema."""
    schema = attribute_schema(event_type) or {}
    return frozenset(
        name for name, spec in schema.get("properties", {}).items()
        if "enum" in spec or "format" in spec
        or set(_types(spec)) & {"boolean", "integer", "number"}
        or ("array" in _types(spec) and "enum" in spec.get("items", {}))
    )


def _types(spec: dict[str, Any]) -> list[str]:
    kind = spec.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _pseudonymise_record(record: SourceRecord) -> None:
    """Blank a record's identifying fields in memory, for the scrutiny panel's view."""
    for name in IDENTIFYING_RECORD_FIELDS:
        setattr(record, name, "")
    record.source_id = ""
    record.aliases = []
    record.dob_year = record.dob_month = record.dob_day = None
    record.address_id = None
    record.save = _refuse_save  # type: ignore[method-assign]


def _pseudonymise_event(event: Event) -> None:
    # Free text can name people: the scrutiny view keeps only coded attributes.
    coded = _coded_attributes(event.type)
    event.narrative = ""
    event.source_id = ""
    event.location_id = None
    event.attributes = {k: v for k, v in event.attributes.items() if k in coded}
    event.save = _refuse_save  # type: ignore[method-assign]


def _refuse_save(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("A pseudonymised copy must never be saved")


def access_event_by_id(user: Any, event_id: int, *, reason: str = "") -> Event:
    """Return one event the user may see, and audit the view; 404 otherwise."""
    has_reason = len(reason.strip()) >= MIN_REASON_LENGTH
    event = visible_events(user).select_related("agency", "borough").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event")
    if event.restricted and not has_reason:
        raise ReasonRequired(str(event.pk))
    if scope_for(user).pseudonymised:
        _pseudonymise_event(event)
    audit_write(actor=user, verb=AuditVerb.EVENT_VIEW, target=event, reason=reason.strip())
    return event


# The front door: contacts and requests for information (lantern.referrals) -------------------

MASH_ROLES = frozenset({Role.RESEARCHER, Role.SUPERVISOR})


def require_administrator(actor: Any, doing: str) -> None:
    """Refuse (PermissionDenied) anyone but an active system administrator `doing` something.

    None, for a command run on the server (`lantern feeds`, `lantern quarantine`), is let
    through: whoever runs those already holds the server.
    """
    if actor is not None and not getattr(actor, "manages_users", False):
        raise PermissionDenied(f"Only a system administrator may {doing}")


def works_in_mash(user: Any, borough_id: int | None) -> bool:
    """Return whether the user triages contacts for this borough's MASH."""
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in MASH_ROLES
        and borough_id is not None
        and user.borough_id == borough_id
    )


def visible_contacts(user: Any) -> QuerySet[Contact]:
    """Return the contacts a user may open: their MASH's, or the ones they reported themselves."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Contact.objects.none()
    if user.role in MASH_ROLES and user.borough_id is not None:
        return Contact.objects.filter(borough_id=user.borough_id)
    return Contact.objects.filter(reporter=user)


def access_contact_by_reference(user: Any, reference: str) -> Contact:
    """Return one contact the user may open, and audit the view; 404 otherwise."""
    contact = (
        visible_contacts(user)
        .select_related("borough", "person", "subject_record", "reporter", "reporter_agency", "allocated_to",
                        "updated_by", "event")
        .filter(reference=reference).first()
    )
    if contact is None:
        raise Http404("No such contact")
    audit_write(actor=user, verb=AuditVerb.CONTACT_VIEW, target=contact)
    return contact


def visible_information_requests(user: Any) -> QuerySet[InformationRequest]:
    """Return the requests for information sent to the user's agency (partners see only these)."""
    if scope_for(user) == NO_CASE_DATA or user.agency_id is None or user.role in MASH_ROLES:
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(agency_id=user.agency_id)


def access_information_request(user: Any, request_id: int) -> InformationRequest:
    """Return one request for information sent to the user's agency, and audit the view; 404 otherwise."""
    asked = (
        visible_information_requests(user)
        .select_related("contact__subject_record", "contact__borough", "requested_by", "agency", "answered_by")
        .filter(pk=request_id).first()
    )
    if asked is None:
        raise Http404("No such request")
    audit_write(actor=user, verb=AuditVerb.INFO_VIEW, target=asked)
    return asked


def readable_answers(user: Any, contact: Contact) -> QuerySet[InformationRequest]:
    """Return the partners' answers on a contact the user may read.

    The MASH reads every answer; anyone else only those the owning agency agreed to share
    beyond the hub (the MASH firewall).
    """
    answered = contact.information_requests.filter(answered_at__isnull=False)
    if works_in_mash(user, contact.borough_id):
        return answered
    return answered.filter(wider_use_agreed_at__isnull=False)


# Joined-up investigations and single points of contact (lantern.investigations) ---------------

# Imported here, with the section that uses them, so the section can be read (and moved) as one.
from lantern.investigations.models import FamilySpoc, Investigation  # noqa: E402


def visible_investigations(user: Any) -> QuerySet[Investigation]:
    """Return the investigations a user may open (the people and events in them are checked one by one)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Investigation.objects.none()
    if user.role == Role.INVESTIGATOR and user.agency_id is not None:
        return Investigation.objects.filter(Q(agency_id=user.agency_id) | Q(officer=user))
    if user.role in MASH_ROLES and user.borough_id is not None:
        return Investigation.objects.filter(borough_id=user.borough_id)
    if user.role == Role.OFFICER:
        spoc_for = FamilySpoc.objects.filter(spoc=user, ended_at__isnull=True).values("family_id")
        return Investigation.objects.filter(Q(officer=user) | Q(family_id__in=spoc_for))
    return Investigation.objects.none()


def access_investigation_by_reference(user: Any, reference: str) -> Investigation:
    """Return one investigation the user may open, and audit the view; 404 otherwise."""
    investigation = (
        visible_investigations(user)
        .select_related("borough", "agency", "officer", "opened_by", "closed_by", "updated_by", "family__address")
        .filter(reference=reference).first()
    )
    if investigation is None:
        raise Http404("No such investigation")
    audit_write(actor=user, verb=AuditVerb.INVESTIGATION_VIEW, target=investigation)
    return investigation


def works_on_investigation(user: Any, investigation: Investigation) -> bool:
    """Return whether the user may change an investigation: its officer in charge, an investigator of its
    agency, its borough's MASH supervisor, or the family's current SPOC."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (
        investigation.officer_id == user.pk
        or (user.role == Role.INVESTIGATOR and user.agency_id == investigation.agency_id)
        or (user.role == Role.SUPERVISOR and user.borough_id == investigation.borough_id)
        or FamilySpoc.objects.filter(family_id=investigation.family_id, spoc=user, ended_at__isnull=True).exists()
    )


# Safeguarding tasks and notifications (lantern.safeguarding) ----------------------------------

def access_task_by_reference(user: Any, reference: str) -> "Task":
    """Return one task the user may see, and audit the view; 404 otherwise."""
    from lantern.safeguarding.selectors import visible_tasks  # the safeguarding app builds on this module

    found = (visible_tasks(user).select_related("person", "event", "owner", "owner_agency", "borough", "firing",
                                                "updated_by", "completed_by")
             .filter(reference=reference).first())
    if found is None:
        raise Http404("No such task")
    audit_write(actor=user, verb=AuditVerb.TASK_VIEW, target=found)
    return found


def access_notification_by_reference(user: Any, reference: str) -> "Notification":
    """Return one notification sent to the user's agency, record it as read, and audit it; 404 otherwise."""
    from lantern.safeguarding.selectors import visible_notifications
    from lantern.safeguarding.services import notification_read

    found = (visible_notifications(user).select_related("person", "event", "recipient_agency", "firing", "read_by")
             .filter(reference=reference).first())
    if found is None:
        raise Http404("No such notification")
    return notification_read(notification=found, actor=user)
