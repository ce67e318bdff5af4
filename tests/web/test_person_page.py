"""The single view: identity and markers, risk, chronology (filter and export), household and
family, network, provenance; scoped by the access checkpoint, and pseudonymised for scrutiny."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.people.models import Person
from tests.factories import (
    AgencyFactory,
    EventFactory,
    InvolvementFactory,
    PersonFactory,
    SourceRecordFactory,
    UserFactory,
    borough,
)

HACKNEY = "E09000012"


def at(days_ago: int) -> datetime:
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def met(db):
    return AgencyFactory(code="met", name="Metropolitan Police Service")


@pytest.fixture
def csc(db):
    return AgencyFactory(code="csc-e09000012", name="Hackney Children's Social Care")


def involve(event, record, role):
    InvolvementFactory(event=event, source_record=record, role=role)
    return event


@pytest.fixture
def family(met, csc):
    """Leah (14), her mother, her brother, her stepfather (an RSO at the address) and Tyler, an older associate."""
    leah = PersonFactory()
    home = {"address_line1": "4 Amhurst Road", "postcode": "E8 1DY"}
    leah_met = SourceRecordFactory(agency=met, person=leah, source_id="MET-LEAH", given_names="Leah",
                                   family_name="Morgan", dob_year=2012, dob_month=4, dob_day=17, sex="female",
                                   nhs_number="9434765919", **home)
    leah_csc = SourceRecordFactory(agency=csc, person=leah, source_id="CSC-88", given_names="Leah",
                                   family_name="Morgan-Reid", dob_year=2012, dob_month=4, dob_day=17, **home)
    from lantern.people.services import _resolve_address  # the address row records share

    address = _resolve_address({"line1": home["address_line1"], "postcode": home["postcode"]}, borough())
    mother = SourceRecordFactory(agency=csc, source_id="CSC-MUM", given_names="Dawn", family_name="Morgan",
                                 dob_year=1985, address=address, **home)
    brother = SourceRecordFactory(agency=csc, source_id="CSC-BRO", given_names="Kai", family_name="Morgan",
                                  dob_year=2016, address_line1="Foster placement")  # lives elsewhere
    stepfather = SourceRecordFactory(agency=met, source_id="MET-STEP", given_names="Gary", family_name="Reid",
                                     dob_year=1979, address=address, **home)
    tyler = SourceRecordFactory(agency=met, source_id="MET-TY", given_names="Tyler", family_name="Grant", dob_year=2004)
    for record in (leah_met, leah_csc):
        record.address = address
        record.save()

    involve(involve(EventFactory(agency=csc, type="child_protection_plan", occurred_at=at(200),
                                 attributes={"category": "neglect", "start_date": at(200).date().isoformat(),
                                             "end_date": None}), leah_csc, "subject"), mother, "parent_carer")
    involve(involve(EventFactory(agency=csc, type="child_protection_plan", occurred_at=at(900),
                                 attributes={"category": "emotional", "start_date": at(900).date().isoformat(),
                                             "end_date": at(700).date().isoformat()}), brother, "subject"),
            mother, "parent_carer")
    returned = at(10).replace(microsecond=0).isoformat()
    for days in (30, 20, 12):
        missing = EventFactory(agency=met, type="missing_episode", occurred_at=at(days),
                               attributes={"risk_grade": "high", "reported_missing_at": at(days).isoformat(),
                                           "returned_at": returned if days == 12 else at(days - 1).isoformat(),
                                           "return_interview_offered_at":
                                               None if days == 12 else at(days - 2).isoformat()})
        involve(involve(missing, leah_met, "missing_person"), tyler, "associate")
    crime = EventFactory(agency=met, type="crime", occurred_at=at(5),
                         attributes={"offence": "Possession with intent to supply", "category": "drugs",
                                     "status": "open", "domestic_setting": False, "child_abuse": False})
    involve(involve(crime, leah_met, "suspect"), tyler, "suspect")
    involve(EventFactory(agency=met, type="exploitation_assessment", occurred_at=at(8),
                         attributes={"exploitation_type": "criminal", "grade": "high", "safeguard_indicators": []}),
            leah_met, "subject")
    involve(EventFactory(agency=met, type="rso_registration", occurred_at=at(400),
                         attributes={"offence": "Sexual assault", "notification_start": at(400).date().isoformat(),
                                     "notification_end": None, "risk_grade": "high", "mappa_level": 2,
                                     "offender_manager": "DC Hale"}), stepfather, "offender")
    return {"leah": leah, "mother": mother, "brother": brother, "stepfather": stepfather, "tyler": tyler,
            "leah_met": leah_met, "leah_csc": leah_csc}


@pytest.fixture
def researcher(met):
    return UserFactory(username="priya", first_name="Priya", last_name="Shah", role=Role.RESEARCHER, agency=met,
                       borough=borough(HACKNEY))


def page(client, user, person, **params):
    client.force_login(user)
    response = client.get(reverse("web:person", args=[person.reference]), params)
    assert response.status_code == 200
    return response


def test_the_person_page_puts_every_agency_together(client, researcher, family):
    response = page(client, researcher, family["leah"])
    body = response.content.decode()
    identity = response.context["identity"]
    assert identity.name in ("Leah Morgan", "Leah Morgan-Reid")
    assert identity.age == timezone.localdate().year - 2012 - (timezone.localdate() < timezone.localdate().replace(
        month=4, day=17))
    assert ("NHS number", "9434765919", "Metropolitan Police Service") in identity.identifiers
    assert {m.rule.code for m in response.context["access"].markers} == {"cp_plan", "exploitation_risk",
                                                                         "open_investigation"}
    assert [(a.label, a.grade) for a in response.context["assessments"]] == [
        ("Exploitation risk", "high"), ("Missing person risk", "high")]
    [overdue] = response.context["overdue"]
    assert overdue.label == "Return interview not offered"
    assert "Possession with intent to supply; status: open" in body
    assert len(response.context["entries"]) == 6


def test_household_family_and_network(client, researcher, family):
    connections = page(client, researcher, family["leah"]).context["connections"]
    household = {c.name: c for c in connections.household}
    assert household["Dawn Morgan"].relationships == {"Parent or carer", "Lives at the same address"}
    assert household["Kai Morgan"].relationships == {"Sibling"}
    assert household["Gary Reid"].relationships == {"Lives at the same address"}
    assert [m.rule.code for m in household["Gary Reid"].markers] == ["rso"]
    [tyler] = [c for c in connections.network if c.name == "Tyler Grant"]
    assert tyler.together == 4
    assert tyler.role_labels == "Associate, Suspect"
    assert connections.network[0].name == "Tyler Grant"
    assert {node.label for node in connections.graph.nodes} >= {"This person", "Tyler Grant", "Dawn Morgan"}
    entry = AuditEntry.objects.get(verb=AuditVerb.PERSON_CONNECTIONS_VIEW)
    assert family["stepfather"].person.reference in entry.payload["shown"]


def test_chronology_filters_by_agency_type_and_period(client, researcher, family, csc):
    def shown(**params):
        return [e.event.type for e in page(client, researcher, family["leah"], **params).context["entries"]]

    assert shown(agency=csc.code) == ["child_protection_plan"]
    assert shown(type="missing_episode") == ["missing_episode"] * 3
    start = (timezone.localdate() - timedelta(days=15)).strftime("%d/%m/%Y")
    assert shown(start=start) == ["crime", "exploitation_assessment", "missing_episode"]
    response = page(client, researcher, family["leah"], start="31/2/2026")
    assert "Enter the start date like 1/4/2024" in response.content.decode()
    response = page(client, researcher, family["leah"], start="1/1/2026", end="1/1/2025")
    assert "The end date must be the same as or after the start date" in response.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "pdf"])
def test_exports_are_filtered_marked_and_audited(client, researcher, family, file_format):
    client.force_login(researcher)
    url = reverse("web:person-chronology-export", args=[family["leah"].reference, file_format])
    response = client.get(url, {"type": "missing_episode"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="chronology-{family["leah"].reference}')
    content = response.content
    if file_format == "csv":
        lines = content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("occurred_at,agency,event_type")
        assert len(lines) == 4 and all("Priya Shah (priya)" in line for line in lines[1:])
    else:
        assert content.startswith(b"%PDF-")
    entry = AuditEntry.objects.get(verb=AuditVerb.EXPORT)
    assert entry.actor == researcher
    assert entry.payload == {"what": "chronology", "format": file_format, "events": 3, "pseudonymised": False,
                             "filters": {"agencies": [], "types": ["missing_episode"], "start": None, "end": None}}
    docx = reverse("web:person-chronology-export", args=[family["leah"].reference, "docx"])
    assert client.get(docx).status_code == 404


def test_an_agency_reference_that_looks_like_a_formula_is_exported_as_text(client, researcher, family):
    from lantern.events.models import Event

    event = Event.objects.filter(type="missing_episode").order_by("pk").first()
    Event.objects.filter(pk=event.pk).update(source_id="=cmd|' /C calc'!A0")
    client.force_login(researcher)
    url = reverse("web:person-chronology-export", args=[family["leah"].reference, "csv"])

    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))

    assert "'=cmd|' /C calc'!A0" in [row["agency_reference"] for row in rows]
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def test_an_officer_sees_only_their_agency_and_is_told_more_exists(client, met, family):
    officer = UserFactory(role=Role.OFFICER, agency=met, borough=borough(HACKNEY))
    response = page(client, officer, family["leah"])
    body = response.content.decode()
    assert "Other agencies hold more about this person" in body
    assert {e.event.agency.code for e in response.context["entries"]} == {"met"}
    names = {c.name for c in [*response.context["connections"].household, *response.context["connections"].network]}
    assert "Dawn Morgan" not in names and "Kai Morgan" not in names  # social care's records
    assert "Gary Reid" in names and "Tyler Grant" in names
    assert "CSC-88" not in body


def test_scrutiny_sees_connections_without_names(client, family):
    panel = UserFactory(role=Role.SCRUTINY, agency=None, borough=None)
    response = page(client, panel, family["leah"])
    body = response.content.decode()
    for identifying in ("Leah", "Morgan", "Tyler", "Dawn", "Gary", "Amhurst", "E8 1DY", "9434765919", "MET-LEAH"):
        assert identifying not in body, identifying
    assert "Person 1" in body
    assert "Not the same person" not in body


def test_the_page_takes_the_same_queries_however_many_events(client, researcher, family, met):
    def queries() -> int:
        client.force_login(researcher)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("web:person", args=[family["leah"].reference])).status_code == 200
        return len(captured)

    before = queries()
    for days in range(40):
        event = EventFactory(agency=met, type="stop_and_search", occurred_at=at(100 + days),
                             attributes={"legislation": "pace_s1", "outcome": "nothing_found"})
        involve(involve(event, family["leah_met"], "subject"), SourceRecordFactory(agency=met), "associate")
    assert queries() == before


def test_a_doubted_record_asks_for_a_reason_first(client, researcher, family):
    client.force_login(researcher)
    url = reverse("web:person-record-not-same", args=[family["leah"].reference, family["leah_csc"].pk])
    assert "Why is this record not the same person?" in client.get(url).content.decode()
    response = client.post(url, {"because": "short"})
    assert response.status_code == 400
    assert "Your reason must be at least 10 characters" in response.content.decode()
    # No linkage model has been trained here, so the request is refused plainly.
    response = client.post(url, {"because": "Different date of birth at school"})
    assert "This cannot go to review yet" in response.content.decode()
    other = reverse("web:person-record-not-same", args=[family["leah"].reference, family["mother"].pk])
    assert client.get(other).status_code == 404


def test_unknown_people_are_not_found(client, researcher):
    client.force_login(researcher)
    assert client.get(reverse("web:person", args=["HXK4-RM7J"])).status_code == 404
    assert not Person.objects.exists()
