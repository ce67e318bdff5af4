import pytest

from lantern.accounts.models import Role
from tests.factories import AgencyFactory, SourceRecordFactory, UserFactory, borough


@pytest.fixture
def police(db):
    return AgencyFactory(code="met", name="Metropolitan Police Service")


@pytest.fixture
def researcher(police):
    return UserFactory(username="priya", role=Role.RESEARCHER, agency=police, borough=borough(),
                       first_name="Priya", last_name="Shah")


@pytest.fixture
def victim(police):
    """An adult the researcher can see: one police record, in Hackney."""
    return SourceRecordFactory(agency=police, given_names="Jess", family_name="Doyle", dob_year=1990,
                               dob_month=6, dob_day=1).person
