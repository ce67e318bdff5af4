"""Asking other agencies for what they hold about a person, and their answers."""

import pytest
from django.urls import reverse

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.sharing.models import RecordShare, ShareAnswer, ShareRequest
from tests.factories import AgencyFactory, PersonFactory, SourceRecordFactory, UserFactory, borough

REASON = "Strategy discussion about Leah tomorrow at 10am"


@pytest.fixture
def agencies(db):
    return {code: AgencyFactory(code=code, name=name) for code, name in (
        ("met", "Metropolitan Police Service"), ("mossbourne", "Mossbourne Community Academy"),
        ("csc-e09000012", "Hackney Children's Social Care"), ("homerton", "Homerton Healthcare"))}


@pytest.fixture
def leah(agencies):
    person = PersonFactory()
    for code, source_id in (("met", "CRIS-1"), ("mossbourne", "SIMS-77812"), ("csc-e09000012", "MOSAIC-5")):
        SourceRecordFactory(agency=agencies[code], person=person, source_id=source_id, given_names="Leah",
                            family_name="Morgan")
    return person


def user_of(agencies, code, role=Role.PARTNER, username=None):
    return UserFactory(role=role, agency=agencies[code], borough=borough(), username=username or f"user-{code}")


def test_an_officer_asks_and_the_school_shares(client, agencies, leah):
    officer = user_of(agencies, "met", Role.OFFICER, "dan")
    client.force_login(officer)
    page = client.get(reverse("web:person", args=[leah.reference])).content.decode()
    url = reverse("web:person-request-information", args=[leah.reference])
    assert url in page and "SIMS-77812" not in page

    refused = client.post(url, {"reason": "because", "legal_basis": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Your reason must be at least 10 characters" in body and "Select the legal basis for sharing" in body
    for _ in range(2):  # sending it twice makes one request
        response = client.post(url, {"reason": REASON, "legal_basis": "dpa2018_sch8_para4"})
        assert response.status_code == 302
    request = ShareRequest.objects.get()
    assert (request.requested_by, request.agency.code, request.reason) == (officer, "met", REASON)
    assert AuditEntry.objects.filter(verb=AuditVerb.SHARE_REQUEST).count() == 1

    school = user_of(agencies, "mossbourne")
    client.force_login(school)
    queue = client.get(reverse("web:share-requests")).content.decode()
    assert f"Answer request {request.pk}" in queue and REASON in queue
    answer_url = reverse("web:share-request", args=[request.pk])
    assert "SIMS-77812" in client.get(answer_url).content.decode()
    assert client.post(answer_url, {"decision": "share", "note": "x"}).status_code == 400
    assert client.post(answer_url, {"decision": "share", "note": "Attendance records attached"}).status_code == 302
    share = RecordShare.objects.get()
    assert (share.agency.code, share.source_record.source_id, share.shared_by) == ("met", "SIMS-77812", school)
    assert ShareAnswer.objects.get().records == 1
    assert client.get(answer_url).status_code == 404  # answered: gone from the queue
    assert AuditEntry.objects.filter(verb=AuditVerb.SHARE_ANSWER, actor=school).exists()

    client.force_login(officer)
    page = client.get(reverse("web:person", args=[leah.reference])).content.decode()
    assert "SIMS-77812" in page and "Shared with Metropolitan Police Service by" in page
    assert "MOSAIC-5" not in page  # social care has not answered


def test_declining_shares_nothing_and_only_holders_may_answer(client, agencies, leah):
    officer = user_of(agencies, "met", Role.OFFICER, "dan")
    client.force_login(officer)
    client.post(reverse("web:person-request-information", args=[leah.reference]),
                {"reason": REASON, "legal_basis": "children_act_1989_s47"})
    request = ShareRequest.objects.get()
    answer_url = reverse("web:share-request", args=[request.pk])

    client.force_login(user_of(agencies, "homerton"))  # holds nothing about Leah
    assert f"Answer request {request.pk}" not in client.get(reverse("web:share-requests")).content.decode()
    assert client.get(answer_url).status_code == 404
    client.force_login(officer)  # the asking agency cannot answer itself
    assert client.get(answer_url).status_code == 404

    social_worker = user_of(agencies, "csc-e09000012", Role.SOCIAL_WORKER)
    client.force_login(social_worker)
    assert client.post(answer_url, {"decision": "decline", "note": "Ask the MASH: consent refused"}).status_code == 302
    answer = ShareAnswer.objects.get()
    assert (answer.shared, answer.records, answer.answered_by) == (False, 0, social_worker)
    assert not RecordShare.objects.exists()


def test_no_route_to_ask_when_nothing_is_hidden(client, agencies):
    only_police = SourceRecordFactory(agency=agencies["met"]).person
    client.force_login(user_of(agencies, "met", Role.OFFICER))
    assert "request-information" not in client.get(reverse("web:person", args=[only_police.reference])).content.decode()
    assert client.get(reverse("web:person-request-information", args=[only_police.reference])).status_code == 404
