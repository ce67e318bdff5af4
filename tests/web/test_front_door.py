"""The front door over HTTP: the officer's form, partners' referrals, the public's form, the MASH queue,
triage without lost updates, partners' answers behind the MASH firewall, and decisions."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lantern.events.models import EventType
from lantern.people.models import SourceRecord
from lantern.referrals.models import (
    Contact,
    Decision,
    InformationRequest,
    Outcome,
    PublicReport,
    Rating,
    Source,
    Status,
    StrategyDiscussion,
)
from lantern.referrals.services import contact_allocate, contact_rate
from lantern.risk.engine import AssessmentContext
from lantern.risk.services import assessment_record
from lantern.web.front_door_forms import PublicConcernForm
from tests.referrals import conftest as referrals_conftest
from tests.referrals.conftest import FrontDoor, officer_contact
from tests.risk.test_engine import answers_for

front_door = referrals_conftest.front_door  # the front door's people and agencies, as a fixture here too

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
SERVICE_SUFFIX = " – Lantern"

OFFICER_ANSWERS = {
    "who": {"given_names": "Leah", "family_name": "Morgan", "date_of_birth": "17/4/2013", "sex": "female"},
    "home": {"address_line1": "14 Clapton Square", "postcode": "E5 8HP"},
    "place": {"location": "Bus stop, Lower Clapton Road", "location_postcode": "", "occurred_at": ""},
    "what": {"what_happened": "Found alone at a bus stop at 23:00, upset, said she could not go home."},
    "risk": {"risk_consideration": "Possible neglect or abuse at home; at risk of exploitation out at night."},
    "action": {"action_taken": "Took her to a relative's address and checked she was safe."},
}
STEPS = list(OFFICER_ANSWERS)
CHECK_URL = "/contacts/new"

PARTNER_REFERRAL = {
    "reporter_role": "dsl", "given_names": "Leah", "family_name": "Morgan", "date_of_birth": "17/4/2013",
    "sex": "female", "address_line1": "14 Clapton Square", "postcode": "E5 8HP",
    "what_happened": "Leah came to school with bruising on her arm and said her stepfather grabbed her.",
    "action_taken": "Spoke to Leah with the school nurse present.", "parents_aware": "unsafe",
}

PUBLIC_CONCERN = {
    "given_names": "Leah", "family_name": "Morgan", "date_of_birth": "", "where": "14 Clapton Square",
    "postcode": "E5 8HP", "what_happened": "I hear shouting every night and the girl is often locked outside.",
    "reporter_name": "", "reporter_contact": "", "website": "",
}


# Helpers ----------------------------------------------------------------------------------------------

def page(response, status: int = 200) -> str:
    """Return a rendered page's text after checking its status and its <title>.

    Every page has a title of its own; a page showing the GOV.UK error summary starts it with "Error:".
    """
    body = response.content.decode()
    assert response.status_code == status, (response.status_code, body[:2000])
    match = TITLE.search(body)
    assert match is not None, "The page has no <title>"
    title = html.unescape(" ".join(match.group(1).split()))
    assert title.endswith(SERVICE_SUFFIX) and title.removesuffix(SERVICE_SUFFIX).strip(), title
    has_errors = "govuk-error-summary" in body
    assert title.startswith("Error: ") == has_errors, (title, has_errors)
    return body


def step_url(step: str) -> str:
    return reverse("web:officer-contact-step", args=[step])


def contact_url(contact: Contact, name: str = "web:contact") -> str:
    return reverse(name, args=[contact.reference])


def hidden_value(body: str, name: str) -> str:
    """Return the value of the form's input of this name (attributes in any order)."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    assert tag is not None, f"No input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    assert value is not None, tag.group(0)
    return html.unescape(value.group(1))


