"""Joined-up investigations in a real browser: the demo investigator opens an investigation from the
domestic abuse incident at 14 Clapton Square, a new overlapping crime is proposed and joined with a reason,
bail, the contact log and SPOCs are recorded, and Leah's person page shows her family's SPOC. Every page is
checked with axe-core (WCAG 2.2 AA) and photographed."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lantern.events.services import event_receive
from lantern.investigations.models import Investigation, JoinProposal
from lantern.investigations.overlap import propose_joins
from lantern.organisations.models import Agency
from lantern.people.models import SourceRecord

pytestmark = pytest.mark.browser

Check = Callable[[str], None]
SignIn = Callable[..., None]


def _record(source_id: str) -> SourceRecord:
    return SourceRecord.objects.select_related("person").get(agency__code="met", source_id=source_id)


def test_an_overlapping_crime_is_joined_and_the_family_has_one_spoc(
        page: Page, live_server: Any, demo_data: dict[str, int], sign_in: SignIn, check_page: Check) -> None:
    leah, dean = _record("CRIS-P-100231"), _record("CRIS-P-100232")
    main = page.locator("main")
    sign_in("investigator")

    # From Leah's page: no SPOC yet; open an investigation from the DA incident where the children were present.
    page.goto(f"{live_server.url}/people/{leah.person.reference}")
    expect(main).to_contain_text("No family SPOC")
    page.get_by_role("link", name="Open an investigation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open an investigation")
    expect(page.get_by_label(re.compile("^Domestic abuse incident"))).to_be_checked()
    check_page("investigation-new")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Open the investigation").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a title for the investigation")
    check_page("investigation-new-error")
    page.get_by_label("Title").fill("Domestic abuse at 14 Clapton Square")
    page.get_by_role("button", name="Open the investigation").click()
    investigation = Investigation.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Domestic abuse at 14 Clapton Square")
    expect(page.get_by_role("alert")).to_contain_text(f"Investigation {investigation.reference} is open")
    expect(main.locator("#spoc + dl")).to_contain_text("Grace Hughes")
    expect(main).to_contain_text("Kayden Morgan")
    check_page("investigation")

    # A rape in the home is recorded (as the importer would), and Lantern proposes joining it.
    crime = event_receive(
        agency=Agency.objects.get(code="met"), source_id="CRIS-6610021", event_type="crime",
        occurred_at=timezone.now() - timedelta(days=1), borough=investigation.borough,
        involvements=[(leah, "victim"), (dean, "suspect")],
        attributes={"category": "rape", "offence": "Rape of a female under 16", "domestic_setting": True,
                    "status": "open"}).event
    assert propose_joins([crime.pk]) == 0  # recording it proposed it already
    assert JoinProposal.objects.filter(event=crime).exists()
    page.goto(f"{live_server.url}/investigations")
    check_page("investigations")
    page.get_by_role("link", name=re.compile("1 new event overlaps")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposals to join events to investigations")
    expect(main).to_contain_text("Same victim: Leah Morgan")
    check_page("join-proposals")
    page.get_by_role("link", name=re.compile("^Decide")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join this event to investigation "
                                                              f"{investigation.reference}?")
    check_page("join-proposal")
    page.get_by_label(f"Join it to investigation {investigation.reference}").check()
    page.get_by_label("Why?").fill("short")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 10 characters")
    check_page("join-proposal-error")
    page.get_by_label("Why?").fill("Same victim and suspect, in the same home: one investigation for the family")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text(f"joined to investigation {investigation.reference}")
    expect(main.locator("#events + table")).to_contain_text("Rape of a female under 16")
    expect(main.locator("#events + table")).to_contain_text("one investigation for the family")

    # Bail, with its expiry.
    page.get_by_role("link", name="Record a bail condition").click()
    check_page("investigation-bail")
    page.get_by_label("Whose bail?").select_option(label="Dean Price (suspect)")
    page.get_by_label("Condition").fill("Not to contact Leah Morgan directly or indirectly")
    today = timezone.localdate()
    page.get_by_label("Imposed on").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Expires on").fill((today + timedelta(days=28)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Save").click()
    expect(main.locator("#bail + table")).to_contain_text("Expires in 28 days")

    # The family's contact log.
    page.get_by_label("Phone call").check()
    page.get_by_label("What was said or done?").fill("Called Leah's mother: explained the bail conditions.")
    page.get_by_role("button", name="Add to the log").click()
    expect(main).to_contain_text("Called Leah's mother")
    check_page("investigation-joined")

    # Leah's page shows her family's SPOC and the investigation.
    page.goto(f"{live_server.url}/people/{leah.person.reference}")
    risk = main.locator("#risk + .govuk-grid-row")
    expect(risk).to_contain_text("Grace Hughes, family SPOC for the household at 14 Clapton Square")
    expect(risk).to_contain_text(investigation.reference)
    check_page("person-with-spoc")

    # A new family SPOC, and Hackney's borough SPOC.
    page.goto(f"{live_server.url}/investigations/{investigation.reference}")
    page.get_by_role("link", name="Change the family's single point of contact").click()
    check_page("investigation-spoc")
    page.get_by_label("Single point of contact").select_option(label="Dan Reilly (Neighbourhood or schools officer)")
    page.get_by_label("Why this person?").fill("Ward officer who already knows the family")
    page.get_by_role("button", name="Save").click()
    expect(main.locator("#spoc + dl")).to_contain_text("Dan Reilly")
    expect(main).to_contain_text("Earlier single points of contact (1)")
    page.goto(f"{live_server.url}/investigations/borough-spoc")
    check_page("borough-spoc")
    page.get_by_label("Single point of contact").select_option(label="Grace Hughes (Safeguarding investigator)")
    page.get_by_label("Why this person?").fill("Partnership lead for Hackney safeguarding")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Hackney's single point of contact is changed")
    page.goto(f"{live_server.url}/people/{leah.person.reference}")
    expect(risk).to_contain_text("Dan Reilly, family SPOC")
    expect(risk).to_contain_text("Grace Hughes, SPOC for Hackney")

    # Closing keeps the family's SPOC.
    page.goto(f"{live_server.url}/investigations/{investigation.reference}/close")
    check_page("investigation-close")
    page.get_by_label("Why is the investigation closing?").fill("Charged; remanded in custody to Crown Court")
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Closed")
    page.goto(f"{live_server.url}/investigations?status=closed")
    expect(main).to_contain_text(investigation.reference)
    check_page("investigations-closed")
