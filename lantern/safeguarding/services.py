"""Writes to tasks and notifications: done, reallocated, cancelled, read.

Every change to a task names the version it was made from; a change made from an older
version is refused with who changed it since (EditConflict), so nobody's work is silently
overwritten. Tasks and notifications are created only by the rules engine (engine.py).
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.access import checked_reason, scope_for
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.core.versioning import EditConflict, save_from_version  # noqa: F401  (views catch it from here)

from .models import Notification, NotificationStatus, RuleSetting, Task, TaskStatus
from .selectors import visible_notifications, visible_tasks


def _require_visible(actor: Any, task: Task) -> None:
    if not visible_tasks(actor).filter(pk=task.pk).exists():
        raise PermissionDenied("Only the task's owner, or its team in its borough, can change it")


def _require_open(task: Task) -> None:
    if task.status != TaskStatus.OPEN:
        raise ValidationError(f"This task is already {TaskStatus(task.status).label.lower()}, so it cannot change")


@transaction.atomic
def task_complete(*, task: Task, outcome: str, actor: Any, expected_version: int,
                  now: datetime | None = None) -> Task:
    """Record a task as done, with what was done."""
    _require_visible(actor, task)
    _require_open(task)
    outcome = checked_reason(outcome, "outcome", "What was done")
    now = now or timezone.now()
    save_from_version(task, expected_version, actor, now, status=TaskStatus.DONE, completed_at=now,
                       completed_by=actor, outcome=outcome)
    audit_write(actor=actor, verb=AuditVerb.TASK_UPDATE, target=task, reason=outcome,
                payload={"status": TaskStatus.DONE, "kind": task.kind})
    return task


def may_own(user: Any, task: Task) -> bool:
    """Return whether the user is in the task's owning agency and (unless they see every borough) its borough."""
    if not getattr(user, "is_active", False) or not scope_for(user).sees_case_data:
        return False
    if task.owner_agency_id is None or user.agency_id != task.owner_agency_id:
        return False
    return scope_for(user).all_boroughs or task.borough_id is None or user.borough_id == task.borough_id


@transaction.atomic
def task_reallocate(*, task: Task, owner: Any, actor: Any, expected_version: int,
                    now: datetime | None = None) -> Task:
    """Give a task to a named person of its owning agency (and borough, unless their role sees all)."""
    _require_visible(actor, task)
    _require_open(task)
    if not may_own(owner, task):
        raise ValidationError({"owner": "Choose someone in the agency that owns this task, in its borough"})
    now = now or timezone.now()
    before = task.owner.get_username() if task.owner else ""
    save_from_version(task, expected_version, actor, now, owner=owner)
    audit_write(actor=actor, verb=AuditVerb.TASK_UPDATE, target=task,
                payload={"owner": {"from": before, "to": owner.get_username()}})
    return task


@transaction.atomic
def task_cancel(*, task: Task, reason: str, actor: Any, expected_version: int,
                now: datetime | None = None) -> Task:
    """Cancel a task that is no longer needed, with the reason."""
    _require_visible(actor, task)
    _require_open(task)
    reason = checked_reason(reason, "reason", "Your reason for cancelling")
    now = now or timezone.now()
    save_from_version(task, expected_version, actor, now, status=TaskStatus.CANCELLED, completed_at=now,
                       completed_by=actor, outcome=reason)
    audit_write(actor=actor, verb=AuditVerb.TASK_UPDATE, target=task, reason=reason,
                payload={"status": TaskStatus.CANCELLED, "kind": task.kind})
    return task


@transaction.atomic
def notification_read(*, notification: Notification, actor: Any, now: datetime | None = None) -> Notification:
    """Record that someone in the recipient agency opened a notification (delivered and read); once only."""
    if not visible_notifications(actor).filter(pk=notification.pk).exists():
        raise PermissionDenied("Only the agency this notification was sent to can open it")
    if notification.status == NotificationStatus.READ:
        return notification
    now = now or timezone.now()
    # The first reader counts: a second person opening it at the same moment changes nothing.
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        status=NotificationStatus.READ, delivered_at=notification.delivered_at or now, read_at=now, read_by=actor)
    notification.refresh_from_db()
    audit_write(actor=actor, verb=AuditVerb.NOTIFICATION_DELIVER, target=notification,
                payload={"status": NotificationStatus.READ, "kind": notification.kind})
    return notification


@transaction.atomic
def rule_setting_change(*, rule: str, borough: Any, enabled: bool, changed_by: str) -> RuleSetting:
    """Switch a rule on or off for one borough (a rule with no setting is on)."""
    from .rules import RULES_BY_CODE  # the rules import the facts loader, which imports these models

    if rule not in RULES_BY_CODE:
        raise ValidationError({"rule": f"{rule!r} is not a rule; the rules are {', '.join(sorted(RULES_BY_CODE))}"})
    setting, _ = RuleSetting.objects.update_or_create(
        rule=rule, borough=borough,
        defaults={"enabled": enabled, "changed_at": timezone.now(), "changed_by": changed_by[:150]})
    audit_write(actor=None, verb=AuditVerb.RULE_SETTING, target=setting,
                payload={"rule": rule, "borough": borough.ons_code, "enabled": enabled, "by": changed_by[:150]})
    return setting
