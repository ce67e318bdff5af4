"""System administrators manage users; nobody else can, and every change is audited."""

import pytest
from django.urls import reverse

from lantern.accounts.models import Role, User
from lantern.core.models import AuditEntry, AuditVerb
from tests.factories import AgencyFactory, UserFactory, borough

PASSWORD = "correct horse battery"


@pytest.fixture
def police(db):
    return AgencyFactory(code="met")


@pytest.fixture
def admin_client(client, police):
    UserFactory(username="sysadmin", role=Role.ADMIN, agency=police, borough=None)
    client.post(reverse("web:sign-in"), {"username": "sysadmin", "password": PASSWORD})
    return client


def test_admin_adds_a_user(admin_client, police):
    response = admin_client.post(reverse("web:user-new"), {
        "username": "newofficer", "first_name": "Jo", "last_name": "Bloggs", "email": "",
        "role": Role.OFFICER, "agency": police.pk, "borough": borough().pk, "is_active": "on",
        "password": "a long enough passphrase 2026",
    })
    assert response.status_code == 302
    user = User.objects.get(username="newofficer")
    assert (user.role, user.agency, user.borough.name) == (Role.OFFICER, police, "Hackney")
    assert user.check_password("a long enough passphrase 2026")
    assert AuditEntry.objects.filter(verb=AuditVerb.USER_CREATE, target_id=str(user.pk)).exists()


def test_weak_passwords_are_refused(admin_client, police):
    response = admin_client.post(reverse("web:user-new"), {
        "username": "weak", "role": Role.OFFICER, "agency": police.pk, "password": "password",
    })
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_admin_changes_a_role_and_the_change_is_recorded(admin_client, police):
    officer = UserFactory(username="dan", role=Role.OFFICER, agency=police)
    response = admin_client.post(reverse("web:user-edit", args=[officer.pk]), {
        "username": "dan", "role": Role.RESEARCHER, "agency": police.pk, "borough": borough().pk,
        "is_active": "on",
    })
    assert response.status_code == 302
    entry = AuditEntry.objects.get(verb=AuditVerb.USER_UPDATE)
    assert entry.payload["role"] == {"from": "officer", "to": "researcher"}


def test_admin_cannot_change_their_own_role(admin_client, police):
    me = User.objects.get(username="sysadmin")
    response = admin_client.post(reverse("web:user-edit", args=[me.pk]), {
        "username": "sysadmin", "role": Role.RESEARCHER, "agency": police.pk, "is_active": "on",
    })
    assert "You cannot change your own role" in response.content.decode()
    me.refresh_from_db()
    assert me.role == Role.ADMIN


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_other_roles_cannot_manage_users(client, police, role):
    UserFactory(username="someone", role=role, agency=police)
    client.post(reverse("web:sign-in"), {"username": "someone", "password": PASSWORD})
    assert client.get(reverse("web:users")).status_code == 403
    assert client.post(reverse("web:user-new"), {"username": "x"}).status_code == 403


def test_createsuperuser_makes_a_system_administrator(db):
    user = User.objects.create_superuser("root", "root@example.org", "another long passphrase")
    assert user.role == Role.ADMIN


def test_a_user_must_have_a_known_role(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("norole", password="x")


def test_admin_cannot_stop_themselves_signing_in(admin_client, police):
    me = User.objects.get(username="sysadmin")
    response = admin_client.post(reverse("web:user-edit", args=[me.pk]), {
        "username": "sysadmin", "role": Role.ADMIN, "agency": police.pk,
    })
    assert "You cannot stop yourself signing in" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_a_change_of_agency_and_borough_is_recorded(admin_client, police):
    other = AgencyFactory(code="csc", name="Hackney CSC")
    officer = UserFactory(username="jo", role=Role.OFFICER, agency=police, borough=borough())
    admin_client.post(reverse("web:user-edit", args=[officer.pk]), {
        "username": "jo", "role": Role.OFFICER, "agency": other.pk, "borough": borough("E09000022").pk,
        "is_active": "on",
    })
    officer.refresh_from_db()
    assert (officer.agency, officer.borough.name) == (other, "Lambeth")
    payload = AuditEntry.objects.get(verb=AuditVerb.USER_UPDATE).payload
    assert set(payload) == {"agency", "borough"}
    assert payload["agency"] == {"from": police.name, "to": "Hackney CSC"}
    assert payload["borough"] == {"from": "Hackney", "to": "Lambeth"}
