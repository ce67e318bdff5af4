"""Safeguarding tasks and notifications: what the rules asked of whom, why, and a supervisor's workload view.

Tasks and notifications are read only through lantern.core.access (access_task_by_reference,
access_notification_by_reference); a change names the version the user saw (EditConflict).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone

from lantern.core.access import access_notification_by_reference, access_task_by_reference
from lantern.safeguarding.models import TaskStatus
from lantern.safeguarding.selectors import visible_notifications, why
from lantern.safeguarding.services import task_complete, task_reallocate
from lantern.safeguarding.worklists import TASK_VIEWS, task_list, task_owners, team_workload
from lantern.web.task_forms import CompleteTaskForm, ReallocateTaskForm
from lantern.web.views.changes import versioned_change

PAGE_SIZE = 100


def tasks(request: HttpRequest) -> HttpResponse:
    """List the user's tasks, or their team's, soonest due first (overdue at the top)."""
    view = request.GET.get("view", "mine")
    if view not in TASK_VIEWS:
        view = "mine"
    now = timezone.now()
    return render(request, "safeguarding/tasks.html", {
        "view": view, "views": TASK_VIEWS, "now": now,
        "tasks": list(task_list(request.user, view, now)[:PAGE_SIZE]),
    })


def task(request: HttpRequest, reference: str) -> HttpResponse:
    """Show a task, who owns it, when it is due, and why it exists."""
    found = access_task_by_reference(request.user, reference)
    return render(request, "safeguarding/task.html", {"task": found, "why": why(found), "now": timezone.now()})


def _task_change(request: HttpRequest, reference: str, title: str, make_form: Any, save: Any,
                 done: str) -> HttpResponse:
    """Run one change to an open task from the version the user saw (see versioned_change)."""
    found = access_task_by_reference(request.user, reference)
    if found.status != TaskStatus.OPEN:
        raise PermissionDenied("This task is no longer open")
    return versioned_change(request, found, make_form(found, request.POST or None),
                            lambda cleaned: save(found, cleaned), title=title, done=done,
                            template="safeguarding/task_action.html", name="task",
                            next_url=lambda task: reverse("web:task", args=[task.reference]))


def task_complete_view(request: HttpRequest, reference: str) -> HttpResponse:
    return _task_change(
        request, reference, "Mark this task done",
        lambda found, data: CompleteTaskForm(data, initial={"version": found.version}),
        lambda found, cleaned: task_complete(task=found, outcome=cleaned["outcome"], actor=request.user,
                                             expected_version=cleaned["version"]),
        "The task is done.")


def task_reallocate_view(request: HttpRequest, reference: str) -> HttpResponse:
    return _task_change(
        request, reference, "Allocate this task",
        lambda found, data: ReallocateTaskForm(data, owners=task_owners(found),
                                               initial={"version": found.version, "owner": found.owner_id}),
        lambda found, cleaned: task_reallocate(task=found, owner=cleaned["owner"], actor=request.user,
                                               expected_version=cleaned["version"]),
        "The task is allocated.")


def notifications(request: HttpRequest) -> HttpResponse:
    """List the notifications sent to the user's agency: unread first, soonest due first."""
    sent = visible_notifications(request.user).select_related("person", "recipient_agency")
    return render(request, "safeguarding/notifications.html", {
        "unread": list(sent.filter(read_at__isnull=True).order_by("due_at")[:PAGE_SIZE]),
        "read": list(sent.filter(read_at__isnull=False).order_by("-read_at")[:50]),
        "now": timezone.now(),
    })


def notification(request: HttpRequest, reference: str) -> HttpResponse:
    """Show a notification; opening it records that the agency has received and read it."""
    found = access_notification_by_reference(request.user, reference)
    return render(request, "safeguarding/notification.html", {"note": found, "why": why(found)})


def workload(request: HttpRequest) -> HttpResponse:
    """Show a supervisor each person's open tasks, overdue items and investigations, to reallocate."""
    user: Any = request.user
    if user.role not in {"supervisor", "investigator"}:
        raise PermissionDenied("The workload view is for supervisors")
    return render(request, "safeguarding/workload.html", {"workload": team_workload(user, timezone.now())})


urlpatterns = [
    path("tasks", tasks, name="tasks"),
    path("tasks/<str:reference>", task, name="task"),
    path("tasks/<str:reference>/done", task_complete_view, name="task-complete"),
    path("tasks/<str:reference>/allocate", task_reallocate_view, name="task-reallocate"),
    path("notifications", notifications, name="notifications"),
    path("notifications/<str:reference>", notification, name="notification"),
    path("workload", workload, name="workload"),
]
