"""Tasks, notifications and the workload view over HTTP: who sees what, why, and no lost updates."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.organisations.models import AgencyKind
from lantern.safeguarding.models import Notification, NotificationStatus, RuleFiring, Task, TaskStatus
from tests.factories import AgencyFactory, PersonFactory, SourceRecordFactory, UserFactory, borough

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    hackney, lambeth = borough("E09000012"), borough("E09000022")
    met = AgencyFactory(code="met", name="Metropolitan Police Service", kind=AgencyKind.POLICE)
    school = AgencyFactory(code="mossbourne", name="Mossbourne Academy", kind=AgencyKind.SCHOOL, borough=hackney)
    other_school = AgencyFactory(code="clapton", name="Clapton Girls' Academy", kind=AgencyKind.SCHOOL,
                                 borough=hackney)
    users = {
        "grace": UserFactory(username="grace", first_name="Grace", last_name="Hughes", role=Role.INVESTIGATOR,
                             agency=met, borough=hackney),
        "raj": UserFactory(username="raj", first_name="Raj", last_name="Patel", role=Role.INVESTIGATOR, agency=met,
                           borough=hackney),
        "tom": UserFactory(username="tom", first_name="Tom", last_name="Okafor", role=Role.SUPERVISOR, agency=met,
                           borough=hackney),
        "priya": UserFactory(username="priya", role=Role.RESEARCHER, agency=met, borough=hackney),
        "helen": UserFactory(username="helen", first_name="Helen", last_name="Clarke", role=Role.PARTNER,
                             agency=school, borough=hackney),
        "other": UserFactory(username="other", role=Role.PARTNER, agency=other_school, borough=hackney),
        "lambeth": UserFactory(username="lambeth", role=Role.OFFICER, agency=met, borough=lambeth),
    }
    now = timezone.now()
    person = PersonFactory()
    SourceRecordFactory(agency=met, person=person, borough=hackney, given_names="Leah", family_name="Morgan")
    firing = RuleFiring.objects.create(
        rule="da_marac", rule_version="1", facts_key="f" * 64, fired_at=now, borough=hackney, person=person,
        explanation="Three domestic abuse incidents in 12 months with the same victim.")
    task = Task.objects.create(kind="marac_referral", title="Refer to MARAC", detail="Make the MARAC referral.",
                               firing=firing, person=person, borough=hackney, owner_agency=met,
                               owner_team="Community safety unit", due_at=now + timedelta(hours=4),
                               created_at=now, updated_at=now)
    late = Task.objects.create(kind="return_interview", title="Offer a return interview", person=person,
                               borough=hackney, owner_agency=met, owner=users["grace"], due_at=now - timedelta(hours=1),
                               created_at=now, updated_at=now)
    note = Notification.objects.create(
        kind="operation_encompass", firing=firing, recipient_agency=school,
        recipient_role="Designated safeguarding lead", person=person, borough=hackney,
        subject="Operation Encompass: domestic abuse at a pupil's home",
        content=[["Child", "Leah Morgan, born 17 April 2011"], ["Police reference", "CAD 4471/12"]],
        due_at=now + timedelta(hours=12), created_at=now, sent_at=now, status=NotificationStatus.SENT)
    return {"users": users, "task": task, "late": late, "note": note, "person": person}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_task_shows_its_owner_clock_and_why_it_exists(world) -> None:
    client = signed_in(world["users"]["grace"])
    page = client.get(reverse("web:task", args=[world["task"].reference])).content.decode()
    assert "Refer to MARAC" in page and "Why am I seeing this?" in page
    assert "Three domestic abuse incidents in 12 months with the same victim." in page
    assert "Community safety unit, Metropolitan Police Service" in page
    assert AuditEntry.objects.filter(verb=AuditVerb.TASK_VIEW, target_id=world["task"].reference).exists()


def test_task_lists_put_overdue_first_and_are_scoped(world) -> None:
    grace = signed_in(world["users"]["grace"])
    mine = grace.get(reverse("web:tasks")).content.decode()
    assert "Offer a return interview" in mine and "Refer to MARAC" not in mine  # only hers
    team = grace.get(reverse("web:tasks") + "?view=team").content.decode()
    assert team.index("Offer a return interview") < team.index("Refer to MARAC")  # overdue first
    assert "Overdue by" in team
    assert signed_in(world["users"]["helen"]).get(reverse("web:task", args=[world["task"].reference])
                                                   ).status_code == 404
    assert signed_in(world["users"]["lambeth"]).get(reverse("web:task", args=[world["task"].reference])
                                                     ).status_code == 404


def test_completing_a_task_from_an_old_version_is_refused_naming_who_changed_it(world) -> None:
    task = world["task"]
    url = reverse("web:task-complete", args=[task.reference])
    grace, raj = signed_in(world["users"]["grace"]), signed_in(world["users"]["raj"])
    assert grace.get(url).status_code == 200
    allocate = raj.post(reverse("web:task-reallocate", args=[task.reference]),
                        {"version": 1, "owner": world["users"]["raj"].pk})
    assert allocate.status_code == 302

    stale = grace.post(url, {"version": 1, "outcome": "Referred to MARAC on the phone"})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Raj Patel changed this task" in body and "Referred to MARAC on the phone" in body
    done = grace.post(url, {"version": 2, "outcome": "Referred to MARAC on the phone"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == world["users"]["grace"]


def test_opening_a_notification_records_delivery_for_the_recipient_agency_only(world) -> None:
    note = world["note"]
    url = reverse("web:notification", args=[note.reference])
    assert signed_in(world["users"]["other"]).get(url).status_code == 404
    inbox = signed_in(world["users"]["helen"]).get(reverse("web:notifications")).content.decode()
    assert "Operation Encompass: domestic abuse at a pupil&#x27;s home" in inbox

    page = signed_in(world["users"]["helen"]).get(url).content.decode()
    assert "CAD 4471/12" in page and "Received and read" in page
    note.refresh_from_db()
    assert note.status == NotificationStatus.READ and note.read_by == world["users"]["helen"]


def test_the_workload_view_counts_each_persons_open_and_overdue_tasks(world) -> None:
    page = signed_in(world["users"]["tom"]).get(reverse("web:workload")).content.decode()
    assert "Grace Hughes" in page and "1 task not allocated" in page
    # The team's totals: Grace's overdue task and the unallocated one.
    team_row = page.split("The team, with tasks not yet allocated")[1]
    assert [cell.split("</strong>")[0] for cell in team_row.split("<strong>")[1:4]] == ["2", "1", "0"]
    assert signed_in(world["users"]["priya"]).get(reverse("web:workload")).status_code == 403


def test_an_overdue_task_shows_among_the_persons_overdue_actions(world) -> None:
    page = signed_in(world["users"]["grace"]).get(reverse("web:person", args=[world["person"].reference]))
    body = page.content.decode()
    assert f'href="/tasks/{world["late"].reference}">Offer a return interview</a>' in body
    assert "Refer to MARAC" not in body.split("Overdue actions")[1].split("Single point of contact")[0]
