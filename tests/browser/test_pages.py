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


def test_administrator_reviews_and_retries_held_feed_lines(
    page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check, tmp_path: Any
) -> None:
    from lantern.intake.importer import import_paths
    from tests.intake.feeds import event, person, write_feed

    import_paths([write_feed(tmp_path / "met-nightly.jsonl", [
        person("BAD-1", date_of_birth="2999-01-01"),
        event("EV-1", ("NOT-YET", "missing_person")),
    ])])
    sign_in("admin")
    expect(page.get_by_text("2 lines from agencies' feeds are held back")).to_be_visible()

    page.get_by_role("link", name="See held lines and the latest imports").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Feeds: held lines")
    expect(page.get_by_role("cell", name="met-nightly.jsonl, line 1")).to_be_visible()
    expect(page.get_by_text("date of birth is in the future")).to_be_visible()
    check_page("feeds")

    page.get_by_label("Status").select_option("waiting")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("cell", name="met-nightly.jsonl, line 1")).to_have_count(0)
    page.get_by_role("button", name="Offer this line again").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("0 of 1 held line went in; 1 still held")
    check_page("feeds-retried")

    page.get_by_role("link", name="Dismiss line 2 of met-nightly.jsonl").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dismiss a held line")
    page.get_by_role("button", name="Dismiss this line").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why this line will never go in")
    check_page("feeds-dismiss-error")
    page.get_by_label("Why will this line never go in?").fill("The missing person record was withdrawn at source")
    page.get_by_role("button", name="Dismiss this line").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Line 2 of met-nightly.jsonl dismissed")
    check_page("feeds-dismissed")


def test_administrator_issues_and_revokes_a_feed_token(
    page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check
) -> None:
    sign_in("admin")
    page.get_by_role("link", name="Issue or revoke the tokens agencies' systems send their feeds with").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feeds: tokens")

    page.get_by_role("button", name="Issue token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the name of the system that will use the token")
    check_page("feed-tokens-error")

    page.get_by_label("Agency").select_option(label="Metropolitan Police Service (met)")
    page.get_by_label("Which system will use it").fill("CRIS nightly")
    page.get_by_role("button", name="Issue token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Token issued")
    expect(page.get_by_label("Token")).to_have_value(re.compile(r"^lantern_"))
    check_page("feed-token-issued")

    page.get_by_role("link", name="Back to feed tokens").click()
    page.get_by_role("button", name="Revoke the token for CRIS nightly").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("no longer works")
    expect(page.get_by_text("Revoked")).to_be_visible()
    check_page("feed-tokens")
