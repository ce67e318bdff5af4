"""Receiving agencies' records: validation, versions, idempotency, provenance."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lantern.core.models import AuditEntry, AuditVerb
from lantern.people.models import Address, Person, SourceRecord, SourceRecordVersion
from lantern.people.services import source_record_receive
from tests.factories import AgencyFactory, SourceRecordFactory

LEAH = {
    "given_names": "Leah", "family_name": "Morgan", "aliases": ["Lea Morgan"],
    "date_of_birth": "2011-04-17", "sex": "female", "nhs_number": "943 476 5919",
    "address": {"line1": "14 Clapton Square", "town": "London", "postcode": "e5 8hp",
                "uprn": "100021012345"},
}


@pytest.fixture
def agency(db):
    return AgencyFactory(code="hackney-csc")


def test_new_record_is_stored_with_provenance_and_its_own_person(agency):
    result = source_record_receive(agency=agency, source_id="M-1", data=LEAH, source_system="Mosaic")

    record = result.record
    assert result.outcome == "created"
    assert (record.version, record.source_system, record.nhs_number) == (1, "Mosaic", "9434765919")
    assert (record.dob_year, record.dob_month, record.dob_day) == (2011, 4, 17)
    assert record.postcode == "E5 8HP"
    assert record.borough.name == "Hackney"
    assert record.address.uprn == "100021012345"
    assert record.person is not None
    assert AuditEntry.objects.filter(verb=AuditVerb.RECORD_RECEIVE, target_id=str(record.pk)).exists()


def test_sending_the_same_record_twice_changes_nothing(agency):
    source_record_receive(agency=agency, source_id="M-1", data=LEAH)
    before = (SourceRecordVersion.objects.count(), AuditEntry.objects.count(), Person.objects.count())

    result = source_record_receive(agency=agency, source_id="M-1", data=dict(LEAH))

    assert result.outcome == "unchanged"
    after = (SourceRecordVersion.objects.count(), AuditEntry.objects.count(), Person.objects.count())
    assert after == before


def test_a_changed_record_becomes_a_new_version_and_keeps_the_old(agency):
    first = source_record_receive(agency=agency, source_id="M-1", data=LEAH).record
    moved = {**LEAH, "address": {"line1": "3 Railton Road", "postcode": "SE24 0JN"}}

    result = source_record_receive(agency=agency, source_id="M-1", data=moved)

    assert result.outcome == "updated"
    assert result.record.pk == first.pk and result.record.person_id == first.person_id
    assert result.record.version == 2 and result.record.borough.name == "Lambeth"
    archived = list(SourceRecordVersion.objects.filter(record=first).order_by("version"))
    assert [(v.version, v.data["address"]["postcode"]) for v in archived] == [(1, "E5 8HP")]
    assert archived[0].content_hash == first.content_hash
    assert SourceRecord.objects.count() == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("nhs_number", "9434765918", "check digit"),
    ("date_of_birth", "2011-02-30", "day is out of range"),
    ("date_of_birth", "17/04/2011", "YYYY-MM-DD"),
    ("date_of_birth", "2999", "future"),
    ("sex", "robot", "not a valid choice"),
    ("email", "not-an-email", "valid email"),
    ("school_urn", "12", "6 digits"),
    ("date_of_birth", "1850-01-01", "before 1900"),
])
def test_bad_fields_are_refused_naming_the_field_and_nothing_is_written(agency, field, value, message):
    counts = (SourceRecord.objects.count(), Person.objects.count(), Address.objects.count(),
              AuditEntry.objects.count())
    with pytest.raises(ValidationError) as error:
        source_record_receive(agency=agency, source_id="M-9", data={**LEAH, field: value})
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert (SourceRecord.objects.count(), Person.objects.count(), Address.objects.count(),
            AuditEntry.objects.count()) == counts


def test_unknown_fields_are_refused(agency):
    with pytest.raises(ValidationError) as error:
        source_record_receive(agency=agency, source_id="M-9", data={**LEAH, "shoe_size": 9})
    assert "shoe_size" in error.value.message_dict


def test_partial_and_unknown_dates_of_birth(agency):
    year_month = source_record_receive(agency=agency, source_id="A", data={"date_of_birth": "1984-09"})
    unknown = source_record_receive(agency=agency, source_id="B", data={"date_of_birth": None})
    assert year_month.record.date_of_birth == "1984-09"
    assert unknown.record.date_of_birth == ""


def test_agency_and_source_id_are_unique(agency):
    SourceRecordFactory(agency=agency, source_id="X-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceRecordFactory(agency=agency, source_id="X-1")


@pytest.mark.parametrize(("fields", "constraint"), [
    ({"dob_month": 4}, "dob_month_needs_year"),
    ({"dob_year": 2011, "dob_day": 3}, "dob_day_needs_month"),
    ({"dob_year": 2011, "dob_month": 13}, "dob_month_in_range"),
    ({"nhs_number": "12345"}, "nhs_number_ten_digits"),
    ({"source_id": ""}, "source_id_not_blank"),
])
def test_database_constraints_hold_even_without_the_service(agency, fields, constraint):
    with pytest.raises(IntegrityError, match=constraint) as error, transaction.atomic():
        SourceRecordFactory(agency=agency, **fields)
    assert error is not None


def test_same_uprn_shares_one_address(agency):
    a = source_record_receive(agency=agency, source_id="A", data=LEAH).record
    b = source_record_receive(agency=agency, source_id="B", data={**LEAH, "given_names": "Kayden"}).record
    assert a.address_id == b.address_id


def test_a_change_of_borough_or_restriction_alone_is_a_new_version_that_keeps_it(agency):
    from tests.factories import borough

    source_record_receive(agency=agency, source_id="M-1", data=LEAH)
    moved = source_record_receive(agency=agency, source_id="M-1", data=LEAH, borough=borough("E09000022"))
    hidden = source_record_receive(agency=agency, source_id="M-1", data=LEAH, borough=borough("E09000022"),
                                   restricted=True)
    assert (moved.outcome, moved.record.borough.name) == ("updated", "Lambeth")
    assert hidden.outcome == "updated" and hidden.record.restricted
    kept = hidden.record.versions.order_by("-version").first()
    assert (kept.version, kept.data["restricted"], kept.data["borough"]) == (2, False, "E09000022")


def test_a_taken_reference_is_drawn_again(agency, monkeypatch):
    from lantern.people import services
    from tests.factories import PersonFactory

    PersonFactory(reference="HXK4-RM7J")
    draws = iter(["HXK4-RM7J", "HXK4-RM7J", "AAAA-AAAA"])
    monkeypatch.setattr(services, "new_references", lambda count: [next(draws) for _ in range(count)])
    assert services.person_create().reference == "AAAA-AAAA"
