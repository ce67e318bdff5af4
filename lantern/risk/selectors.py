"""Reads for risk assessments: what the records say about a person, and who may see which assessment."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from lantern.core.access import scope_for, visible_events, visible_persons
from lantern.events.markers import markers_from
from lantern.events.models import Event, EventType, Involvement, Role
from lantern.people.ages import age_on
from lantern.people.models import Person, SourceRecord

from .engine import AssessmentContext, Instrument, UnknownInstrument, instrument
from .models import Assessment

LOOK_BACK = timedelta(days=365)


def _merged_family(person: Person) -> list[int]:
    """Return the person's id and the ids of everyone merged into them, however long ago."""
    found, frontier = [person.pk], [person.pk]
    while frontier:
        frontier = list(Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        found += [pk for pk in frontier if pk not in found]
    return found


def assessment_context(person: Person, today: date, *, user: Any = None) -> AssessmentContext:
    """Return what the records say about a person that risk rules test.

    Given a user, only the events that user may see count, so the form never reveals an
    incident the assessor could not otherwise know about.
    """
    start = timezone.make_aware(datetime.combine(today - LOOK_BACK, time.min))
    events: QuerySet[Event] = visible_events(user) if user is not None else Event.objects.all()
    involvements = Involvement.objects.filter(source_record__person=person, event__in=events).select_related("event")
    pairs = [(inv.event, inv.role) for inv in involvements]
    da_incidents = {event.pk for event, role in pairs if event.type == EventType.DOMESTIC_ABUSE_INCIDENT
                    and role == Role.VICTIM and event.occurred_at >= start}
    records = SourceRecord.objects.filter(person=person, dob_year__isnull=False)
    # The fullest date of birth wins over a partial one, as on the person's page.
    dob = max(records, key=lambda r: (r.dob_day is not None, r.dob_month is not None, r.received_at), default=None)
    earlier = Assessment.objects.filter(person_id__in=_merged_family(person), assessed_at__gte=start)
    return AssessmentContext(
        age=age_on(dob.dob_year, dob.dob_month, dob.dob_day, today) if dob else None,
        exploitation_marker=any(m.rule.code == "exploitation_risk" for m in markers_from(pairs, today)),
        da_incidents_12_months=len(da_incidents),
        marac_referral_within_12_months=any("marac" in a.referral_codes for a in earlier),
    )


def assessments_visible_to(user: Any) -> QuerySet[Assessment]:
    """Return the assessments a user may read: of people they can see, made by their agency unless
    their role sees every agency's records."""
    scope = scope_for(user)
    if not scope.sees_case_data:
        return Assessment.objects.none()
    assessments = Assessment.objects.filter(person__in=visible_persons(user))
    if not scope.all_agencies:
        assessments = assessments.filter(agency_id=user.agency_id)
    return assessments.select_related("assessor", "agency", "person")


def assessments_of(user: Any, person: Person) -> QuerySet[Assessment]:
    """Return the assessments of one person that a user may read, newest first."""
    return assessments_visible_to(user).filter(person_id__in=_merged_family(person))


def assessment_for(user: Any, person: Person, assessment_id: int) -> Assessment | None:
    """Return one assessment of a person that the user may read (None if they may not)."""
    return assessments_of(user, person).filter(pk=assessment_id).first()


def instrument_of(assessment: Assessment) -> Instrument | None:
    """Return the instrument version an assessment was made with (None if its file is gone)."""
    try:
        return instrument(assessment.instrument_code, assessment.instrument_version)
    except UnknownInstrument:
        return None
