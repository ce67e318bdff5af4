"""The front door in a real browser: an officer records a child at the scene on a phone; the
MASH rates, takes and researches the contact; the school answers; a decision and strategy
discussion are recorded. The public's form works on a phone without signing in. Every page
is checked with axe-core (WCAG 2.2 AA) and photographed."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lantern.referrals.models import Contact, Source, Status
from lantern.web.front_door_forms import PublicConcernForm

pytestmark = pytest.mark.browser

Check = Callable[[str], None]
SignIn = Callable[..., None]
PHONE = {"width": 375, "height": 812}


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_contact_typed_at_the_scene_is_triaged_answered_and_decided(
        page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check) -> None:
    # The officer, on a phone at the scene.
    page.set_viewport_size(PHONE)
    sign_in("officer")
    page.get_by_role("link", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the child or adult?")
    check_page("officer-1-who")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter their first name")
    check_page("officer-1-who-error")
    page.get_by_label("First name, or what they are known as").fill("Jayden")
    page.get_by_label("Last name").fill("Okoro")
    page.get_by_label("Date of birth").fill("3/9/2012")
    page.get_by_label("Male", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Where do they live?")
    check_page("officer-2-home")
    page.get_by_label("House number and street").fill("22 Mare Street")
    page.get_by_label("Postcode").fill("e8 4rp")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Where and when did it happen?")
    check_page("officer-3-place")
    page.get_by_label("Where did it happen?").fill("Outside the chicken shop, 180 Mare Street")
    page.get_by_role("button", name="Continue").click()

    check_page("officer-4-what")
    page.get_by_label("Describe what happened").fill("Seen handing small packages to adults in cars at 22:30; "
                                                     "had £300 in cash and a second phone.")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What are the risks to their safety?")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Record your consideration of the risks")
    check_page("officer-5-risk-error")
    page.get_by_label("Your risk consideration").fill("Criminal exploitation (county lines) likely; "
                                                      "out late, unexplained cash and phone.")
    page.get_by_role("button", name="Continue").click()

    check_page("officer-6-action")
    page.get_by_label("Describe the action you took").fill("Took him home to his mother; seized the cash.")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    expect(page.locator("main")).to_contain_text("E8 4RP")
    check_page("officer-7-check")
    page.get_by_role("button", name="Send to the MASH").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sent to the MASH")
    check_page("officer-8-sent")
    contact = Contact.objects.get(source=Source.OFFICER)
    expect(page.locator(".govuk-panel")).to_contain_text(contact.reference)
    assert contact.borough.name == "Hackney" and contact.person is not None
    _sign_out(page)

    # The MASH researcher, at a desk.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("researcher")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="MASH queue").click()
    row = page.get_by_role("row", name=re.compile(contact.reference))
    expect(row).to_contain_text("Not rated")
    expect(row).to_contain_text("Due in")
    expect(row).to_contain_text("Not allocated")
    check_page("mash-queue")
    row.get_by_role("link", name=contact.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Contact {contact.reference}")
    expect(page.locator("main")).to_contain_text("What Lantern already knows")
    expect(page.locator("main")).to_contain_text(f"Person {contact.person.reference}")
    check_page("contact")

    page.get_by_role("link", name="Rate").click()
    page.get_by_label(re.compile("^Red")).check()
    page.get_by_label("Why this rating?").fill("Signs of criminal exploitation tonight")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("The rating is saved")
    expect(page.locator("main").locator(".govuk-tag--red").first).to_have_text("Red")
    check_page("contact-rated")

    page.get_by_role("link", name="Take this contact").click()
    check_page("contact-allocate")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Priya Shah since")

    page.get_by_role("link", name="Ask a partner agency").click()
    page.get_by_label("Agency to ask").select_option(label="Mossbourne Community Academy")
    page.get_by_label("What do you need to know?").fill("Attendance this term, and any concerns about exploitation?")
    check_page("contact-ask")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Your request has gone to Mossbourne Community Academy")
    _sign_out(page)

    # The school's safeguarding lead answers, seeing the request only.
    sign_in("partner")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Requests for information").click()
    check_page("partner-requests")
    page.get_by_role("link", name="Jayden Okoro").click()
    expect(page.locator("main")).to_contain_text("Attendance this term")
    expect(page.locator("main")).not_to_contain_text("chicken shop")
    check_page("partner-request")
    page.get_by_label("What does your agency hold?").fill("Attendance 61% this term; seen with older boys at the "
                                                          "gate; new trainers and phone.")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Your answer has gone to the Hackney MASH")
    _sign_out(page)

    # The researcher sees the answer, firewalled, and records the decision.
    sign_in("researcher")
    page.goto(f"{live_server.url}/contacts/{contact.reference}")
    expect(page.locator("main")).to_contain_text("Attendance 61% this term")
    expect(page.locator("main")).to_contain_text("Held in the MASH only")
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label(re.compile("^Strategy discussion")).check()
    page.get_by_label("Reasons for the decision").fill("Reasonable cause to suspect significant harm: "
                                                       "criminal exploitation.")
    page.get_by_label("Mossbourne Community Academy").check()
    check_page("contact-decide")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Strategy discussion (Children Act 1989, section 47)")
    expect(page.locator("main")).to_contain_text("Clock stopped")
    page.get_by_role("link", name="Record the strategy discussion").click()
    page.get_by_label("When was it held?").fill("20/11/2026 10:00")
    page.get_by_label("Who attended?").fill("Tom Okafor, Metropolitan Police\nAmira Haddad, Hackney Children's "
                                           "Social Care")
    page.get_by_label("What was decided?").fill("Section 47 enquiry; joint visit.")
    page.get_by_label("Actions agreed").fill("Joint visit | DC Hughes | Metropolitan Police | 24/11/2026")
    check_page("contact-strategy")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("table", name="Actions")).to_contain_text("DC Hughes")
    check_page("contact-decided")
    assert Contact.objects.get(pk=contact.pk).status == Status.DECIDED


def test_a_member_of_the_public_reports_a_concern_on_a_phone(
        page: Page, live_server: Any, demo_data: dict[str, int], check_page: Check,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PublicConcernForm, "MIN_SECONDS", 0)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/report-a-concern")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a concern about a child")
    check_page("public-form")
    page.get_by_role("button", name="Send your report").click()
    expect(page.get_by_role("alert")).to_contain_text("Tell us what you are worried about")
    check_page("public-form-error")
    page.get_by_label("The child's first name, or what they are called").fill("Ruby")
    page.get_by_label("Where can the child be found?").fill("3 Railton Road")
    page.get_by_label("Postcode, if you know it").fill("SE24 0JN")
    page.get_by_label("What are you worried about?").fill("I hear shouting and a child crying late every night.")
    page.get_by_role("button", name="Send your report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report has been sent")
    contact = Contact.objects.get(source=Source.PUBLIC)
    expect(page.locator(".govuk-panel")).to_contain_text(contact.reference)
    # Ruby is known to Lambeth; the page says nothing about that.
    expect(page.locator("main")).not_to_contain_text("Achterberg")
    check_page("public-sent")
    assert contact.borough.name == "Lambeth"
