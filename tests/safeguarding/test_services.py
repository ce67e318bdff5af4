"""Tasks done, reallocated and cancelled with optimistic locking; notifications read; who sees what."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from lantern.accounts.models import Role
from lantern.core.models import AuditEntry, AuditVerb
from lantern.organisations.models import Borough
from lantern.safeguarding.models import Notification, NotificationStatus, Task, TaskStatus
from lantern.safeguarding.selectors import actions_for, visible_notifications, visible_tasks, why
from lantern.safeguarding.services import (
    EditConflict,
    notification_read,
    task_cancel,
    task_complete,
    task_reallocate,
)
from tests.factories import UserFactory

from .conftest import World


@pytest.fixture
def raised(world: World) -> World:
    """A child in custody: a notification to Hackney's social care; a child charged and refused bail: a task."""
    child = world.record("Kai", "Morgan", "2009-04-17", sex="male")
    event = world.event("custody_detention", "2025-06-10 15:00", [(child, "detainee")],
                        {"detained_at": "2025-06-10T15:00:00Z", "charged": True, "bail_decision": "refused",
                         "released_at": None})
    world.run(event)
    return world


def _social_worker(world, **kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SOCIAL_WORKER, agency=world.csc, borough=world.hackney, **kwargs)


def test_a_task_is_completed_by_its_team_once(raised):
    task = Task.objects.get(kind="pace_transfer")
    worker = _social_worker(raised)
    task_complete(task=task, outcome="Placed with foster carers overnight", actor=worker, expected_version=1)
    assert task.status == TaskStatus.DONE and task.completed_by == worker and task.version == 2
    assert AuditEntry.objects.filter(verb=AuditVerb.TASK_UPDATE, target_id=task.reference).exists()
    with pytest.raises(ValidationError):
        task_complete(task=task, outcome="Placed with foster carers again", actor=worker, expected_version=2)


def test_a_change_from_an_old_version_is_refused_naming_who_changed_it(raised):
    task = Task.objects.get(kind="pace_transfer")
    first = _social_worker(raised, first_name="Amira", last_name="Haddad")
    second = _social_worker(raised)
    task_reallocate(task=task, owner=second, actor=first, expected_version=1)
    stale = Task.objects.get(pk=task.pk)
    stale.version = 1
    with pytest.raises(EditConflict, match="Amira Haddad changed this task"):
        task_complete(task=stale, outcome="Placed with foster carers", actor=second, expected_version=1)


def test_a_task_goes_only_to_someone_in_its_agency_and_borough(raised):
    task = Task.objects.get(kind="pace_transfer")
    worker = _social_worker(raised)
    elsewhere = UserFactory(role=Role.SOCIAL_WORKER, agency=raised.csc,
                            borough=Borough.objects.get(ons_code="E09000022"))
    police = UserFactory(role=Role.OFFICER, agency=raised.met, borough=raised.hackney)
    for wrong in (elsewhere, police):
        with pytest.raises(ValidationError):
            task_reallocate(task=task, owner=wrong, actor=worker, expected_version=1)
    task_reallocate(task=task, owner=worker, actor=worker, expected_version=1)
    assert task.owner == worker


def test_cancelling_needs_a_reason_and_outsiders_cannot(raised):
    task = Task.objects.get(kind="pace_transfer")
    outsider = UserFactory(role=Role.OFFICER, agency=raised.met, borough=raised.hackney)
    with pytest.raises(PermissionDenied):
        task_cancel(task=task, reason="Not needed any more", actor=outsider, expected_version=1)
    worker = _social_worker(raised)
    with pytest.raises(ValidationError):
        task_cancel(task=task, reason="no", actor=worker, expected_version=1)
    task_cancel(task=task, reason="The child was released to family", actor=worker, expected_version=1)
    assert task.status == TaskStatus.CANCELLED


