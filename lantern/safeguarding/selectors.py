"""Reads of tasks and notifications: who sees which, what is open about a person, and why it exists.

Scope, by role:
- anyone sees the tasks allocated to them by name;
- the MASH (researchers, supervisors) sees every task of its borough;
- investigators see their agency's tasks in every borough;
- officers, social workers and partners see their agency's tasks in their own borough;
- scrutiny panel members and administrators see none.
A notification is seen by the users of its recipient agency, in its borough (or in every
borough for roles that see them all).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from lantern.accounts.models import Role
from lantern.core.access import MASH_ROLES, scope_for

from .models import Notification, Task

NO_TASK_ROLES = frozenset({Role.SCRUTINY, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role not in NO_TASK_ROLES)


def visible_tasks(user: Any) -> QuerySet[Task]:
    """Return the tasks a user may see and work on."""
    if not _active(user) or not scope_for(user).sees_case_data:
        return Task.objects.none()
    mine = Q(owner_id=user.pk)
    if user.role in MASH_ROLES:
        return Task.objects.filter(mine | Q(borough_id=user.borough_id)) if user.borough_id else \
            Task.objects.filter(mine)
    if user.agency_id is None:
        return Task.objects.filter(mine)
    team = Q(owner_agency_id=user.agency_id)
    if not scope_for(user).all_boroughs:
        team &= Q(borough_id=user.borough_id) if user.borough_id else Q(pk__in=[])
    return Task.objects.filter(mine | team)


def visible_notifications(user: Any) -> QuerySet[Notification]:
    """Return the notifications sent to the user's agency, in the user's borough."""
    if not _active(user) or not scope_for(user).sees_case_data or user.agency_id is None:
        return Notification.objects.none()
    sent = Notification.objects.filter(recipient_agency_id=user.agency_id)
    if scope_for(user).all_boroughs:
        return sent
    if user.borough_id is None:
        return Notification.objects.none()
    return sent.filter(Q(borough_id=user.borough_id) | Q(borough__isnull=True))


@dataclass(frozen=True)
class SafeguardingAction:
    """One task or notification, as the investigation and person pages list them."""

    kind: str
    title: str
    owner: str
    due_at: datetime
    status: str
    url_name: str
    reference: str


TASK_URL = "web:task"
NOTIFICATION_URL = "web:notification"


def _task_owner(task: Task) -> str:
    if task.owner is not None:
        return task.owner.get_full_name() or task.owner.get_username()
    agency = task.owner_agency.name if task.owner_agency else ""
    return ", ".join(part for part in (task.owner_team, agency) if part)


def actions_for(person_ids: Iterable[int], event_ids: Iterable[int]) -> list[SafeguardingAction]:
    """Return the tasks and notifications about these people or events, soonest due first."""
    people, events = list(person_ids), list(event_ids)
    about = Q(person_id__in=people) | Q(event_id__in=events)
    actions = [
        SafeguardingAction(task.kind, task.title, _task_owner(task), task.due_at, task.status, TASK_URL,
                           task.reference)
        for task in Task.objects.filter(about).select_related("owner", "owner_agency")
    ]
    actions += [
        SafeguardingAction(note.kind, note.subject, f"{note.recipient_role}, {note.recipient_agency.name}",
                           note.due_at, note.status, NOTIFICATION_URL, note.reference)
        for note in Notification.objects.filter(about).select_related("recipient_agency")
    ]
    return sorted(actions, key=lambda action: (action.due_at, action.reference))


@dataclass(frozen=True)
class Why:
    """Why a task or notification exists: the firing's explanation and the rule behind it."""

    explanation: str
    rule_code: str
    rule_name: str
    rule_version: str
    policy: str
    fired_at: datetime | None


def why(item: Task | Notification) -> Why:
    """Return why a task or notification was raised ("why am I seeing this")."""
    from .rules import RULES_BY_CODE  # the rules import the engine's helpers, which import models

    firing = item.firing
    if firing is None:
        return Why("Created by hand, not by a rule.", "", "", "", "", None)
    rule = RULES_BY_CODE.get(firing.rule)
    return Why(
        explanation=firing.explanation,
        rule_code=firing.rule,
        rule_name=rule.name if rule else firing.rule,
        rule_version=firing.rule_version,
        policy=rule.policy if rule else "",
        fired_at=firing.fired_at,
    )
