"""`lantern tasks export`: every task and notification as JSON Lines, for reporting."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

import orjson

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb

from .models import Notification, Task


class Writable(Protocol):
    def write(self, text: str) -> Any: ...


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _people(person: Any) -> list[str]:
    return [person.reference] if person is not None else []


def export_rows(borough_code: str = "") -> Iterator[dict[str, Any]]:
    """Yield one dict per task, then per notification, oldest first."""
    tasks = Task.objects.select_related("firing", "person", "owner", "owner_agency", "borough", "event__agency")
    notes = Notification.objects.select_related("firing", "person", "recipient_agency", "borough", "event__agency")
    if borough_code:
        tasks = tasks.filter(borough__ons_code=borough_code)
        notes = notes.filter(borough__ons_code=borough_code)
    for task in tasks.order_by("created_at", "pk").iterator(chunk_size=2000):
        yield {
            "type": "task", "reference": task.reference, "kind": task.kind,
            "rule": task.firing.rule if task.firing else None,
            "rule_version": task.firing.rule_version if task.firing else None,
            "person_references": _people(task.person),
            "event": f"{task.event.agency.code}:{task.event.source_id}" if task.event else None,
            "borough": task.borough.ons_code if task.borough else None,
            "owner": {"agency": task.owner_agency.code if task.owner_agency else None, "team": task.owner_team,
                      "user": task.owner.get_username() if task.owner else None},
            "priority": task.priority, "due": _when(task.due_at), "status": task.status,
            "created": _when(task.created_at), "completed": _when(task.completed_at),
            "escalated": _when(task.escalated_at), "title": task.title,
        }
    for note in notes.order_by("created_at", "pk").iterator(chunk_size=2000):
        yield {
            "type": "notification", "reference": note.reference, "kind": note.kind, "rule": note.firing.rule,
            "rule_version": note.firing.rule_version, "person_references": _people(note.person),
            "event": f"{note.event.agency.code}:{note.event.source_id}" if note.event else None,
            "borough": note.borough.ons_code if note.borough else None,
            "owner": {"agency": note.recipient_agency.code, "team": note.recipient_role, "user": None},
            "due": _when(note.due_at), "status": note.status, "created": _when(note.created_at),
            "sent": _when(note.sent_at), "delivered": _when(note.delivered_at), "read": _when(note.read_at),
            "escalated": _when(note.escalated_at), "title": note.subject,
        }


def tasks_export(out: Writable, *, actor: Any = None, borough_code: str = "") -> int:
    """Write every task and notification to `out` as JSON Lines; audit it; return how many lines."""
    written = 0
    for row in export_rows(borough_code):
        out.write(orjson.dumps(row).decode() + "\n")
        written += 1
    audit_write(actor=actor, verb=AuditVerb.TASKS_EXPORT, target_type="safeguarding.task",
                payload={"lines": written, "borough": borough_code or "all"})
    return written
