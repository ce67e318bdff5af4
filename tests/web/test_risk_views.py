"""Recording and reading risk assessments through the web pages."""

import re

import pytest
from django.urls import reverse

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.risk.models import Assessment
from tests.factories import AgencyFactory, SourceRecordFactory, UserFactory, borough
from tests.risk.test_engine import answers_for


@pytest.fixture
def police(db):
    return AgencyFactory(code="met", name="Metropolitan Police Service")


@pytest.fixture
def researcher(police):
    return UserFactory(username="priya", role=Role.RESEARCHER, agency=police, borough=borough(),
                       first_name="Priya", last_name="Shah")


@pytest.fixture
def victim(police):
    return SourceRecordFactory(agency=police, given_names="Jess", family_name="Doyle", dob_year=1990).person


def dash_post(yes: int, **extra: str) -> dict[str, str]:
    return answers_for("dash", yes) | extra


def test_choose_an_instrument_then_answer_it(client, researcher, victim):
    client.force_login(researcher)
    person_page = client.get(reverse("web:person", args=[victim.reference])).content.decode()
    choose_url = reverse("web:risk-assess", args=[victim.reference])
    assert "Record a risk assessment" in person_page and choose_url in person_page

    page = client.get(choose_url + "?contact=C-2026-0042")
    assert page.status_code == 200
    body = page.content.decode()
    for name in ("DASH", "Missing person risk assessment", "Prevent Vulnerability Assessment Framework"):
        assert name in body
    refused = client.post(choose_url, {"contact": "C-2026-0042"})
    assert refused.status_code == 400 and "Select an assessment" in refused.content.decode()
    chosen = client.post(choose_url, {"instrument": "dash", "contact": "C-2026-0042"})
    assert chosen.status_code == 302
    next_url = reverse("web:risk-assess-with", args=[victim.reference, "dash"])
    assert chosen["Location"] == next_url + "?contact=C-2026-0042"


def test_a_dash_with_a_missing_answer_shows_the_error_summary(client, researcher, victim):
    client.force_login(researcher)
    url = reverse("web:risk-assess-with", args=[victim.reference, "dash"])
    form = client.get(url)
    assert form.status_code == 200
    assert "Has the current incident resulted in injury?" in form.content.decode()
    answers = dash_post(14)
    del answers["q05_depressed"]
    refused = client.post(url, answers)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "There is a problem" in body
    assert '<a href="#id_q05_depressed">Select yes, no or don&#x27;t know for question 5</a>' in body
    assert not Assessment.objects.exists()


def test_a_good_dash_is_recorded_and_shown(client, researcher, victim):
    client.force_login(researcher)
    url = reverse("web:risk-assess-with", args=[victim.reference, "dash"]) + "?contact=C-2026-0042"
    assert 'value="C-2026-0042"' in client.get(url).content.decode()
    response = client.post(url, dash_post(14, contact="C-2026-0042"))
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:risk-assessment", args=[victim.reference, assessment.pk])
    assert (assessment.grade, assessment.contact_reference) == ("high", "C-2026-0042")
    assert assessment.context["age"] >= 35 and assessment.assessor == researcher
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Assessment recorded: High. 2 referrals triggered." in body
    assert re.search(r'id="grade">High<', body) and "Refer to the MARAC" in body and "Version 2009" in body
    assert "Priya Shah, Metropolitan Police Service" in body and "C-2026-0042" in body
    assert AuditEntry.objects.filter(verb=AuditVerb.RISK_VIEW, target_id=str(assessment.pk)).count() == 1
    person_page = client.get(reverse("web:person", args=[victim.reference])).content.decode()
    assert "Domestic abuse, stalking" in person_page and "High" in person_page


def test_an_assessor_grade_with_a_refused_choice(client, researcher, police):
    child = SourceRecordFactory(agency=police, dob_year=2015).person
    client.force_login(researcher)
    url = reverse("web:risk-assess-with", args=[child.reference, "cse"])
    body = client.get(url).content.decode()
    assert "S: Sexual health and behaviour" in body and "Does the person have a learning disability?" in body
    answers = answers_for("cse", {"a_absent"})
    refused = client.post(url, answers | {"context_learning_disability": "no", "grade": "category_1"})
    assert refused.status_code == 400
    assert "A child under 13 cannot be placed in category 1" in refused.content.decode()
    asked = client.post(url, answers | {"grade": "category_2"})
    assert asked.status_code == 400 and "Select yes or no: does the person have a learning disability?" in \
        asked.content.decode()
    assert client.post(url, answers | {"context_learning_disability": "no", "grade": "category_2"}).status_code == 302
    assert Assessment.objects.get().referral_codes == ["strategy_discussion"]


def test_others_cannot_assess_or_read(client, researcher, victim):
    client.force_login(researcher)
    client.post(reverse("web:risk-assess-with", args=[victim.reference, "dash"]), dash_post(3))
    assessment = Assessment.objects.get()
    outsider = UserFactory(role=Role.OFFICER, agency=AgencyFactory())
    client.force_login(outsider)
    assert client.get(reverse("web:risk-assess", args=[victim.reference])).status_code == 404
    assert client.get(reverse("web:risk-assessment", args=[victim.reference, assessment.pk])).status_code == 404
    scrutiny = UserFactory(role=Role.SCRUTINY, agency=None, borough=None)
    client.force_login(scrutiny)
    assert client.get(reverse("web:risk-assess", args=[victim.reference])).status_code == 403
    assert client.get(reverse("web:risk-assessment", args=[victim.reference, assessment.pk])).status_code == 200
    client.force_login(researcher)
    assert client.get(reverse("web:risk-assess-with", args=[victim.reference, "nonsense"])).status_code == 404


def test_restricted_records_need_a_reason_first_and_it_is_kept(client, researcher, police):
    person = SourceRecordFactory(agency=police, restricted=True).person
    client.force_login(researcher)
    url = reverse("web:risk-assess-with", args=[person.reference, "dash"])
    assert "This person has restricted records" in client.get(url).content.decode()
    opened = client.post(url, {"reason": "MASH research for a strategy discussion"})
    assert opened.status_code == 200 and "Has the current incident resulted in injury?" in opened.content.decode()
    assert not Assessment.objects.exists()
    assert client.post(url, dash_post(1)).status_code == 302