def test_who_sees_which_tasks(raised):
    task = Task.objects.get(kind="pace_transfer")
    lambeth = Borough.objects.get(ons_code="E09000022")
    sees = {
        Role.RESEARCHER: UserFactory(role=Role.RESEARCHER, agency=raised.met, borough=raised.hackney),
        Role.SOCIAL_WORKER: _social_worker(raised),
        Role.INVESTIGATOR: UserFactory(role=Role.INVESTIGATOR, agency=raised.csc, borough=lambeth),
    }
    hidden = [
        UserFactory(role=Role.RESEARCHER, agency=raised.met, borough=lambeth),
        UserFactory(role=Role.SOCIAL_WORKER, agency=raised.csc, borough=lambeth),
        UserFactory(role=Role.OFFICER, agency=raised.met, borough=raised.hackney),
        UserFactory(role=Role.SCRUTINY, agency=None, borough=None),
        UserFactory(role=Role.ADMIN, agency=raised.csc, borough=raised.hackney),
    ]
    for user in sees.values():
        assert task in visible_tasks(user), user.role
    for user in hidden:
        assert task not in visible_tasks(user), user.role


def test_reading_a_notification_records_delivery_once_and_only_for_its_agency(raised):
    note = Notification.objects.get(kind="custody_la")
    outsider = UserFactory(role=Role.OFFICER, agency=raised.met, borough=raised.hackney)
    assert note not in visible_notifications(outsider)
    with pytest.raises(PermissionDenied):
        notification_read(notification=note, actor=outsider)
    reader = _social_worker(raised)
    notification_read(notification=note, actor=reader)
    assert note.status == NotificationStatus.READ and note.read_by == reader
    assert note.delivered_at is not None and note.read_at is not None
    first_read = note.read_at
    notification_read(notification=note, actor=_social_worker(raised))
    note.refresh_from_db()
    assert note.read_at == first_read and note.read_by == reader
    assert AuditEntry.objects.filter(verb=AuditVerb.NOTIFICATION_DELIVER).count() == 1


def test_actions_for_a_person_and_why(raised):
    task = Task.objects.get(kind="pace_transfer")
    actions = actions_for([task.person_id], [])
    assert {a.kind for a in actions} == {"custody_la", "pace_transfer"}
    assert {a.url_name for a in actions} == {"web:task", "web:notification"}
    reason = why(task)
    assert reason.rule_code == "pace_transfer" and "refused bail" in reason.explanation and reason.policy


def test_tasks_export_writes_json_lines(raised):
    out = StringIO()
    call_command("tasks", "export", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {line["kind"] for line in lines} == {"custody_la", "pace_transfer"}
    task_line = next(line for line in lines if line["type"] == "task")
    assert set(task_line) >= {"reference", "kind", "rule", "person_references", "owner", "due", "status"}
    assert task_line["rule"] == "pace_transfer" and task_line["owner"]["agency"] == "csc-e09000012"
    assert len(task_line["person_references"]) == 1
    assert AuditEntry.objects.filter(verb=AuditVerb.TASKS_EXPORT).exists()


def test_rules_list_enable_disable(world):
    out = StringIO()
    call_command("rules", "list", stdout=out)
    assert "operation_encompass" in out.getvalue() and "fgm_sisters" in out.getvalue()
    call_command("rules", "disable", "operation_encompass", "--borough", "E09000012", stdout=StringIO())
    out = StringIO()
    call_command("rules", "list", "--borough", "E09000012", stdout=out)
    row = next(line for line in out.getvalue().splitlines() if "operation_encompass" in line)
    assert " off " in row
    call_command("rules", "enable", "operation_encompass", "--borough", "E09000012", stdout=StringIO())
    switched = AuditEntry.objects.filter(verb=AuditVerb.RULE_SETTING).order_by("seq")
    assert [entry.payload["enabled"] for entry in switched] == [False, True]


def test_an_event_received_live_runs_the_rules_at_once(world):
    child = world.record("Kai", "Morgan", "2012-04-17", sex="male")
    now = timezone.localtime()
    from lantern.events.services import event_receive

    event_receive(agency=world.met, source_id="CUS-LIVE", event_type="custody_detention",
                  occurred_at=now - timedelta(hours=1), involvements=[(child, "detainee")],
                  attributes={"detained_at": (now - timedelta(hours=1)).isoformat()}, borough=world.hackney)
    assert Notification.objects.filter(kind="custody_la").count() == 1
