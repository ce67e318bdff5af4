"""Events: attributes checked against their type's schema on every write; receiving is idempotent."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lantern.core.models import AuditEntry
from lantern.events.models import Event, EventType, Involvement, Role
from lantern.events.services import event_receive
from tests.factories import AgencyFactory, EventFactory, SourceRecordFactory

WHEN = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)
ISSUE_TYPES = [
    "crime", "domestic_abuse_incident", "missing_episode", "custody_detention",
    "child_protection_plan", "looked_after_period", "rso_registration", "iioc_investigation",
    "contact", "school_concern", "health_attendance", "radicalisation_referral", "fgm_report",
    "modern_slavery_referral", "hate_crime", "child_death", "stop_and_search",
]
ISSUE_ROLES = ["victim", "suspect", "missing_person", "detainee", "child_present", "subject",
               "reporting_person", "parent_carer", "associate", "offender"]


def test_every_type_and_role_the_foundation_names_exists():
    assert set(ISSUE_TYPES) <= set(EventType.values)
    assert set(ISSUE_ROLES) == set(Role.values)


@pytest.mark.parametrize("event_type", EventType.values)
def test_every_type_has_a_2020_12_schema_that_refuses_unknown_fields(event_type):
    path = Path("lantern/events/attribute_schemas") / f"{event_type}.json"
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


@pytest.fixture
def police(db):
    return AgencyFactory(code="met")


@pytest.fixture
def child(police):
    return SourceRecordFactory(agency=police, given_names="Kayden")


def receive(police, child, **overrides):
    spec = {
        "agency": police, "source_id": "CAD-1", "event_type": "missing_episode", "occurred_at": WHEN,
        "involvements": [(child, "missing_person")],
        "attributes": {"risk_grade": "high", "returned_at": None},
    }
    return event_receive(**{**spec, **overrides})


def test_event_is_stored_with_involvements_and_audited(police, child):
    result = receive(police, child)
    assert result.outcome == "created"
    assert list(result.event.involvements.values_list("role", flat=True)) == ["missing_person"]
    assert AuditEntry.objects.filter(verb="event.receive", target_id=str(result.event.pk)).exists()


def test_the_same_event_twice_changes_nothing(police, child):
    receive(police, child)
    entries = AuditEntry.objects.count()
    assert receive(police, child).outcome == "unchanged"
    assert AuditEntry.objects.count() == entries and Event.objects.count() == 1


def test_a_changed_event_is_updated_and_the_change_audited(police, child):
    receive(police, child)
    result = receive(police, child, attributes={"risk_grade": "high", "returned_at": WHEN.isoformat()})
    assert (result.outcome, result.event.version) == ("updated", 2)
    kept = result.event.versions.get()
    assert (kept.version, kept.data["attributes"]["returned_at"]) == (1, None)
    assert kept.data["involvements"] == [f"{child.source_id}\tmissing_person"]


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"attributes": {"risk_grade": "absent"}}, "attributes", "risk_grade: 'absent' is not one of"),
    ({"attributes": {"risk_grade": "low", "colour": "red"}}, "attributes", "'colour' was unexpected"),
    ({"attributes": {}}, "attributes", "'risk_grade' is a required property"),
    ({"attributes": {"risk_grade": "low", "returned_at": "yesterday"}}, "attributes", "date-time"),
    ({"event_type": "alien_abduction"}, "type", "not an event type"),
    ({"involvements": [(None, "bystander")]}, "involvements", "'bystander' is not a role"),
    ({"reported_at": WHEN - timedelta(days=1)}, "reported_at", "before occurred_at"),
])
def test_bad_events_are_refused_with_a_clear_message_and_nothing_written(police, child, overrides,
                                                                         field, message):
    with pytest.raises(ValidationError) as error:
        receive(police, child, **overrides)
    assert message in " ".join(error.value.message_dict[field])
    assert Event.objects.count() == 0 and Involvement.objects.count() == 0


def test_save_refuses_attributes_that_break_the_schema(police):
    event = EventFactory.build(agency=police, type="child_protection_plan", attributes={"category": "x"})
    with pytest.raises(ValidationError):
        event.save()


def test_bulk_create_refuses_attributes_that_break_the_schema(police):
    good = EventFactory.build(agency=police)
    bad = EventFactory.build(agency=police, type="fgm_report", attributes={})
    with pytest.raises(ValidationError):
        Event.objects.bulk_create([good, bad])
    assert Event.objects.count() == 0


def test_queryset_update_of_attributes_is_refused(police):
    EventFactory(agency=police)
    with pytest.raises(TypeError):
        Event.objects.update(attributes={"anything": True})


def test_database_refuses_unknown_types_and_roles(police, child):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.bulk_create  # noqa: B018  (the model check is bypassed below on purpose)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO events_event (agency_id, source_system, source_id, type, occurred_at,"
                " received_at, version, content_hash, attributes, narrative, restricted)"
                " VALUES (%s, 'x', 'y', 'nonsense', %s, %s, 1, 'h', '{}', '', false)",
                [police.pk, timezone.now(), timezone.now()],
            )
    event = EventFactory(agency=police)
    with pytest.raises(IntegrityError), transaction.atomic():
        Involvement.objects.create(event=event, source_record=child, role="bystander")
