"""A small made-up data set for `lantern demo`: a few families in Hackney and Lambeth.

Written through the same services as real feeds, so it is validated and audited the same
way. Loading it twice changes nothing. The synthetic London generator replaces it later.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lantern.accounts.models import Role, User
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.events.services import event_receive
from lantern.organisations.models import Agency, AgencyKind, Borough
from lantern.people.models import Person, SourceRecord
from lantern.people.services import source_record_receive
from lantern.sharing.models import LegalBasis
from lantern.sharing.services import record_share

HACKNEY, LAMBETH = "E09000012", "E09000022"

AGENCIES = [
    ("met", "Metropolitan Police Service", AgencyKind.POLICE, None),
    ("csc-e09000012", "Hackney Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE, HACKNEY),
    ("csc-e09000022", "Lambeth Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE, LAMBETH),
    ("mossbourne", "Mossbourne Community Academy", AgencyKind.SCHOOL, HACKNEY),
    ("homerton", "Homerton Healthcare NHS Foundation Trust", AgencyKind.HEALTH, HACKNEY),
    ("probation-london", "Probation Service, London", AgencyKind.PROBATION, None),
]

# username, role, agency code, borough code, first name, last name
DEMO_USERS = [
    ("researcher", Role.RESEARCHER, "met", HACKNEY, "Priya", "Shah"),
    ("supervisor", Role.SUPERVISOR, "met", HACKNEY, "Tom", "Okafor"),
    ("investigator", Role.INVESTIGATOR, "met", HACKNEY, "Grace", "Hughes"),
    ("officer", Role.OFFICER, "met", HACKNEY, "Dan", "Reilly"),
    ("social-worker", Role.SOCIAL_WORKER, "csc-e09000012", HACKNEY, "Amira", "Haddad"),
    ("partner", Role.PARTNER, "mossbourne", HACKNEY, "Helen", "Clarke"),
    ("scrutiny", Role.SCRUTINY, None, None, "Martin", "Lowe"),
    ("admin", Role.ADMIN, "met", None, "Sam", "Adebayo"),
]

# agency, source id, person key, fields
RECORDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("met", "CRIS-P-100231", "leah", {
        "given_names": "Leah", "family_name": "Morgan", "date_of_birth": "2011-04-17", "sex": "female",
        "address": {"line1": "14 Clapton Square", "town": "London", "postcode": "E5 8HP",
                    "uprn": "100021012345"}}),
    ("csc-e09000012", "MOSAIC-558201", "leah", {
        "given_names": "Leah", "family_name": "Morgan-Price", "aliases": ["Lea Morgan"],
        "date_of_birth": "2011-04-17", "sex": "female", "nhs_number": "9434765919",
        "address": {"line1": "14 Clapton Square", "town": "London", "postcode": "E5 8HP",
                    "uprn": "100021012345"}}),
    ("mossbourne", "SIMS-77812", "leah", {
        "given_names": "Leah", "family_name": "Morgan", "date_of_birth": "2011-04-17",
        "sex": "female", "school_urn": "135583",
        "address": {"line1": "14 Clapton Sq", "postcode": "E5 8HP"}}),
    ("met", "CRIS-P-100232", "dean", {
        "given_names": "Dean", "family_name": "Price", "date_of_birth": "1984-09", "sex": "male",
        "address": {"line1": "14 Clapton Square", "town": "London", "postcode": "E5 8HP",
                    "uprn": "100021012345"}}),
    ("met", "CRIS-P-100233", "kayden", {
        "given_names": "Kayden", "family_name": "Morgan", "date_of_birth": "2008-01-30", "sex": "male",
        "phone": "07700 900123",
        "address": {"line1": "14 Clapton Square", "town": "London", "postcode": "E5 8HP",
                    "uprn": "100021012345"}}),
    ("homerton", "PAS-4471190", "kayden", {
        "given_names": "Kayden", "family_name": "Morgan", "date_of_birth": "2008-01-30", "sex": "male",
        "nhs_number": "4010232137", "address": {"line1": "14 Clapton Square", "postcode": "E5 8HP"}}),
    ("csc-e09000022", "LCS-903311", "ruby", {
        "given_names": "Ruby", "family_name": "Achterberg", "date_of_birth": "2014-11-02", "sex": "female",
        "address": {"line1": "3 Railton Road", "town": "London", "postcode": "SE24 0JN"}}),
    ("met", "CRIS-P-200877", "ruby", {
        "given_names": "Ruby", "family_name": "Achterberg", "date_of_birth": "2014-11-02", "sex": "female",
        "address": {"line1": "3 Railton Road", "town": "London", "postcode": "SE24 0JN"}}),
]
RESTRICTED = {("csc-e09000012", "MOSAIC-558201")}


def _ago(days: int) -> datetime:
    return (timezone.now() - timedelta(days=days)).replace(microsecond=0).astimezone(UTC)


def _events(records: dict[str, SourceRecord], borough: dict[str, Borough]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [
        {"agency": "met", "source_id": "CAD-4471-DA", "event_type": "domestic_abuse_incident",
         "occurred_at": _ago(3), "borough": borough[HACKNEY],
         "involvements": [(records["met:CRIS-P-100232"], "suspect"),
                          (records["met:CRIS-P-100231"], "child_present"),
                          (records["met:CRIS-P-100233"], "child_present")],
         "attributes": {"police_reference": "CAD 4471/12", "dash_risk": "high", "dash_yes_count": 15,
                        "children_present": True, "children_present_where": "upstairs bedroom",
                        "childs_voice": "Leah said she hid with her brother."}},
        {"agency": "csc-e09000012", "source_id": "CPP-2291", "event_type": "child_protection_plan",
         "occurred_at": _ago(30), "borough": borough[HACKNEY],
         "involvements": [(records["csc-e09000012:MOSAIC-558201"], "subject")],
         "attributes": {"category": "emotional", "start_date": (today - timedelta(days=30)).isoformat(),
                        "end_date": None}},
        {"agency": "met", "source_id": "MISPER-88121", "event_type": "missing_episode",
         "occurred_at": _ago(2), "borough": borough[HACKNEY],
         "involvements": [(records["met:CRIS-P-100233"], "missing_person")],
         "attributes": {"risk_grade": "high", "reported_missing_at": _ago(2).isoformat(),
                        "returned_at": _ago(1).isoformat()}},
        {"agency": "met", "source_id": "MACE-1120", "event_type": "exploitation_assessment",
         "occurred_at": _ago(20), "borough": borough[HACKNEY],
         "involvements": [(records["met:CRIS-P-100233"], "subject")],
         "attributes": {"exploitation_type": "criminal", "grade": "high",
                        "safeguard_indicators": ["gangs_older_associates", "unexplained_gifts"]}},
        {"agency": "homerton", "source_id": "ED-2026-55120", "event_type": "health_attendance",
         "occurred_at": _ago(15), "borough": borough[HACKNEY],
         "involvements": [(records["homerton:PAS-4471190"], "subject")],
         "attributes": {"setting": "emergency_department", "reason": "Laceration to hand",
                        "safeguarding_concern": True}},
        {"agency": "mossbourne", "source_id": "CPOMS-3310", "event_type": "school_concern",
         "occurred_at": _ago(10), "borough": borough[HACKNEY],
         "involvements": [(records["mossbourne:SIMS-77812"], "subject")],
         "attributes": {"category": "attendance", "dsl_informed": True,
                        "details": "Absent four days in a fortnight; tired and withdrawn."}},
        {"agency": "csc-e09000022", "source_id": "LAC-7781", "event_type": "looked_after_period",
         "occurred_at": _ago(200), "borough": borough[LAMBETH],
         "involvements": [(records["csc-e09000022:LCS-903311"], "subject")],
         "attributes": {"legal_status": "care_order", "start_date": (today - timedelta(days=200)).isoformat(),
                        "end_date": None, "placement_type": "Foster care"}},
    ]


@transaction.atomic
def load_demo_data() -> dict[str, int]:
    """Create the demo agencies, records, events and users; return how many of each exist."""
    boroughs = {b.ons_code: b for b in Borough.objects.filter(ons_code__in=[HACKNEY, LAMBETH])}
    agencies = {}
    for code, name, kind, borough_code in AGENCIES:
        agencies[code], _ = Agency.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind,
                                 "borough": boroughs.get(borough_code) if borough_code else None})
    people: dict[str, Person] = {}
    records: dict[str, SourceRecord] = {}
    for agency_code, source_id, person_key, fields in RECORDS:
        existing = SourceRecord.objects.filter(agency__code=agency_code, source_id=source_id).first()
        result = source_record_receive(
            agency=agencies[agency_code], source_id=source_id, data=fields,
            source_system=source_id.split("-")[0], restricted=(agency_code, source_id) in RESTRICTED,
            # The demo shows records already joined up, as linkage will do for real feeds.
            person=existing.person if existing else people.get(person_key),
        )
        people.setdefault(person_key, result.record.person)  # type: ignore[arg-type]
        records[f"{agency_code}:{source_id}"] = result.record
    for spec in _events(records, boroughs):
        event_receive(agency=agencies[spec.pop("agency")], **spec)
    _create_demo_users(agencies, boroughs)
    share_actor = User.objects.get(username="social-worker")
    record_share(target=records["csc-e09000012:MOSAIC-558201"], agency=agencies["mossbourne"],
                 legal_basis=LegalBasis.CHILDREN_ACT_2004_S11, actor=share_actor,
                 reason="School needs to know Leah is on a child protection plan")
    return {"people": Person.objects.filter(merged_into__isnull=True).count(), "records": SourceRecord.objects.count(),
            "users": User.objects.filter(is_demo=True).count()}


def _create_demo_users(agencies: dict[str, Agency], boroughs: dict[str, Borough]) -> None:
    for username, role, agency_code, borough_code, first, last in DEMO_USERS:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "agency": agencies.get(agency_code or ""),
                      "borough": boroughs.get(borough_code or ""), "first_name": first,
                      "last_name": last, "is_demo": True, "is_active": True},
        )
        if created or not user.check_password(settings.LANTERN_DEMO_PASSWORD):
            user.set_password(settings.LANTERN_DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if created:
            audit_write(actor=None, verb=AuditVerb.USER_CREATE, target=user,
                        payload={"role": role, "demo": True})
