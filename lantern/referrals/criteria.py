"""Imported events that meet referral criteria become contacts on their own.

Each criterion is declared once below: the event type, the roles that make a person the
subject, and the condition on the event's attributes. Only children (under 18 when it
happened) are referred, and only for events recent enough to be news (see
LANTERN_AUTO_CONTACT_WINDOW_DAYS): loading years of history must not flood the MASH.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.events.models import EventType, Involvement, Role
from lantern.people.ages import age_on

from .clocks import contact_deadline
from .models import Contact, Source, Trigger

ADULT_AGE = 18


@dataclass(frozen=True)
class Criterion:
    trigger: str
    event_type: str
    roles: frozenset[str]
    applies: Callable[[dict[str, Any]], bool]
    # A person whose date of birth is unknown still counts when the role itself says "child".
    child_by_role: bool = False


CRITERIA: tuple[Criterion, ...] = (
    Criterion(Trigger.DA_CHILD_PRESENT, EventType.DOMESTIC_ABUSE_INCIDENT, frozenset({Role.CHILD_PRESENT}),
              lambda attributes: True, child_by_role=True),
    Criterion(Trigger.CHILD_IN_CUSTODY, EventType.CUSTODY_DETENTION, frozenset({Role.DETAINEE}),
              lambda attributes: True),
    Criterion(Trigger.MISSING_RETURN, EventType.MISSING_EPISODE, frozenset({Role.MISSING_PERSON}),
              lambda attributes: bool(attributes.get("returned_at"))),
)
TRIGGER_EVENT_TYPES = frozenset(c.event_type for c in CRITERIA)


def _describe(criterion: Criterion, event_type: str, attributes: dict[str, Any], occurred_at: datetime) -> str:
    when = timezone.localtime(occurred_at).strftime("%d %B %Y at %H:%M")
    text = f"{Trigger(criterion.trigger).label}: {EventType(event_type).label.lower()} on {when}."
    if criterion.trigger == Trigger.CHILD_IN_CUSTODY and attributes.get("bail_decision"):
        text += f" Bail decision: {str(attributes['bail_decision']).replace('_', ' ')}."
    if criterion.trigger == Trigger.MISSING_RETURN:
        text += f" Risk grade while missing: {str(attributes.get('risk_grade', 'not given')).replace('_', ' ')}."
    if criterion.trigger == Trigger.DA_CHILD_PRESENT and attributes.get("childs_voice"):
        text += f" The child's voice: {attributes['childs_voice']}"
    return text


def contacts_from_events(event_ids: Iterable[int], *, now: datetime | None = None, actor: Any = None) -> int:
    """Create the contacts that these (new or changed) events call for; return how many are new.

    The same event, person and trigger never make a second contact, so a feed sent twice
    changes nothing.
    """
    ids = list(event_ids)
    if not ids:
        return 0
    now = now or timezone.now()
    since = now - timedelta(days=settings.LANTERN_AUTO_CONTACT_WINDOW_DAYS)
    by_type = {c.event_type: c for c in CRITERIA}
    contacts: list[Contact] = []
    for start in range(0, len(ids), 900):  # SQLite's limit on query parameters
        chunk = ids[start:start + 900]
        made = set(Contact.objects.filter(event_id__in=chunk).values_list("event_id", "subject_record_id", "trigger"))
        rows = Involvement.objects.filter(
            event_id__in=chunk, event__type__in=TRIGGER_EVENT_TYPES,
            event__occurred_at__gte=since,
        ).values_list(
            "event_id", "event__type", "event__attributes", "event__occurred_at", "event__borough_id",
            "event__agency_id", "role", "source_record_id", "source_record__person_id",
            "source_record__borough_id", "source_record__dob_year", "source_record__dob_month",
            "source_record__dob_day",
        )
        for (event_id, event_type, attributes, occurred_at, event_borough, agency_id, role, record_id,
             person_id, record_borough, year, month, day) in rows:
            criterion = by_type[event_type]
            if role not in criterion.roles or (event_id, record_id, criterion.trigger) in made:
                continue
            if not criterion.applies(attributes):
                continue
            age = age_on(year, month, day, timezone.localtime(occurred_at).date())
            if (age is None and not criterion.child_by_role) or (age is not None and age >= ADULT_AGE):
                continue
            borough = record_borough or event_borough
            if borough is None:
                continue  # no MASH to send it to: the event's own agency still holds it
            deadline = contact_deadline(now, "", Source.AUTOMATIC)
            made.add((event_id, record_id, criterion.trigger))
            contacts.append(Contact(
                source=Source.AUTOMATIC, trigger=criterion.trigger, borough_id=borough, received_at=now,
                subject_record_id=record_id, person_id=person_id, event_id=event_id, occurred_at=occurred_at,
                what_happened=_describe(criterion, event_type, attributes, occurred_at),
                reporter_agency_id=agency_id, due_at=deadline.at, clock_basis=deadline.basis, updated_at=now,
            ))
    if not contacts:
        return 0
    Contact.objects.bulk_create(contacts, batch_size=500)
    audit_write(actor=actor, verb=AuditVerb.CONTACT_CREATE, target_type="referrals.contact",
                payload={"source": Source.AUTOMATIC, "created": len(contacts),
                         "references": [c.reference for c in contacts][:1000]})
    return len(contacts)
