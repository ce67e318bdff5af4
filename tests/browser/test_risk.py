"""Risk assessments in a real browser: a MASH researcher records a DASH for a victim, sees the grade
and the MARAC referral, and finds it on the person's page. Every page is checked with axe-core
(WCAG 2.2 AA) and photographed."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lantern.core.models import AuditEntry, AuditVerb
from lantern.people.models import SourceRecord
from lantern.risk.engine import instrument
from lantern.risk.models import Assessment

pytestmark = pytest.mark.browser

Check = Callable[[str], None]
SignIn = Callable[..., None]


def test_a_researcher_records_a_dash_and_sees_the_marac_referral(
        page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check) -> None:
    kayden = SourceRecord.objects.get(source_id="CRIS-P-100233").person
    sign_in("researcher")
    page.goto(f"{live_server.url}/people/{kayden.reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Kayden Morgan"))
    page.get_by_role("link", name="Record a risk assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a risk assessment")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Select an assessment")
    check_page("risk-choose-error")

    page.get_by_label(re.compile("^Domestic abuse, stalking")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(DASH) risk identification checklist")
    check_page("risk-dash-form")

    dash = instrument("dash")
    scored = [q for q in dash.questions if q.scored]
    for question in scored[:13]:
        page.get_by_role("group", name=f"{question.number}. {question.text}").get_by_label("Yes").check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_role("alert")).to_contain_text("Select yes, no or don't know for question 14")
    check_page("risk-dash-error")

    for question in scored[13:]:
        answer = "Yes" if question.number == 14 else "No"
        page.get_by_role("group", name=f"{question.number}. {question.text}").get_by_label(answer, exact=True).check()
    page.get_by_role("group", name=re.compile("^28. On your professional judgement")).get_by_label(
        "No", exact=True).check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_role("alert")).to_contain_text("Assessment recorded: High. 2 referrals triggered.")
    expect(page.locator("#grade")).to_have_text("High")
    expect(page.locator("main")).to_contain_text("Refer to the MARAC: Visible high risk: 14 or more yes answers")
    expect(page.locator("main")).to_contain_text("Priya Shah, Metropolitan Police Service")
    check_page("risk-assessment")

    assessment = Assessment.objects.get()
    assert (assessment.instrument_version, assessment.score, assessment.grade) == ("2009", 14, "high")
    assert AuditEntry.objects.filter(verb=AuditVerb.RISK_ASSESS, target_id=str(assessment.pk)).exists()

    page.get_by_role("link", name="Back to the person").click()
    expect(page.locator("#risk ~ .govuk-grid-row")).to_contain_text("Domestic abuse, stalking")
    check_page("risk-on-person")
