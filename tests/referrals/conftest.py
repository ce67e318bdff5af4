"""People and agencies at the front door: a Hackney MASH, an officer, a school and a GP surgery."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from lantern.accounts.models import Role, User
from lantern.organisations.models import Agency, AgencyKind
from lantern.referrals.models import Contact, Source
from lantern.referrals.services import NewContact, contact_create
from tests.factories import AgencyFactory, UserFactory, borough

LONDON = ZoneInfo("Europe/London")
# A Monday morning in working hours, with no bank holiday near it.
MONDAY_10AM = datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)


@dataclass
class FrontDoor:
    met: Agency
    school: Agency
    health: Agency
    researcher: User
    colleague: User
    supervisor: User
    officer: User
    teacher: User
    gp: User
    lambeth_researcher: User


@pytest.fixture
def front_door(db: None) -> FrontDoor:
    hackney, lambeth = borough("E09000012"), borough("E09000022")
    met = AgencyFactory(code="met", name="Metropolitan Police Service", kind=AgencyKind.POLICE)
    school = AgencyFactory(code="mossbourne", name="Mossbourne Academy", kind=AgencyKind.SCHOOL, borough=hackney)
    health = AgencyFactory(code="homerton", name="Homerton Healthcare", kind=AgencyKind.HEALTH, borough=hackney)
    return FrontDoor(
        met=met, school=school, health=health,
        researcher=UserFactory(username="priya", first_name="Priya", last_name="Shah", role=Role.RESEARCHER,
                               agency=met, borough=hackney),
        colleague=UserFactory(username="joe", first_name="Joe", last_name="Bloggs", role=Role.RESEARCHER,
                              agency=met, borough=hackney),
        supervisor=UserFactory(username="tom", first_name="Tom", last_name="Okafor", role=Role.SUPERVISOR,
                               agency=met, borough=hackney),
        officer=UserFactory(username="dan", first_name="Dan", last_name="Reilly", role=Role.OFFICER, agency=met,
                            borough=hackney),
        teacher=UserFactory(username="helen", first_name="Helen", last_name="Clarke", role=Role.PARTNER,
                            agency=school, borough=hackney),
        gp=UserFactory(username="gp", first_name="Ada", last_name="Osei", role=Role.PARTNER, agency=health,
                       borough=hackney),
        lambeth_researcher=UserFactory(username="lam", role=Role.RESEARCHER, agency=met, borough=lambeth),
    )


def officer_contact(front_door: FrontDoor, *, now: datetime = MONDAY_10AM, key: str | None = None,
                    **changes: object) -> Contact:
    """Record an officer's contact about a Hackney child (E5 8HP is in Hackney)."""
    fields: dict = {
        "source": Source.OFFICER,
        "subject": {"given_names": "Leah", "family_name": "Morgan", "date_of_birth": "2013-04-17", "sex": "female",
                    "address": {"line1": "14 Clapton Square", "postcode": "E5 8HP"}},
        "what_happened": "Found alone at a bus stop at 23:00, upset, said she could not go home.",
        "risk_consideration": "Possible neglect or abuse at home; at risk of exploitation out at night.",
        "action_taken": "Took her to a relative's address and checked she was safe.",
        "location": "Bus stop, Lower Clapton Road", "submission_key": key,
        **changes,
    }
    return contact_create(NewContact(**fields), reporter=front_door.officer, now=now)
