"""The single view in a real browser: a MASH researcher finds a child from a misspelt name,
reads her page, filters her chronology and exports it; a scrutiny panel member sees the same
page without names. Every page is checked with axe-core (WCAG 2.2 AA) and photographed."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lantern.core.models import AuditEntry, AuditVerb
from lantern.people.models import SourceRecord

pytestmark = pytest.mark.browser

Check = Callable[[str], None]
SignIn = Callable[..., None]


def test_find_a_child_from_a_misspelt_name_then_filter_and_export(
        page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check,
        tmp_path: Path) -> None:
    leah = SourceRecord.objects.get(source_id="CRIS-P-100231").person
    sign_in("researcher")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Find a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    check_page("search")

    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter at least one detail to search by")
    check_page("search-error")

    page.get_by_label("Name").fill("Lea Morgn")
    page.get_by_label("Date of birth").fill("17/4/2011")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile("found"))).to_be_visible()
    first = page.locator(".lantern-result").first
    expect(first).to_contain_text("Strong match")
    expect(first).to_contain_text(leah.reference)
    check_page("search-results")

    first.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server.url}/people/{leah.reference}")
    # Some of Leah's records are restricted: the page asks why first, once for the visit.
    expect(page.get_by_role("heading", level=1)).to_have_text("This person has restricted records")
    page.get_by_label("Why do you need to see these records?").fill("MASH research for a strategy discussion")
    page.get_by_role("button", name="Open the records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Leah Morgan"))
    expect(page.locator("main")).to_contain_text("On a child protection plan: Emotional")
    household = page.get_by_role("table", name="People who live with this person, and their family")
    expect(household.get_by_role("row", name=re.compile("Kayden Morgan"))).to_contain_text("Exploitation risk: High")
    expect(household.get_by_role("row", name=re.compile("Dean Price"))).to_contain_text("Lives at the same address")
    network = page.get_by_role("table", name=re.compile("People who appear with this person in events"))
    expect(network.get_by_role("row", name=re.compile("Dean Price"))).to_contain_text("Suspect")
    expect(page.get_by_role("img", name=re.compile("Network of person"))).to_be_visible()
    chronology = page.locator("table.lantern-chronology tbody tr")
    all_rows = chronology.count()
    assert all_rows == 3  # police, social care and the school
    check_page("person")

    page.get_by_text("Filter the chronology").click()
    page.get_by_role("group", name="Agency").get_by_label("Metropolitan Police Service").check()
    page.get_by_role("button", name="Apply filter").click()
    rows = page.locator("table.lantern-chronology tbody tr")
    expect(rows.first).to_contain_text("Metropolitan Police Service")
    assert 0 < rows.count() < all_rows
    for index in range(rows.count()):
        expect(rows.nth(index)).to_contain_text("Metropolitan Police Service")
    check_page("person-chronology-filtered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV of this chronology").click()
    saved = tmp_path / "chronology.csv"
    download_info.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == rows.count() + 1
    assert all("Priya Shah (researcher)" in line and "Metropolitan Police Service" in line for line in lines[1:])
    export = AuditEntry.objects.get(verb=AuditVerb.EXPORT)
    assert export.payload["filters"]["agencies"] == ["met"] and export.actor.username == "researcher"

    doubt = re.compile("^Not the same person.*Mossbourne Community Academy record SIMS-77812")
    page.get_by_role("link", name=doubt).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This record is not the same person")
    check_page("person-not-same")


def test_scrutiny_sees_the_page_without_names(page: Page, live_server: Any, demo_data: dict[str, int],
                                              sign_in: SignIn, check_page: Check) -> None:
    leah = SourceRecord.objects.get(source_id="CRIS-P-100231").person
    sign_in("scrutiny")
    page.goto(f"{live_server.url}/people/{leah.reference}")
    # The scrutiny panel never sees restricted records, so it is not asked for a reason.
    expect(page.get_by_role("heading", level=1)).to_have_text("Pseudonymised person")
    body = page.locator("main").inner_text()
    for identifying in ("Leah", "Morgan", "Clapton", "E5 8HP", "9434765919"):
        assert identifying not in body
    check_page("person-pseudonymised")


def test_an_officer_asks_the_school_to_share_and_it_does(page: Page, live_server: Any, demo_data: dict[str, int],
                                                         sign_in: SignIn, check_page: Check) -> None:
    leah = SourceRecord.objects.get(source_id="CRIS-P-100231").person
    sign_in("officer")
    page.goto(f"{live_server.url}/people/{leah.reference}")
    expect(page.locator("#more-exists")).to_contain_text("Other agencies hold more about this person")
    page.get_by_role("link", name="ask them to share it with Metropolitan Police Service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for what other agencies hold")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your reason")
    check_page("share-request-error")
    page.get_by_label("Why do you need what other agencies hold?").fill("Section 47 enquiry opened today")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Your request has gone to the agencies")
    page.get_by_role("button", name="Sign out").click()

    sign_in("partner")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Requests to share").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests to share (1 waiting)")
    check_page("share-requests")
    page.get_by_role("link", name=re.compile("^Answer request")).click()
    expect(page.locator("main")).to_contain_text("Section 47 enquiry opened today")
    check_page("share-request-answer")
    page.get_by_label("Yes, share our records").check()
    page.get_by_label("Your note to the person who asked").fill("Attendance and the concern log, shared")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Your answer has gone to Dan Reilly")
    page.get_by_role("button", name="Sign out").click()

    sign_in("officer")
    page.goto(f"{live_server.url}/people/{leah.reference}")
    expect(page.get_by_role("table", name="Each agency's record of this person")).to_contain_text(
        "Shared with Metropolitan Police Service by Helen Clarke")
