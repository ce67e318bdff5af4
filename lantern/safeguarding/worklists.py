"""Worklists: a user's tasks, who may own a task, and a supervisor's view of the team's workload."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from lantern.accounts.models import Role, User
from lantern.core.access import scope_for
from lantern.investigations.models import Investigation, InvestigationStatus
from lantern.people.profile import OverdueAction

from .models import Task, TaskStatus
from .selectors import visible_tasks
from .services import may_own

TASK_VIEWS = {
    "mine": "Allocated to me",
    "team": "My team's",
    "unallocated": "Not allocated",
    "overdue": "Overdue",
    "done": "Done",
}


def task_list(user: Any, view: str, now: datetime) -> QuerySet[Task]:
    """Return one of the user's task lists: open ones soonest due first, so overdue ones lead."""
    tasks = visible_tasks(user).select_related("person", "owner", "owner_agency")
    if view == "done":
        return tasks.exclude(status=TaskStatus.OPEN).order_by("-updated_at")
    tasks = tasks.filter(status=TaskStatus.OPEN)
    if view == "mine":
        tasks = tasks.filter(owner=user)
    elif view == "unallocated":
        tasks = tasks.filter(owner__isnull=True)
    elif view == "overdue":
        tasks = tasks.filter(due_at__lt=now)
    return tasks.order_by("due_at", "pk")


def task_owners(task: Task) -> list[User]:
    """Return the people a task can be given to: active staff of its owning agency and borough."""
    if task.owner_agency_id is None:
        return []
    staff = User.objects.filter(agency_id=task.owner_agency_id, is_active=True).exclude(
        role__in=[Role.ADMIN, Role.SCRUTINY]).order_by("first_name", "last_name", "username")
    return [user for user in staff if may_own(user, task)]


@dataclass
class PersonLoad:
    user: User | None  # None for the team's totals
    open_tasks: int = 0
    overdue_tasks: int = 0
    open_investigations: int = 0


@dataclass
class TeamLoad:
    people: list[PersonLoad] = field(default_factory=list)
    unallocated: int = 0
    unallocated_overdue: int = 0

    @property
    def totals(self) -> PersonLoad:
        """Return the team's own totals, as one row: what its people hold, and what nobody holds yet."""
        return PersonLoad(
            user=None,
            open_tasks=sum(p.open_tasks for p in self.people) + self.unallocated,
            overdue_tasks=sum(p.overdue_tasks for p in self.people) + self.unallocated_overdue,
            open_investigations=sum(p.open_investigations for p in self.people),
        )


def _team(user: Any) -> QuerySet[User]:
    """Return the supervisor's team: their agency's staff in their borough (every borough if they see all)."""
    # One borough command's officers, investigators and MASH staff: a supervisor moves work among all of them.
    team = User.objects.filter(agency_id=user.agency_id, is_active=True).exclude(role__in=[Role.ADMIN, Role.SCRUTINY])
    if not scope_for(user).all_boroughs:
        team = team.filter(borough_id=user.borough_id)
    return team.order_by("first_name", "last_name", "username")


def team_workload(user: Any, now: datetime) -> TeamLoad:
    """Count each team member's open and overdue tasks and open investigations, in a constant number of queries."""
    team = list(_team(user))
    load = {member.pk: PersonLoad(member) for member in team}
    open_tasks = visible_tasks(user).filter(status=TaskStatus.OPEN)
    overdue = Q(due_at__lt=now)
    for row in open_tasks.filter(owner_id__in=list(load)).values("owner_id").annotate(
            total=Count("pk"), late=Count("pk", filter=overdue)):
        load[row["owner_id"]].open_tasks, load[row["owner_id"]].overdue_tasks = row["total"], row["late"]
    waiting = open_tasks.filter(owner__isnull=True).aggregate(total=Count("pk"), late=Count("pk", filter=overdue))
    for officer_id, total in investigation_load(list(load)):
        load[officer_id].open_investigations = total
    names = {member.pk: member.username for member in team}
    busiest_first = sorted(load.items(), key=lambda item: (-item[1].overdue_tasks, -item[1].open_tasks, names[item[0]]))
    return TeamLoad([person for _, person in busiest_first], waiting["total"], waiting["late"])


def investigation_load(user_ids: list[int]) -> list[tuple[int, int]]:
    """Return (officer id, open investigations they lead) for these officers."""
    led = Investigation.objects.filter(status=InvestigationStatus.OPEN, officer_id__in=user_ids)
    return [(row["officer_id"], row["total"]) for row in led.values("officer_id").annotate(total=Count("pk"))]


def overdue_tasks_about(user: Any, person: Any, now: datetime) -> list[OverdueAction]:
    """Return the person's open tasks that are overdue, as the user may see them, for the person page."""
    late = visible_tasks(user).filter(person=person, status=TaskStatus.OPEN, due_at__lt=now).select_related(
        "event__agency").order_by("due_at")
    return [OverdueAction(task.title, task.due_at, task.event, reverse("web:task", args=[task.reference]))
            for task in late]
