"""The web shell: sign-in, security headers, error pages, and the person page's checkpoint."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from tests.factories import AgencyFactory, SourceRecordFactory, UserFactory, borough

PASSWORD = "correct horse battery"


@pytest.fixture
def police(db):
    return AgencyFactory(code="met")


@pytest.fixture
def researcher(police):
    return UserFactory(username="priya", role=Role.RESEARCHER, agency=police, borough=borough())


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("web:sign-in"), {"username": username, "password": password})


def test_pages_need_a_signed_in_user(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in")


def test_sign_in_reaches_home_and_is_audited(client, researcher):
    response = sign_in(client, "priya")
    assert response.status_code == 302
    home = client.get("/")
    assert "MASH researcher" in home.content.decode()
    assert AuditEntry.objects.filter(verb=AuditVerb.SIGN_IN, actor=researcher).exists()


def test_wrong_password_shows_a_govuk_error(client, researcher):
    response = sign_in(client, "priya", "wrong")
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and "Enter a correct username and password" in body
    assert "<title>Error: Sign in" in body


def test_sign_out_needs_post_and_is_audited(client, researcher):
    sign_in(client, "priya")
    assert client.get(reverse("web:sign-out")).status_code == 405
    assert client.post(reverse("web:sign-out")).status_code == 302
    assert AuditEntry.objects.filter(verb=AuditVerb.SIGN_OUT).exists()
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account_for_a_while(client, researcher):
    for _ in range(5):
        sign_in(client, "priya", "wrong")
    locked = sign_in(client, "priya")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()


def test_demo_users_cannot_sign_in_outside_demo_mode(client, police):
    UserFactory(username="researcher", is_demo=True, agency=police)
    with override_settings(LANTERN_DEMO=False):
        assert sign_in(client, "researcher").status_code == 200  # the form again, with an error
    with override_settings(LANTERN_DEMO=True):
        assert sign_in(client, "researcher").status_code == 302


def test_security_headers(client, db):
    response = client.get(reverse("web:sign-in"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.parametrize("trusted", [True, False])
def test_proxy_request_id_is_kept_only_when_trusted(client, researcher, trusted):
    with override_settings(LANTERN_TRUST_REQUEST_ID=trusted):
        response = client.post(reverse("web:sign-in"), {"username": "priya", "password": PASSWORD},
                               headers={"X-Request-ID": "trace-abc-123456"})
    recorded = AuditEntry.objects.get(verb=AuditVerb.SIGN_IN).request_id
    assert recorded == response["X-Request-ID"]
    assert (recorded == "trace-abc-123456") == trusted


def test_unknown_page_gets_the_govuk_404(client, researcher):
    sign_in(client, "priya")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_person_page_goes_through_the_checkpoint(client, researcher, police):
    record = SourceRecordFactory(agency=police, given_names="Leah", family_name="Morgan")
    sign_in(client, "priya")
    response = client.get(reverse("web:person", args=[record.person.reference]))
    assert response.status_code == 200
    assert "Leah Morgan" in response.content.decode()
    assert AuditEntry.objects.filter(verb=AuditVerb.PERSON_VIEW, actor=researcher).count() == 1


def test_person_in_another_borough_is_a_404(client, researcher, police):
    record = SourceRecordFactory(agency=police, borough=borough("E09000022"))
    sign_in(client, "priya")
    response = client.get(reverse("web:person", args=[record.person.reference]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(verb=AuditVerb.PERSON_VIEW).exists()


def test_restricted_person_asks_for_a_reason_then_opens(client, researcher, police):
    record = SourceRecordFactory(agency=police, restricted=True, given_names="Hidden")
    sign_in(client, "priya")
    url = reverse("web:person", args=[record.person.reference])

    ask = client.get(url)
    assert "Why do you need to see these records?" in ask.content.decode()
    assert "Hidden" not in ask.content.decode()

    too_short = client.post(url, {"reason": "curious"})
    assert too_short.status_code == 403
    assert "at least 10 characters" in too_short.content.decode()

    opened = client.post(url, {"reason": "Strategy discussion at 10am today"})
    assert opened.status_code == 200 and "Hidden" in opened.content.decode()
    entry = AuditEntry.objects.get(verb=AuditVerb.PERSON_VIEW)
    assert entry.reason == "Strategy discussion at 10am today"


def test_scrutiny_sees_no_identifying_fields(client, police):
    UserFactory(username="panel", role=Role.SCRUTINY, agency=None, borough=None)
    record = SourceRecordFactory(agency=police, given_names="Leah", family_name="Morgan",
                                 postcode="E5 8HP", dob_year=2011, dob_month=4, dob_day=17)
    sign_in(client, "panel")
    body = client.get(reverse("web:person", args=[record.person.reference])).content.decode()
    for identifying in ("Leah", "Morgan", "E5 8HP", "2011"):
        assert identifying not in body
    assert "Pseudonymised person" in body


def test_admin_sees_no_case_data(client, police):
    UserFactory(username="sysadmin", role=Role.ADMIN, agency=police, borough=borough())
    record = SourceRecordFactory(agency=police)
    sign_in(client, "sysadmin")
    assert client.get(reverse("web:person", args=[record.person.reference])).status_code == 404


def test_find_by_reference_checks_the_reference(client, researcher):
    sign_in(client, "priya")
    response = client.get(reverse("web:person-find"), {"reference": "HXK4-RM7Q"})
    assert "Enter a person reference as 8 letters and numbers" in response.content.decode()


def test_passwords_are_hashed_with_argon2_in_real_settings():
    from lantern.config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_health_answers_without_sign_in(client, db):
    assert client.get(reverse("web:health")).json() == {"status": "ok"}


def test_partner_sees_who_shared_a_record_when_and_on_what_basis(client, police):
    from lantern.sharing.models import LegalBasis
    from lantern.sharing.services import record_share

    school = AgencyFactory(code="school", name="Mossbourne Academy")
    UserFactory(username="dsl", role=Role.PARTNER, agency=school, borough=borough())
    owner = UserFactory(username="sw", role=Role.SOCIAL_WORKER, agency=police, first_name="Amira",
                        last_name="Haddad")
    record = SourceRecordFactory(agency=police, given_names="Leah")
    record_share(target=record, agency=school, legal_basis=LegalBasis.CHILDREN_ACT_2004_S11,
                 reason="School must know about the plan", actor=owner)
    sign_in(client, "dsl")
    body = client.get(reverse("web:person", args=[record.person.reference])).content.decode()
    assert "Shared with Mossbourne Academy by Amira Haddad" in body
    assert "Children Act 2004, section 11" in body