def textarea_text(body: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>', body, re.S)
    assert match is not None, f"No textarea named {name}"
    return html.unescape(match.group(1)).strip()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def started_token(client: Client) -> str:
    """Open the public form as a person would, and return its signed start time."""
    body = page(client.get(reverse("web:report-concern")))
    return hidden_value(body, "started")


# 1-3. The officer's form ------------------------------------------------------------------------------

def test_an_officer_sends_a_contact_one_question_a_page_and_a_double_submit_makes_one(
        client: Client, front_door: FrontDoor) -> None:
    client.force_login(front_door.officer)
    first = page(client.get(step_url("who")))
    assert "question 1 of 6" in first and 'name="given_names"' in first

    for index, step in enumerate(STEPS):
        response = client.post(step_url(step), OFFICER_ANSWERS[step])
        following = step_url(STEPS[index + 1]) if index + 1 < len(STEPS) else reverse("web:officer-contact-check")
        assert response.status_code == 302 and response["Location"] == following, step
    assert not Contact.objects.exists()  # nothing is sent until the officer has checked it

    check = page(client.get(CHECK_URL))
    for step, answers in OFFICER_ANSWERS.items():
        for value in answers.values():
            if value and step != "who":
                assert html.escape(value) in check, value
    assert "Leah" in check and "Morgan" in check and "Female" in check
    assert any(shown in check for shown in ("17/4/2013", "2013-04-17", "17 April 2013"))
    assert "Check your answers before sending" in check and "Send to the MASH" in check
    for step in STEPS:
        assert f'href="{step_url(step)}?change=1"' in check, step
    assert check.count(">Change<") == sum(len(answers) for answers in OFFICER_ANSWERS.values())

    # Changing an answer goes back to the check page, not on through the questions.
    page(client.get(step_url("home") + "?change=1"))
    changed = client.post(step_url("home") + "?change=1", {"address_line1": "16 Clapton Square", "postcode": "e58hp"})
    assert changed.status_code == 302 and changed["Location"] == reverse("web:officer-contact-check")
    assert "16 Clapton Square" in page(client.get(CHECK_URL))

    draft = client.session["officer_contact"]
    sent = client.post(CHECK_URL)
    contact = Contact.objects.select_related("borough", "subject_record", "event").get()
    assert sent.status_code == 302 and sent["Location"] == contact_url(contact, "web:contact-sent")
    assert sent["Location"] == f"/contacts/{contact.reference}/sent"
    confirmation = page(client.get(sent["Location"]))
    assert contact.reference in confirmation and "What happens next" in confirmation
    assert "Hackney" in confirmation

    assert contact.source == Source.OFFICER and contact.status == Status.OPEN
    assert contact.borough.ons_code == "E09000012"  # Hackney, from the child's postcode
    assert contact.reporter == front_door.officer and contact.reporter_agency == front_door.met
    assert contact.person_id is not None and contact.subject_record.person_id == contact.person_id
    assert (contact.subject_record.given_names, contact.subject_record.postcode) == ("Leah", "E5 8HP")
    assert contact.event is not None and contact.event.type == EventType.CONTACT
    assert contact.risk_consideration == OFFICER_ANSWERS["risk"]["risk_consideration"]
    assert contact.action_taken == OFFICER_ANSWERS["action"]["action_taken"]
    assert contact.location == "Bus stop, Lower Clapton Road" and contact.occurred_at is None

    # A second click after the draft was sent makes no second contact: the form starts again.
    again = client.post(CHECK_URL)
    assert again.status_code == 302 and again["Location"] == step_url("who")
    assert Contact.objects.count() == 1
    assert 'value="Leah"' not in page(client.get(step_url("who")))  # the sent draft is gone

    # A retry carrying the same draft (a second tab, or a resend on a poor signal) finds the contact it made.
    session = client.session
    session["officer_contact"] = draft
    session.save()
    retried = client.post(CHECK_URL)
    assert retried.status_code == 302 and retried["Location"] == contact_url(contact, "web:contact-sent")
    assert Contact.objects.count() == 1


def test_the_officers_risk_consideration_is_mandatory(client: Client, front_door: FrontDoor) -> None:
    client.force_login(front_door.officer)
    for step in ("who", "home", "place", "what"):
        assert client.post(step_url(step), OFFICER_ANSWERS[step]).status_code == 302

    refused = page(client.post(step_url("risk"), {"risk_consideration": ""}), 400)
    assert "There is a problem" in refused
    assert "Record your consideration of the risks to them" in refused
    assert 'class="govuk-error-summary"' in refused

    too_short = page(client.post(step_url("risk"), {"risk_consideration": "risky"}), 400)
    assert "Write at least 10 characters about the risks" in too_short

    # Skipping the question does not get it sent: the check page sends the officer back to it.
    assert client.post(step_url("action"), OFFICER_ANSWERS["action"]).status_code == 302
    response = client.post(CHECK_URL)
    assert response.status_code == 302 and response["Location"] == step_url("risk")
    assert not Contact.objects.exists() and not SourceRecord.objects.exists()


def test_only_police_use_the_officers_form_and_only_partners_make_referrals(
        client: Client, front_door: FrontDoor) -> None:
    client.force_login(front_door.teacher)
    page(client.get(step_url("who")), 403)
    assert client.post(step_url("who"), OFFICER_ANSWERS["who"]).status_code == 403
    page(client.get(CHECK_URL), 403)
    assert client.post(CHECK_URL).status_code == 403
    page(client.get(reverse("web:partner-referral")))  # a teacher may refer

    client.force_login(front_door.officer)
    page(client.get(reverse("web:partner-referral")), 403)
    refused = client.post(reverse("web:partner-referral"), {**PARTNER_REFERRAL, "submission_key": "a" * 32})
    assert refused.status_code == 403
    page(client.get(step_url("nonsense")), 404)
    assert not Contact.objects.exists()


# 4. A partner's referral ------------------------------------------------------------------------------

def test_a_partners_referral_sent_twice_is_one_contact(client: Client, front_door: FrontDoor) -> None:
    client.force_login(front_door.teacher)
    url = reverse("web:partner-referral")
    key = hidden_value(page(client.get(url)), "submission_key")
    assert re.fullmatch(r"[0-9a-f]{32}", key)

    incomplete = page(client.post(url, {**PARTNER_REFERRAL, "what_happened": "", "submission_key": key}), 400)
    assert "Describe your concern" in incomplete and "There is a problem" in incomplete
    assert hidden_value(incomplete, "submission_key") == key  # sending it again is still the same referral
    assert not Contact.objects.exists()

    first = client.post(url, {**PARTNER_REFERRAL, "submission_key": key})
    contact = Contact.objects.get()
    assert first.status_code == 302 and first["Location"] == contact_url(contact, "web:contact-sent")
    assert contact.source == Source.PARTNER and contact.reporter == front_door.teacher
    assert contact.reporter_agency == front_door.school and contact.reporter_role == "dsl"
    assert contact.borough.ons_code == "E09000012" and contact.person_id is not None
    assert "Parents or carers know: No: telling them could put the child at risk" in contact.action_taken
    assert contact.submission_key == key

    second = client.post(url, {**PARTNER_REFERRAL, "submission_key": key})
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Contact.objects.count() == 1
    confirmation = page(client.get(first["Location"]))
    assert contact.reference in confirmation and "What happens next" in confirmation


# 5. The public's concern form -------------------------------------------------------------------------

def test_the_public_form_needs_no_sign_in_and_quietly_drops_bots(client: Client, front_door: FrontDoor) -> None:
    url = reverse("web:report-concern")
    form = page(client.get(url))
    assert "Report a concern about a child" in form and "Sign out" not in form
    token = hidden_value(form, "started")

    trapped = page(client.post(url, {**PUBLIC_CONCERN, "started": token, "website": "https://spam.example"}))
    assert "Your report has been sent" in trapped and "Your reference" not in trapped
    assert not Contact.objects.exists() and not PublicReport.objects.exists()

    too_fast = page(client.post(url, {**PUBLIC_CONCERN, "started": token}), 400)
    assert "There is a problem" in too_fast and "Please read the form through, then send it again" in too_fast
    assert not Contact.objects.exists()


def test_a_public_form_with_a_bad_start_token_says_what_went_wrong(client: Client, front_door: FrontDoor) -> None:
    url = reverse("web:report-concern")
    forged = page(client.post(url, {**PUBLIC_CONCERN, "started": "forged:token"}), 400)
    assert not Contact.objects.exists()
    assert hidden_value(forged, "started") != "forged:token"  # a fresh start, so sending again works
    assert "Something went wrong with this form: please check it and send it again" in forged


def test_a_member_of_the_public_reports_a_concern_and_learns_nothing_about_anyone(
        front_door: FrontDoor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PublicConcernForm, "MIN_SECONDS", 0)
    known = officer_contact(front_door, now=timezone.now())  # Leah Morgan is already known to Lantern
    url = reverse("web:report-concern")
    pages = {}
    for name, concern in (
        ("known", PUBLIC_CONCERN),
        ("unknown", {**PUBLIC_CONCERN, "given_names": "Kacper", "family_name": "Nowak", "where": "Mare Street"}),
    ):
        public = Client()
        sent = public.post(url, {**concern, "started": started_token(public)})
        assert sent.status_code == 302 and sent["Location"] == "/report-a-concern/sent", name
        contact = Contact.objects.exclude(pk=known.pk).order_by("-pk").first()
        assert contact is not None and contact.source == Source.PUBLIC and contact.reporter is None
        assert contact.borough.ons_code == "E09000012"
        body = page(public.get(sent["Location"]))
        assert contact.reference in body and "What happens next" in body
        pages[name] = body.replace(contact.reference, "REFERENCE")
        for secret in ("known", "Leah", "Morgan", "Kacper", "Nowak", "Dan Reilly", known.reference,
                       "already"):
            assert secret not in body, (name, secret)

    assert Contact.objects.filter(source=Source.PUBLIC).count() == 2
    assert pages["known"] == pages["unknown"]  # nothing says whether the child is already known


def test_the_public_form_is_limited_per_address(front_door: FrontDoor, settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PublicConcernForm, "MIN_SECONDS", 0)
    settings.LANTERN_PUBLIC_REPORTS_PER_HOUR = 2
    url = reverse("web:report-concern")
    public = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(2):
        sent = public.post(url, {**PUBLIC_CONCERN, "given_names": f"Child {number}", "started": started_token(public)})
        assert sent.status_code == 302, number

    refused = page(public.post(url, {**PUBLIC_CONCERN, "started": started_token(public)}), 429)
    assert "You have sent several reports in a short time" in refused
    assert Contact.objects.count() == 2

    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    sent = elsewhere.post(url, {**PUBLIC_CONCERN, "started": started_token(elsewhere)})
    assert sent.status_code == 302 and Contact.objects.count() == 3


# 6. The MASH queue ------------------------------------------------------------------------------------

def test_the_queue_puts_overdue_contacts_first_and_keeps_to_its_borough(
        client: Client, front_door: FrontDoor, settings) -> None:
    settings.LANTERN_TRIAGE_CLOCKS = {**settings.LANTERN_TRIAGE_CLOCKS, "red": "1 hour", "blue": "30 days"}
    now = timezone.now()
    # Received first, and made first, but not due for weeks.
    waiting = officer_contact(front_door, now=now - timedelta(days=5), subject={
        "given_names": "Kacper", "family_name": "Nowak", "address": {"line1": "1 Mare Street", "postcode": "E5 8HP"}})
    contact_rate(contact=waiting, rating=Rating.BLUE, reason="Information only: no current risk",
                 actor=front_door.researcher, expected_version=waiting.version, now=now - timedelta(days=5))
    # Received later, rated red: overdue.
    overdue = officer_contact(front_door, now=now - timedelta(days=2))
    contact_rate(contact=overdue, rating=Rating.RED, reason="Child out alone at night and afraid to go home",
                 actor=front_door.researcher, expected_version=overdue.version, now=now - timedelta(days=2))
    contact_allocate(contact=waiting, to=front_door.researcher, actor=front_door.researcher,
                     expected_version=waiting.version)

    client.force_login(front_door.researcher)
    queue = page(client.get(reverse("web:mash-queue")))
    assert overdue.reference in queue and waiting.reference in queue
    assert queue.index(overdue.reference) < queue.index(waiting.reference)
    assert "Overdue by" in queue and "Needs you now" not in queue  # the banner is the supervisor's

    unallocated = page(client.get(reverse("web:mash-queue") + "?view=unallocated"))
    assert overdue.reference in unallocated and waiting.reference not in unallocated
    mine = page(client.get(reverse("web:mash-queue") + "?view=mine"))
    assert waiting.reference in mine and overdue.reference not in mine
    only_overdue = page(client.get(reverse("web:mash-queue") + "?view=overdue"))
    assert overdue.reference in only_overdue and waiting.reference not in only_overdue

    colleague = signed_in(front_door.colleague)
    theirs = page(colleague.get(reverse("web:mash-queue") + "?view=mine"))
    assert waiting.reference not in theirs and overdue.reference not in theirs

    supervisor = page(signed_in(front_door.supervisor).get(reverse("web:mash-queue")))
    assert "Needs you now" in supervisor
    assert re.search(rf"{overdue.reference}</a>: overdue since", supervisor)

    page(signed_in(front_door.officer).get(reverse("web:mash-queue")), 403)
    lambeth = signed_in(front_door.lambeth_researcher)
    theirs = page(lambeth.get(reverse("web:mash-queue")))
    assert overdue.reference not in theirs and waiting.reference not in theirs
    page(lambeth.get(contact_url(overdue)), 404)
    page(lambeth.get(contact_url(overdue, "web:contact-edit")), 404)


# 7. No lost updates -----------------------------------------------------------------------------------

def test_two_researchers_editing_at_once_lose_nothing(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door, now=timezone.now())
    url = contact_url(contact, "web:contact-edit")
    priya, joe = signed_in(front_door.researcher), signed_in(front_door.colleague)
    seen_by_priya, seen_by_joe = page(priya.get(url)), page(joe.get(url))
    assert hidden_value(seen_by_priya, "version") == hidden_value(seen_by_joe, "version") == "1"

    def edit(notes: str, version: str) -> dict[str, str]:
        return {"version": version, "what_happened": contact.what_happened,
                "risk_consideration": contact.risk_consideration, "action_taken": contact.action_taken,
                "screening_notes": notes}

    joes_notes = "Joe: CSC hold a closed child in need plan from 2024."
    priyas_notes = "Priya: school says attendance fell to 71% in October."
    saved = joe.post(url, edit(joes_notes, "1"))
    assert saved.status_code == 302 and saved["Location"] == contact_url(contact)

    clash = page(priya.post(url, edit(priyas_notes, "1")), 409)
    assert "Joe Bloggs changed this contact" in clash and "Your changes have not been saved" in clash
    assert textarea_text(clash, "screening_notes") == priyas_notes  # what she typed is still there
    contact.refresh_from_db()
    assert contact.screening_notes == joes_notes and contact.version == 2 and contact.updated_by == front_door.colleague

    offered = hidden_value(clash, "version")
    assert offered == "2"
    again = priya.post(url, edit(priyas_notes, offered))
    assert again.status_code == 302
    contact.refresh_from_db()
    assert contact.screening_notes == priyas_notes and contact.version == 3
    assert contact.updated_by == front_door.researcher


# 8. Triage, and partners' answers behind the MASH firewall -------------------------------------------

def test_triage_and_a_partners_answer_stays_in_the_mash_until_agreed(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door, now=timezone.now())
    researcher = signed_in(front_door.researcher)
    url = contact_url(contact)

    unrated = page(researcher.get(url))
    assert "Not rated" in unrated and "Leah Morgan" in unrated

    rate_url = contact_url(contact, "web:contact-rate")
    version = hidden_value(page(researcher.get(rate_url)), "version")
    refused = page(researcher.post(rate_url, {"version": version, "rating": "red", "reason": "bad"}), 400)
    assert "Your reason must be at least 10 characters" in refused
    rated = researcher.post(rate_url, {"version": version, "rating": "red",
                                       "reason": "Child out alone at night and afraid to go home"})
    assert rated.status_code == 302 and rated["Location"] == url
    body = page(researcher.get(url))
    assert 'govuk-tag--red">Red<' in body and "Red: 4 working hours from receipt" in body
    assert "Due in" in body and "The rating is saved" in body
    assert "Not rated to Red by Priya Shah" in body
    assert "Take this contact" in body

    allocate_url = contact_url(contact, "web:contact-allocate")
    version = hidden_value(page(researcher.get(allocate_url)), "version")
    taken = researcher.post(allocate_url, {"version": version, "researcher": front_door.researcher.pk})
    assert taken.status_code == 302
    assert "Priya Shah since" in page(researcher.get(url))

    ask_url = contact_url(contact, "web:contact-ask")
    ask_form = page(researcher.get(ask_url))
    assert "Mossbourne Academy" in ask_form and "Metropolitan Police Service</option>" not in ask_form
    question = "Does Leah attend, and has the school any concerns about home?"
    asked = researcher.post(ask_url, {"agency": front_door.school.pk, "question": question})
    assert asked.status_code == 302
    assert "Your request has gone to Mossbourne Academy" in page(researcher.get(url))
    request = InformationRequest.objects.get()
    assert request.agency == front_door.school and request.contact == contact

    teacher = signed_in(front_door.teacher)
    request_url = reverse("web:information-request", args=[request.pk])
    waiting = page(teacher.get(reverse("web:information-requests")))
    assert "Leah Morgan" in waiting and f'href="{request_url}"' in waiting
    shown = page(teacher.get(request_url))
    assert "Leah Morgan" in shown and html.escape(question) in shown
    for hidden in ("bus stop", "Possible neglect", "relative", contact.reference):
        assert hidden not in shown, hidden  # the partner sees the request, not the hub's record
    page(teacher.get(url), 404)

    answer = "Attendance 71% this term; Leah has told staff she is scared of her stepfather."
    answered = teacher.post(request_url, {"answer": answer})  # not agreed to wider use
    assert answered.status_code == 302 and answered["Location"] == reverse("web:information-requests")
    in_mash = page(researcher.get(url))
    assert html.escape(answer) in in_mash and "Held in the MASH only" in in_mash

    officer = signed_in(front_door.officer)
    reporters_view = page(officer.get(url))
    assert "Leah Morgan" in reporters_view  # the reporter can follow their own contact...
    assert "scared of her stepfather" not in reporters_view  # ...but not the school's answer
    assert "What partner agencies agreed to share" not in reporters_view

    gp = signed_in(front_door.gp)
    page(gp.get(request_url), 404)
    assert gp.post(request_url).status_code == 404

    held = page(teacher.get(request_url))
    assert "Agree to wider use" in held and "held inside the MASH only" in held
    agreed = teacher.post(request_url, {"action": "agree"})
    assert agreed.status_code == 302 and agreed["Location"] == request_url
    assert "Your agency agreed to wider use" in page(teacher.get(request_url))

    reporters_view = page(officer.get(url))
    assert "Mossbourne Academy:" in reporters_view and html.escape(answer) in reporters_view
    assert "Agreed for wider use" in page(researcher.get(url))
    request.refresh_from_db()
    assert request.wider_use_agreed_by == front_door.teacher


# 9. The decision, and the strategy discussion ---------------------------------------------------------

def test_a_section_47_decision_and_its_strategy_discussion(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door, now=timezone.now())
    researcher = signed_in(front_door.researcher)
    url = contact_url(contact)
    decide_url = contact_url(contact, "web:contact-decide")
    page(researcher.get(contact_url(contact, "web:contact-strategy")), 404)  # no s47 decision yet
    decide_form = page(researcher.get(decide_url))
    version = hidden_value(decide_form, "version")
    reasons = "Disclosure of physical harm by her stepfather; significant harm suspected."
    decided = researcher.post(decide_url, {"version": version, "outcome": Outcome.STRATEGY_DISCUSSION,
                                           "reasons": reasons,
                                           "agencies_told": [front_door.school.pk, front_door.health.pk]})
    assert decided.status_code == 302 and decided["Location"] == url
    contact.refresh_from_db()
    decision = Decision.objects.get(contact=contact)
    assert contact.status == Status.DECIDED and decision.outcome == "s47"
    assert set(decision.agencies_told.all()) == {front_door.school, front_door.health}

    body = page(researcher.get(url))
    assert "Strategy discussion (Children Act 1989, section 47)" in body and reasons in body
    assert "Mossbourne Academy" in body and "Homerton Healthcare" in body and "Clock stopped" in body
    strategy_url = contact_url(contact, "web:contact-strategy")
    assert f'href="{strategy_url}"' in body

    # A decided contact can no longer be rated or sent to partners.
    late = page(researcher.post(contact_url(contact, "web:contact-rate"),
                                {"version": str(contact.version), "rating": "red", "reason": "Changed my mind on it"}),
                400)
    assert "A decision has been recorded on this contact" in late
    page(researcher.get(contact_url(contact, "web:contact-ask")), 403)

    page(researcher.get(strategy_url))
    held_at = (timezone.localtime() - timedelta(hours=2)).strftime("%d/%m/%Y %H:%M")
    discussion = {
        "held_at": held_at,
        "attendees": "Amira Haddad, Hackney Children's Social Care\nDC Hughes, Metropolitan Police",
        "decision": "Section 47 enquiry led by children's social care, with a joint visit by police.",
    }
    wrong = page(researcher.post(strategy_url, {**discussion,
                                                "actions": "Joint visit | DC Hughes | 24/11/2026"}), 400)
    assert "Line 1: write the action | owner | agency | due date" in wrong
    bad_date = page(researcher.post(strategy_url, {
        **discussion, "actions": "Joint visit | DC Hughes | Metropolitan Police | 24/11/2026\n"
                                 "Medical | Dr Osei | Homerton Healthcare | next week"}), 400)
    assert "Line 2: write the due date like 24/11/2026" in bad_date
    assert not StrategyDiscussion.objects.exists()

    recorded = researcher.post(strategy_url, {
        **discussion, "actions": "Joint visit | DC Hughes | Metropolitan Police | 24/11/2026"})
    assert recorded.status_code == 302 and recorded["Location"] == url + "#strategy"
    body = page(researcher.get(url))
    assert "The strategy discussion is recorded" in body
    assert html.escape("Amira Haddad (Hackney Children's Social Care)") in body
    assert "DC Hughes (Metropolitan Police)" in body
    assert "Joint visit" in body and "DC Hughes, Metropolitan Police" in body and "24 November 2026" in body
    assert f'href="{strategy_url}"' not in body


def test_an_answer_sent_twice_does_not_agree_to_wider_use(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door, now=timezone.now())
    researcher = signed_in(front_door.researcher)
    asked = researcher.post(contact_url(contact, "web:contact-ask"),
                            {"agency": front_door.school.pk, "question": "Does Leah attend, and any concerns at home?"})
    assert asked.status_code == 302
    request = InformationRequest.objects.get()
    request_url = reverse("web:information-request", args=[request.pk])

    teacher = signed_in(front_door.teacher)
    answer = {"answer": "Attendance 71% this term; no concerns raised by staff."}  # the box left unticked
    assert teacher.post(request_url, answer).status_code == 302
    again = teacher.post(request_url, answer)  # the same form again, e.g. a resend on a poor signal
    assert again.status_code in {200, 302, 400}
    request.refresh_from_db()
    assert request.wider_use_agreed_at is None
    officers_view = page(signed_in(front_door.officer).get(contact_url(contact)))
    assert "no concerns raised by staff" not in officers_view


def test_a_risk_assessment_made_for_a_contact_shows_on_it(front_door: FrontDoor) -> None:
    contact = officer_contact(front_door, now=timezone.now())
    researcher = signed_in(front_door.researcher)
    body = page(researcher.get(contact_url(contact)))
    assert f"/people/{contact.person.reference}/assessments/new?contact={contact.reference}" in body
    assert "None yet." in body

    assessment = assessment_record(person=contact.person, instrument_code="cse", answers=answers_for("cse"),
                                   context=AssessmentContext(age=13), actor=front_door.researcher,
                                   chosen_grade="category_2", contact_reference=contact.reference)
    body = page(researcher.get(contact_url(contact)))
    assert f"/people/{contact.person.reference}/assessments/{assessment.pk}" in body
