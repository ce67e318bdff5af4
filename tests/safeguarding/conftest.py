"""A small hand-made world for the rules: the Met, Hackney's social care, a school, and people at two addresses."""

from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest

from lantern.events.models import Event
from lantern.events.services import event_receive
from lantern.organisations.models import Agency, AgencyKind, Borough
from lantern.people.models import Address, SourceRecord
from lantern.people.services import source_record_receive
from lantern.safeguarding.engine import RunReport, rules_run_on_events

HOME = {"line1": "14 Clapton Square", "town": "London", "postcode": "E5 8HP", "uprn": "100021012345"}
ELSEWHERE = {"line1": "3 Railton Road", "town": "London", "postcode": "E8 1AA"}


def at(text: str) -> datetime:
    """Return a UTC moment from "2025-06-10 21:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class World:
    """Agencies, people and events made through the same services as real feeds."""

    def __init__(self) -> None:
        self.hackney = Borough.objects.get(ons_code="E09000012")
        self.met, _ = Agency.objects.get_or_create(
            code="met", defaults={"name": "Metropolitan Police Service", "kind": AgencyKind.POLICE})
        self.csc, _ = Agency.objects.get_or_create(
            code="csc-e09000012", defaults={"name": "Hackney Children's Social Care",
                                            "kind": AgencyKind.CHILDRENS_SOCIAL_CARE, "borough": self.hackney})
        self.school, _ = Agency.objects.get_or_create(
            code="school-100001", defaults={"name": "Clapton Primary School", "kind": AgencyKind.SCHOOL,
                                            "borough": self.hackney})
        self.health, _ = Agency.objects.get_or_create(
            code="health-e09000012", defaults={"name": "Homerton Healthcare", "kind": AgencyKind.HEALTH,
                                               "borough": self.hackney})
        self._ids = count(1)

    def record(self, given: str, family: str, dob: str, *, sex: str = "female", agency: Agency | None = None,
               address: dict[str, str] | None = None, same_as: SourceRecord | None = None,
               school_urn: str = "") -> SourceRecord:
        data: dict[str, Any] = {"given_names": given, "family_name": family, "date_of_birth": dob, "sex": sex,
                                "address": address if address is not None else HOME}
        if school_urn:
            data["school_urn"] = school_urn
        agency = agency or self.met
        result = source_record_receive(agency=agency, source_id=f"{agency.code}-P{next(self._ids)}", data=data,
                                       person=same_as.person if same_as else None)
        record = result.record
        if same_as is not None and record.person_id != same_as.person_id:
            SourceRecord.objects.filter(pk=record.pk).update(person=same_as.person)
            record.refresh_from_db()
        return record

    def event(self, event_type: str, when: str, involvements: list[tuple[SourceRecord, str]],
              attributes: dict[str, Any], *, agency: Agency | None = None, source_id: str = "",
              location: dict[str, str] | None = None, narrative: str = "") -> Event:
        agency = agency or self.met
        event = event_receive(agency=agency, source_id=source_id or f"EV{next(self._ids)}", event_type=event_type,
                              occurred_at=at(when), involvements=involvements, attributes=attributes,
                              borough=self.hackney, narrative=narrative).event
        if location is not None:
            address = Address.objects.filter(source_records__address_line1=location["line1"]).first()
            Event.objects.filter(pk=event.pk).update(location=address)
            event.refresh_from_db()
        return event

    def run(self, *events: Event, now: str = "2026-03-31 12:00") -> RunReport:
        """Run the rules on these events as a replay (each judged as of its own time)."""
        return rules_run_on_events([e.pk for e in events], replay=True, now=at(now))


@pytest.fixture
def world(db: None) -> World:
    return World()
