"""The main pages in a real browser: signing in and out, finding a person, errors.

Each page is checked with axe-core against WCAG 2.2 AA and its screenshot saved in
test-results/screenshots.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lantern.core.references import new_reference
from lantern.people.models import Person, SourceRecord

pytestmark = pytest.mark.browser

Check = Callable[[str], None]
SignIn = Callable[..., None]


def test_sign_in_reaches_home_page(
    page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check
) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Lantern")
    check_page("sign-in")

    sign_in("researcher")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title("Home – Lantern")
    identity = page.get_by_role("region", name="Signed in as")
    expect(identity).to_contain_text("Priya Shah")
    expect(identity).to_contain_text("MASH researcher")
    check_page("home")


def test_wrong_password_shows_error_summary(
    page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check
) -> None:
    sign_in("researcher", "not-the-password")

    expect(page).to_have_url(f"{live_server.url}/sign-in")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page.get_by_role("region", name="Signed in as")).to_have_count(0)
    check_page("sign-in-error")


def test_sign_out(
    page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check
) -> None:
    sign_in("researcher")
    expect(page.get_by_role("region", name="Signed in as")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server.url}/sign-in")
    expect(page.get_by_role("region", name="Signed in as")).to_have_count(0)
    check_page("signed-out")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))


def test_find_a_person_from_home_page(
    page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check
) -> None:
    person = SourceRecord.objects.get(source_id="CRIS-P-100233").person
    assert person is not None
    sign_in("researcher")

    page.get_by_label("Person reference").fill(person.reference)
    page.get_by_role("button", name="Find").click()

    expect(page).to_have_url(f"{live_server.url}/people/{person.reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kayden Morgan")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Person {person.reference}")
    expect(page.get_by_role("table").first).to_contain_text("Metropolitan Police Service")
    check_page("person")


def test_unknown_reference_shows_page_not_found(
    page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check
) -> None:
    unknown = new_reference()
    while Person.objects.filter(reference=unknown).exists():
        unknown = new_reference()
    sign_in("researcher")

    response = page.goto(f"{live_server.url}/people/{unknown}")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_page("page-not-found")
