"""Reviewing matches, splitting and merging persons in a real browser.

Each page is checked with axe-core against WCAG 2.2 AA and its screenshot saved in
test-results/screenshots.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lantern.linkage.models import ReviewPair, ReviewStatus
from lantern.organisations.models import Agency
from lantern.people.models import SourceRecord
from tests.factories import SourceRecordFactory

pytestmark = pytest.mark.browser

Check = Callable[[str], None]
SignIn = Callable[..., None]
FIELDS = [
    {"comparison": "nhs_number", "level": 0, "label": "nhs_number missing", "match_weight": 0.0},
    {"comparison": "given_name", "level": 1, "label": "given_name the same", "match_weight": 6.81},
    {"comparison": "family_name", "level": 1, "label": "family_name the same", "match_weight": 8.2},
    {"comparison": "date_of_birth", "level": 2, "label": "partial dates of birth agree as far as both go",
     "match_weight": 3.1},
    {"comparison": "address", "level": 2, "label": "postcode the same", "match_weight": 5.4},
    {"comparison": "sex", "level": 2, "label": "all other comparisons", "match_weight": -1.7},
]


def _pair(left: SourceRecord, right: SourceRecord, probability: float, weight: float) -> ReviewPair:
    low, high = sorted((left, right), key=lambda r: r.pk)
    return ReviewPair.objects.create(record_low=low, record_high=high, match_probability=probability,
                                     match_weight=weight, fields=FIELDS, model_version="demo-model",
                                     raised_at=timezone.now())


@pytest.fixture
def pairs(demo_data: dict[str, int]) -> list[ReviewPair]:
    """Two pairs waiting for review: Dean Price seen by the hospital too, and a weaker one."""
    homerton = Agency.objects.get(code="homerton")
    dean = SourceRecord.objects.get(source_id="CRIS-P-100232")
    hospital_dean = SourceRecordFactory(agency=homerton, source_id="PAS-5512001", given_names="Dean",
                                        family_name="Price", dob_year=1984, dob_month=9, dob_day=12,
                                        postcode="E5 8HP", sex="unknown")
    kayden = SourceRecord.objects.get(source_id="CRIS-P-100233")
    other = SourceRecordFactory(agency=homerton, source_id="PAS-5512002", given_names="Kaiden",
                                family_name="Morgan", dob_year=2008, postcode="E5 8HQ")
    return [_pair(dean, hospital_dean, 0.912, 21.8), _pair(kayden, other, 0.634, 0.8)]


def test_review_a_pair(page: Page, live_server: Any, pairs: list[ReviewPair], sign_in: SignIn,
                       check_page: Check) -> None:
    likely = pairs[0]
    sign_in("researcher")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Review matches").click()
    expect(page).to_have_url(f"{live_server.url}/linkage/review")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review matches (2 waiting)")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("91.2%")
    expect(rows.first).to_contain_text("Dean Price")
    expect(rows.first).to_contain_text("Homerton Healthcare NHS Foundation Trust")
    check_page("review-queue")

    page.get_by_role("link", name=f"Review pair {likely.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same person?")
    table = page.get_by_role("table", name="Field by field")
    expect(table.get_by_role("row", name=re.compile("^Family name"))).to_contain_text("+8.2")
    expect(table.get_by_role("row", name=re.compile("^Family name"))).to_contain_text("strong evidence for")
    expect(table.get_by_role("row", name=re.compile("^Sex"))).to_contain_text("-1.7")
    expect(table.get_by_role("row", name=re.compile("^Sex"))).to_contain_text("moderate evidence against")
    check_page("review-pair")

    page.get_by_label("Same person", exact=True).check()
    page.get_by_label("Why?").fill("too short")
    page.get_by_role("button", name="Record decision").click()
    expect(page).to_have_title(re.compile(r"^Error: Review pair"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your reason must be at least 10 characters")
    expect(page.get_by_label("Same person", exact=True)).to_be_checked()
    check_page("review-pair-error")

    page.get_by_label("Why?").fill("Same name, month of birth and address; the hospital confirmed")
    page.get_by_role("button", name="Record decision").click()

    expect(page).to_have_url(f"{live_server.url}/linkage/review")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Decision recorded: same person")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review matches (1 waiting)")
    check_page("review-queue-after-decision")
    assert ReviewPair.objects.get(pk=likely.pk).status == ReviewStatus.SAME

    page.get_by_role("link", name="Decided").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    check_page("review-queue-decided")
    page.get_by_role("link", name=f"View pair {likely.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decided: same person")
    expect(page.locator("#decision")).to_contain_text("Priya Shah")
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    check_page("review-pair-decided")


def test_split_then_merge_a_person(page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn,
                                   check_page: Check) -> None:
    person = SourceRecord.objects.get(source_id="CRIS-P-100233").person
    assert person is not None
    sign_in("researcher")
    page.goto(f"{live_server.url}/people/{person.reference}")

    page.get_by_role("link", name="Split records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Split records off to a new person")
    check_page("split")

    page.get_by_role("button", name="Split records").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the records to move to a new person")
    check_page("split-error")

    page.get_by_label(re.compile("Homerton Healthcare")).check()
    page.get_by_label("Why are these records a different person?").fill(
        "Hospital record is a cousin with the same name")
    page.get_by_role("button", name="Split records").click()

    new_person = SourceRecord.objects.get(source_id="PAS-4471190").person
    assert new_person is not None and new_person != person
    expect(page).to_have_url(f"{live_server.url}/people/{new_person.reference}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"1 record moved from {person.reference} to this new person, {new_person.reference}")
    check_page("person-after-split")

    page.get_by_role("link", name="See how this person came to hold these records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History")
    expect(page.get_by_role("table")).to_contain_text("Created")
    expect(page.get_by_role("table")).to_contain_text(person.reference)
    expect(page.get_by_role("table")).to_contain_text("Priya Shah")
    check_page("history")

    page.get_by_role("link", name=f"Back to person {new_person.reference}").click()
    page.get_by_role("link", name="Merge another person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge another person into this one")
    check_page("merge")
    page.get_by_label("Reference of the other person").fill(person.reference)
    page.get_by_label("Why are they the same person?").fill("Checked with the hospital: it is Kayden after all")
    page.get_by_role("button", name="Merge").click()

    expect(page).to_have_url(f"{live_server.url}/people/{new_person.reference}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"the records of {person.reference} now belong to {new_person.reference}")
    expect(page.get_by_role("table").first).to_contain_text("Metropolitan Police Service")
    check_page("person-after-merge")
