"""A Hackney family for investigations: Leah and Kayden Morgan, and Dean Price, at 14 Clapton Square.

Records and events go in through the same services as real feeds (`source_record_receive`,
`event_receive`), so addresses are resolved and everything is audited as it would be.
"""

from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from lantern.accounts.models import Role, User
from lantern.events.models import Event
from lantern.events.services import event_receive
from lantern.investigations.models import Investigation, Strand
from lantern.investigations.services import investigation_open
from lantern.organisations.models import Agency, AgencyKind
from lantern.people.models import Person, SourceRecord
from lantern.people.services import source_record_receive
from tests.factories import AgencyFactory, PersonFactory, UserFactory, borough

HACKNEY, LAMBETH = "E09000012", "E09000022"
CLAPTON = {"line1": "14 Clapton Square", "town": "London", "postcode": "E5 8HP", "uprn": "100021012345"}
RAILTON = {"line1": "3 Railton Road", "town": "London", "postcode": "SE24 0JN"}
_ids = count(1)


@dataclass
class Case:
    met: Agency
    csc: Agency
    investigator: User
    colleague: User
    supervisor: User
    researcher: User
    officer: User
    lambeth_supervisor: User
    social_worker: User
    leah: SourceRecord
    kayden: SourceRecord
    dean: SourceRecord
    ruby: SourceRecord
    da: Event

    def record(self, agency: Agency, given: str, family: str, dob: str, address: dict[str, str] | None,
               person: Person | None = None, **extra: Any) -> SourceRecord:
        data = {"given_names": given, "family_name": family, "date_of_birth": dob, "address": address, **extra}
        return source_record_receive(agency=agency, source_id=f"REC-{next(_ids)}", data=data,
                                     person=person or PersonFactory()).record

    def event(self, event_type: str, involvements: list[tuple[SourceRecord, str]], *, agency: Agency | None = None,
              days_ago: int = 1, area: str = HACKNEY, **attributes: Any) -> Event:
        return event_receive(agency=agency or self.met, source_id=f"EV-{next(_ids)}", event_type=event_type,
                             occurred_at=timezone.now() - timedelta(days=days_ago), borough=borough(area),
                             involvements=involvements, attributes=attributes).event

    def crime(self, involvements: list[tuple[SourceRecord, str]], **attributes: Any) -> Event:
        return self.event("crime", involvements, **{"category": "rape", "domestic_setting": True, **attributes})

    def open(self, event: Event | None = None, actor: User | None = None, **changes: Any) -> Investigation:
        actor = actor or self.investigator
        fields: dict[str, Any] = {"event": event or self.da, "title": "Domestic abuse at 14 Clapton Square",
                                  "strands": [Strand.DOMESTIC_ABUSE], "officer": actor, "actor": actor, **changes}
        return investigation_open(**fields)


@pytest.fixture
def case(db: None) -> Case:
    hackney, lambeth = borough(HACKNEY), borough(LAMBETH)
    met = AgencyFactory(code="met", name="Metropolitan Police Service", kind=AgencyKind.POLICE)
    csc = AgencyFactory(code="csc-e09000012", name="Hackney Children's Social Care",
                        kind=AgencyKind.CHILDRENS_SOCIAL_CARE, borough=hackney)

    def staff(username: str, role: str, agency: Agency = met, area: Any = hackney, **names: str) -> User:
        return UserFactory(username=username, role=role, agency=agency, borough=area, **names)

    made = Case(
        met=met, csc=csc,
        investigator=staff("grace", Role.INVESTIGATOR, first_name="Grace", last_name="Hughes"),
        colleague=staff("ravi", Role.INVESTIGATOR, first_name="Ravi", last_name="Patel"),
        supervisor=staff("tom", Role.SUPERVISOR, first_name="Tom", last_name="Okafor"),
        researcher=staff("priya", Role.RESEARCHER, first_name="Priya", last_name="Shah"),
        officer=staff("dan", Role.OFFICER, first_name="Dan", last_name="Reilly"),
        lambeth_supervisor=staff("lam", Role.SUPERVISOR, area=lambeth),
        social_worker=staff("amira", Role.SOCIAL_WORKER, agency=csc),
        leah=None, kayden=None, dean=None, ruby=None, da=None,  # type: ignore[arg-type]
    )
    made.leah = made.record(met, "Leah", "Morgan", "2011-04-17", CLAPTON)
    made.kayden = made.record(met, "Kayden", "Morgan", "2008-01-30", CLAPTON)
    made.dean = made.record(met, "Dean", "Price", "1984-09", CLAPTON)
    made.ruby = made.record(met, "Ruby", "Achterberg", "2014-11-02", RAILTON)
    made.da = made.event("domestic_abuse_incident", [(made.dean, "suspect"), (made.leah, "child_present"),
                                                     (made.kayden, "child_present")],
                         days_ago=40, children_present=True, dash_risk="high")
    return made
