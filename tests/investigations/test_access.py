"""Who may open an investigation: investigators their agency's in any borough, the MASH its borough's, officers
those they lead or are SPOC for, nobody else; hidden and missing both 404, and each view is audited."""

import pytest
from django.http import Http404

from lantern.accounts.models import Role
from lantern.core.access import access_investigation_by_reference, visible_investigations, works_on_investigation
from lantern.core.models import AuditEntry, AuditVerb
from lantern.investigations.services import family_spoc_assign
from lantern.organisations.models import AgencyKind
from tests.factories import AgencyFactory, UserFactory, borough

from .conftest import HACKNEY, LAMBETH, Case

SEES, HIDDEN = "sees", "hidden"
# (role, own agency?, own borough?) -> expected; written out by hand, not computed from the code.
MATRIX = {
    (Role.INVESTIGATOR, True, True): SEES, (Role.INVESTIGATOR, True, False): SEES,
    (Role.INVESTIGATOR, False, True): HIDDEN, (Role.INVESTIGATOR, False, False): HIDDEN,
    (Role.RESEARCHER, True, True): SEES, (Role.RESEARCHER, False, True): SEES, (Role.RESEARCHER, True, False): HIDDEN,
    (Role.SUPERVISOR, True, True): SEES, (Role.SUPERVISOR, False, True): SEES, (Role.SUPERVISOR, False, False): HIDDEN,
    (Role.OFFICER, True, True): HIDDEN, (Role.SOCIAL_WORKER, False, True): HIDDEN, (Role.PARTNER, False, True): HIDDEN,
    (Role.SCRUTINY, True, True): HIDDEN, (Role.ADMIN, True, True): HIDDEN,
}


def outcome(user, reference: str) -> str:
    try:
        access_investigation_by_reference(user, reference)
    except Http404:
        return HIDDEN
    return SEES


@pytest.mark.parametrize(("role", "own_agency", "own_borough"), list(MATRIX))
def test_access_matrix(case: Case, role: str, own_agency: bool, own_borough: bool) -> None:
    investigation = case.open()
    other_police = AgencyFactory(code="btp", kind=AgencyKind.POLICE)
    user = UserFactory(role=role, agency=case.met if own_agency else other_police,
                       borough=borough(HACKNEY if own_borough else LAMBETH))
    assert outcome(user, investigation.reference) == MATRIX[(role, own_agency, own_borough)]
    audited = AuditEntry.objects.filter(verb=AuditVerb.INVESTIGATION_VIEW, actor=user,
                                        target_id=investigation.reference).exists()
    assert audited == (MATRIX[(role, own_agency, own_borough)] == SEES)


def test_hidden_and_missing_look_the_same(case: Case) -> None:
    investigation = case.open()
    with pytest.raises(Http404) as hidden:
        access_investigation_by_reference(case.social_worker, investigation.reference)
    with pytest.raises(Http404) as missing:
        access_investigation_by_reference(case.investigator, "AAAA-AAAA")
    assert str(hidden.value) == str(missing.value)


def test_officers_see_what_they_lead_or_are_spoc_for(case: Case) -> None:
    led = case.open(officer=case.officer)
    other = case.open(event=case.crime([(case.ruby, "victim")], child_abuse=True), title="Ruby")
    assert set(visible_investigations(case.officer)) == {led}
    family_spoc_assign(investigation=other, spoc=case.officer, reason="Ward officer for Railton Road",
                       actor=case.investigator)
    assert set(visible_investigations(case.officer)) == {led, other}
    assert works_on_investigation(case.officer, other)


def test_an_inactive_user_sees_nothing(case: Case) -> None:
    case.open()
    case.investigator.is_active = False
    assert not visible_investigations(case.investigator).exists()


def test_who_works_on_an_investigation(case: Case) -> None:
    investigation = case.open()
    assert works_on_investigation(case.investigator, investigation)
    assert works_on_investigation(case.colleague, investigation)
    assert works_on_investigation(case.supervisor, investigation)
    assert not works_on_investigation(case.researcher, investigation)
    assert not works_on_investigation(case.lambeth_supervisor, investigation)
    assert not works_on_investigation(case.social_worker, investigation)
