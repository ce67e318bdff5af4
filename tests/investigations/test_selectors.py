"""Reads: joining an event found by hand, safeguarding actions whether or not lantern.safeguarding is there,
bail expiry in words, and a person's SPOCs."""


import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lantern.core.access import access_person_by_reference
from lantern.investigations.models import InvestigationEvent
from lantern.investigations.selectors import investigation_page, spocs_for_person
from lantern.investigations.services import event_join
from lantern.investigations.templatetags.investigation_tags import expiry

from .conftest import Case


def test_join_an_event_found_by_hand(case: Case) -> None:
    investigation = case.open()
    crime = case.crime([(case.ruby, "victim")], child_abuse=True)
    event_join(investigation=investigation, event=crime, reason="Ruby stays at the address at weekends",
               actor=case.investigator)
    assert InvestigationEvent.objects.filter(investigation=investigation, event=crime).exists()
    with pytest.raises(ValidationError, match="already in the investigation"):
        event_join(investigation=investigation, event=crime, reason="Ruby stays at the address at weekends",
                   actor=case.investigator)
    school = case.event("school_concern", [(case.leah, "subject")], category="attendance")
    with pytest.raises(ValidationError, match="Only domestic abuse"):
        event_join(investigation=investigation, event=school, reason="Attendance is part of the picture",
                   actor=case.investigator)


@pytest.mark.parametrize(("days", "words"), [(0, "Expires today"), (1, "Expires in 1 day"), (9, "Expires in 9 days"),
                                             (-1, "Expired 1 day ago"), (-3, "Expired 3 days ago")])
def test_expiry_in_words(days: int, words: str) -> None:
    assert expiry(days) == words


def test_a_persons_spocs_and_cases(case: Case) -> None:
    investigation = case.open()
    access = access_person_by_reference(case.investigator, case.kayden.person.reference)
    spocs = spocs_for_person(case.investigator, access)
    assert [s.spoc for s in spocs.families] == [case.investigator]
    assert spocs.investigations == [investigation]
    page = investigation_page(case.investigator, investigation, timezone.localdate())
    assert [p.name for p in page.people] == ["Dean Price", "Kayden Morgan", "Leah Morgan"]
    assert page.spoc is not None and page.hidden_events == 0
