"""Reads at the front door: the MASH queue and what needs a supervisor."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from lantern.core.access import visible_contacts, works_in_mash
from lantern.people.profile import OverdueAction

from .clocks import unallocated_alert_at
from .models import Contact, Status

QUEUE_VIEWS = {
    "open": "Open",
    "unallocated": "Not allocated",
    "mine": "Allocated to me",
    "overdue": "Overdue",
    "decided": "Decided",
}


def mash_queue(user: Any, view: str, now: datetime) -> QuerySet[Contact]:
    """Return the user's MASH queue, soonest due first, so overdue contacts are always at the top.

    Decided contacts come newest first. Anyone outside a MASH gets an empty queue.
    """
    if not works_in_mash(user, user.borough_id):
        return Contact.objects.none()
    contacts = visible_contacts(user).select_related("subject_record", "allocated_to", "person")
    if view == "decided":
        return contacts.filter(status=Status.DECIDED).order_by("-updated_at")
    contacts = contacts.filter(status=Status.OPEN)
    if view == "unallocated":
        contacts = contacts.filter(allocated_to__isnull=True)
    elif view == "mine":
        contacts = contacts.filter(allocated_to=user)
    elif view == "overdue":
        contacts = contacts.filter(due_at__lt=now)
    return contacts.order_by("due_at", "received_at", "pk")


@dataclass(frozen=True)
class QueueCounts:
    open: int
    unallocated: int
    overdue: int
    mine: int
    escalated: int


def queue_counts(user: Any, now: datetime) -> QueueCounts:
    """Count the MASH's open contacts by what needs doing, in one query."""
    if not works_in_mash(user, user.borough_id):
        return QueueCounts(0, 0, 0, 0, 0)
    counts = visible_contacts(user).filter(status=Status.OPEN).aggregate(
        open=Count("pk"),
        unallocated=Count("pk", filter=Q(allocated_to__isnull=True)),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        mine=Count("pk", filter=Q(allocated_to=user)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
    )
    return QueueCounts(**counts)


def needs_supervisor(user: Any, now: datetime) -> list[Contact]:
    """Return open contacts a supervisor must see: overdue, or unallocated for too long."""
    if not works_in_mash(user, user.borough_id):
        return []
    waiting = visible_contacts(user).filter(status=Status.OPEN).filter(
        Q(due_at__lt=now) | Q(allocated_to__isnull=True)).select_related("subject_record", "allocated_to")
    return [c for c in waiting.order_by("due_at")[:500]
            if c.due_at < now or unallocated_alert_at(c.received_at) < now]


def overdue_contacts_about(user: Any, person: Any, now: datetime) -> list[OverdueAction]:
    """Return the person's open contacts whose MASH decision is overdue, as the user may see them."""
    contacts = (visible_contacts(user).filter(person=person, status=Status.OPEN, due_at__lt=now)
                .select_related("event__agency").order_by("due_at"))
    return [OverdueAction(f"MASH decision on contact {contact.reference}", contact.due_at, contact.event,
                          reverse("web:contact", args=[contact.reference])) for contact in contacts]
