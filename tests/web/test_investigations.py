"""Investigations over HTTP: the list, opening from a person or an event, the page (events, people, bail, SPOC,
log) scoped by the checkpoint, proposals joined or declined, conflicts kept, SPOCs named, the person page's SPOC."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lantern.investigations.models import (
    BailCondition,
    BoroughSpoc,
    FamilyContactLog,
    FamilySpoc,
    Investigation,
    InvestigationEvent,
    JoinProposal,
    ProposalStatus,
)
from lantern.investigations.overlap import propose_joins
from lantern.investigations.services import investigation_update
from tests.investigations import conftest as investigations_conftest
from tests.investigations.conftest import Case
from tests.web.test_front_door import page

case = investigations_conftest.case  # the family at 14 Clapton Square, as a fixture here too


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_open_from_a_person_page(case: Case) -> None:
    client = client_for(case.investigator)
    person_page = page(client.get(reverse("web:person", args=[case.leah.person.reference])))
    assert "No family SPOC" in person_page and "Open an investigation" in person_page
    url = reverse("web:investigation-new") + f"?person={case.leah.person.reference}"
    form = page(client.get(url))
    assert "Domestic abuse incident" in form and "Grace Hughes" in form
    body = page(client.post(url, {"event": str(case.da.pk), "title": "", "strands": [], "officer": case.investigator.pk,
                                  "separate_reason": ""}), 400)
    assert "Enter a title for the investigation" in body and "Select at least one strand" in body
    response = client.post(url, {"event": str(case.da.pk), "title": "DA at 14 Clapton Square",
                                 "strands": ["domestic_abuse"], "officer": case.investigator.pk,
                                 "separate_reason": ""})
    investigation = Investigation.objects.get()
    assert response["Location"] == reverse("web:investigation", args=[investigation.reference])
    body = page(client.get(response["Location"]))
    for shown in ("DA at 14 Clapton Square", "Leah Morgan", "Kayden Morgan", "Dean Price", "Suspect",
                  "Child in the household", "Grace Hughes", "No safeguarding actions", "Add to the log"):
        assert shown in body, shown
    person_page = page(client.get(reverse("web:person", args=[case.leah.person.reference])))
    assert "Grace Hughes</strong>, family SPOC for the household at 14 Clapton Square" in person_page
    assert investigation.reference in person_page


def test_who_may_open(case: Case) -> None:
    url = reverse("web:investigation-new") + f"?event={case.da.pk}"
    assert client_for(case.researcher).get(url).status_code == 403
    assert client_for(case.social_worker).get(url).status_code == 403
    assert page(client_for(case.supervisor).get(url))


def test_the_list_and_scope(case: Case) -> None:
    investigation = case.open()
    body = page(client_for(case.investigator).get(reverse("web:investigations")))
    assert investigation.reference in body
    assert investigation.reference not in page(client_for(case.lambeth_supervisor).get(reverse("web:investigations")))
    assert investigation.reference in page(client_for(case.investigator).get(reverse("web:investigations")
                                                                              + "?status=open"))
    for user in (case.lambeth_supervisor, case.social_worker, case.officer):
        assert client_for(user).get(reverse("web:investigation", args=[investigation.reference])).status_code == 404


def test_people_and_events_only_through_the_checkpoint(case: Case) -> None:
    investigation = case.open()
    # A children's social care event joined to the case: the Met investigator may not see it or its record.
    csc_leah = case.record(case.csc, "Leah", "Morgan-Price", "2011-04-17", None, person=case.leah.person)
    mum = case.record(case.csc, "Dawn", "Secret", "1985", {"line1": "2 Mare Street", "postcode": "E8 4RP"})
    plan = case.event("child_protection_plan", [(csc_leah, "subject"), (mum, "parent_carer")], agency=case.csc,
                      category="emotional", start_date="2026-01-01")
    propose_joins([plan.pk])
    proposal = JoinProposal.objects.get(event=plan)
    investigator_queue = page(client_for(case.investigator).get(reverse("web:join-proposals")))
    assert "Child protection plan" not in investigator_queue
    supervisor = client_for(case.supervisor)
    assert "Child protection plan" in page(supervisor.get(reverse("web:join-proposals")))
    response = supervisor.post(reverse("web:join-proposal", args=[proposal.pk]),
                               {"decision": "join", "reason": "Leah's plan belongs with the DA case"})
    assert response.status_code == 302
    body = page(client_for(case.investigator).get(reverse("web:investigation", args=[investigation.reference])))
    assert "Child protection plan" not in body and "Secret" not in body
    assert "1 more event in this investigation is held by agencies" in body
    assert "1 more person in this investigation whose records you cannot see" in body
    assert "Dawn Secret" in page(supervisor.get(reverse("web:investigation", args=[investigation.reference])))


def test_join_a_proposal_with_a_reason(case: Case) -> None:
    investigation = case.open()
    crime = case.crime([(case.leah, "victim"), (case.dean, "suspect")])
    propose_joins([crime.pk])
    proposal = JoinProposal.objects.get(event=crime)
    client = client_for(case.investigator)
    body = page(client.get(reverse("web:investigation", args=[investigation.reference])))
    assert "Proposed to join this investigation" in body and "Same victim: Leah Morgan" in body
    url = reverse("web:join-proposal", args=[proposal.pk])
    assert f"Join it to investigation {investigation.reference}" in page(client.get(url))
    assert "at least 10 characters" in page(client.post(url, {"decision": "join", "reason": "same"}), 400)
    response = client.post(url, {"decision": "join", "reason": "Same victim and suspect, same home"})
    assert response["Location"].endswith(f"{investigation.reference}#events")
    assert InvestigationEvent.objects.filter(investigation=investigation, event=crime).exists()
    assert client.get(url).status_code == 404  # decided proposals leave the queue


def test_decline_or_start_separate(case: Case) -> None:
    first = case.open()
    crime = case.crime([(case.leah, "victim")])
    other = case.crime([(case.kayden, "victim")], category="sexual")
    propose_joins([crime.pk, other.pk])
    client = client_for(case.investigator)
    response = client.post(reverse("web:join-proposal", args=[JoinProposal.objects.get(event=crime).pk]),
                           {"decision": "decline", "reason": "Stranger offence, not the family"})
    assert response["Location"] == reverse("web:join-proposals")
    response = client.post(reverse("web:join-proposal", args=[JoinProposal.objects.get(event=other).pk]),
                           {"decision": "separate", "reason": "Kayden's case needs its own team"})
    separate = Investigation.objects.exclude(pk=first.pk).get()
    assert response["Location"] == reverse("web:investigation", args=[separate.reference])
    assert JoinProposal.objects.filter(status=ProposalStatus.DECLINED).count() == 2


def test_opening_an_overlapping_event_shows_the_open_one_and_needs_a_reason(case: Case) -> None:
    first = case.open()
    crime = case.crime([(case.leah, "victim"), (case.dean, "suspect")])
    client = client_for(case.colleague)
    url = reverse("web:investigation-new") + f"?event={crime.pk}"
    body = page(client.get(url))
    assert "This overlaps an open investigation" in body and first.reference in body
    fields = {"event": str(crime.pk), "title": "Rape", "strands": ["sexual_offences"], "officer": case.colleague.pk}
    body = page(client.post(url, {**fields, "separate_reason": ""}), 400)
    assert "give a reason for a separate investigation" in body
    assert client.post(url, {**fields, "separate_reason": "The rape team leads this"}).status_code == 302


def test_close_keeps_your_input_when_someone_changed_it_first(case: Case) -> None:
    investigation = case.open()
    client = client_for(case.investigator)
    url = reverse("web:investigation-close", args=[investigation.reference])
    assert "Close the investigation" in page(client.get(url))
    investigation_update(investigation=investigation, title="Renamed by Tom", strands=investigation.strands,
                         officer=case.investigator, actor=case.supervisor, expected_version=investigation.version)
    body = page(client.post(url, {"version": "1", "reason": "Charged and remanded in custody"}), 409)
    assert "Tom Okafor changed this investigation" in body and "Charged and remanded in custody" in body
    assert client.post(url, {"version": "2", "reason": "Charged and remanded in custody"}).status_code == 302
    assert Investigation.objects.get().status == "closed"


def test_edit(case: Case) -> None:
    investigation = case.open()
    client = client_for(case.supervisor)
    url = reverse("web:investigation-edit", args=[investigation.reference])
    assert "Officer in charge" in page(client.get(url))
    response = client.post(url, {"version": "1", "title": "DA and rape", "strands": ["domestic_abuse",
                                                                                    "sexual_offences"],
                                 "officer": case.colleague.pk})
    assert response.status_code == 302
    assert Investigation.objects.get().officer == case.colleague
    assert client_for(case.researcher).get(url).status_code == 403


def test_bail_conditions_with_expiry(case: Case) -> None:
    investigation = case.open()
    client = client_for(case.investigator)
    url = reverse("web:investigation-bail", args=[investigation.reference])
    assert "Dean Price (suspect)" in page(client.get(url))
    today = timezone.localdate()
    response = client.post(url, {"person": case.dean.person_id, "condition": "Not to enter Clapton Square",
                                 "imposed_on": today.strftime("%d/%m/%Y"),
                                 "expires_on": (today + timedelta(days=3)).strftime("%d/%m/%Y")})
    assert response.status_code == 302 and BailCondition.objects.count() == 1
    body = page(client.get(reverse("web:investigation", args=[investigation.reference])))
    assert "Not to enter Clapton Square" in body and "Expires in 3 days" in body
    body = page(client.post(url, {"person": case.dean.person_id, "condition": "x", "imposed_on": "2/5/2026",
                                  "expires_on": "1/5/2026"}), 400)
    assert "on or after the date it was imposed" in body


def test_family_spoc_and_the_contact_log(case: Case) -> None:
    investigation = case.open()
    client = client_for(case.investigator)
    url = reverse("web:investigation-spoc", args=[investigation.reference])
    assert "Dan Reilly" in page(client.get(url))
    response = client.post(url, {"spoc": case.officer.pk, "reason": "Ward officer who knows the family"})
    assert response.status_code == 302
    assert FamilySpoc.objects.get(ended_at__isnull=True).spoc == case.officer
    log_url = reverse("web:investigation-log", args=[investigation.reference])
    assert "Select how you were in contact" in page(client.post(log_url, {"channel": "", "summary": ""}), 400)
    response = client.post(log_url, {"channel": "phone", "summary": "Told mum about the bail conditions", "at": ""})
    assert response.status_code == 302 and FamilyContactLog.objects.count() == 1
    body = page(client.get(reverse("web:investigation", args=[investigation.reference])))
    assert "Told mum about the bail conditions" in body and "Earlier single points of contact (1)" in body
    # The SPOC (an officer) now sees the case and may write in the log.
    assert page(client_for(case.officer).get(reverse("web:investigation", args=[investigation.reference])))
    assert client_for(case.researcher).post(log_url, {"channel": "phone", "summary": "x"}).status_code == 403


def test_borough_spoc(case: Case) -> None:
    client = client_for(case.supervisor)
    url = reverse("web:borough-spoc")
    assert "Nobody is named yet" in page(client.get(url))
    assert client.post(url, {"spoc": case.officer.pk, "reason": "Partnership lead for Hackney"}).status_code == 302
    assert BoroughSpoc.objects.get().spoc == case.officer
    assert client_for(case.researcher).get(url).status_code == 403
    person_page = page(client.get(reverse("web:person", args=[case.leah.person.reference])))
    assert "Dan Reilly</strong>, SPOC for Hackney" in person_page
