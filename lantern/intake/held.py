"""Lines the importer held back: finding them, and offering them again.

Shared by `lantern quarantine` and the feeds page administrators use
(lantern.web.views.feeds), so both show and retry the same lines the same way.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from lantern.core.access import require_administrator
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb

from .importer import Import, Retried
from .models import HeldLine, HeldStatus, ImportRun


def open_held_lines(*, status: str = "", agency: str = "") -> QuerySet[HeldLine]:
    """Return the lines still held (quarantined or waiting), oldest first; `status` and
    `agency` narrow them when given."""
    held = HeldLine.objects.exclude(status=HeldStatus.RESOLVED)
    if status:
        held = held.filter(status=status)
    if agency:
        held = held.filter(agency=agency)
    return held.order_by("pk")


@dataclass(frozen=True)
class AgencyHeld:
    """How many of one agency's lines are held, and since when."""

    agency: str
    quarantined: int
    waiting: int
    oldest: datetime


def held_by_agency() -> list[AgencyHeld]:
    """Return the open held lines counted by agency, the agency with most first."""
    rows = (HeldLine.objects.exclude(status=HeldStatus.RESOLVED).values("agency")
            .annotate(quarantined=Count("pk", filter=Q(status=HeldStatus.QUARANTINED)),
                      waiting=Count("pk", filter=Q(status=HeldStatus.WAITING)), oldest=Min("created_at")))
    found = [AgencyHeld(row["agency"], row["quarantined"], row["waiting"], row["oldest"]) for row in rows]
    return sorted(found, key=lambda a: (-(a.quarantined + a.waiting), a.agency))


def recent_runs(limit: int = 10) -> QuerySet[ImportRun]:
    """Return the latest import runs, newest first, with who started them."""
    return ImportRun.objects.select_related("actor").order_by("-started_at", "-pk")[:limit]


def held_lines_retry(*, held: Sequence[HeldLine], actor: Any, source: str) -> Retried:
    """Offer held lines to the importer again, as one import run; say what became of them.

    A line goes in once what held it is put right: the person record an event waited for
    has arrived, or the agency it named has been registered. The rest stay held, their
    attempts counted. Lines not kept as sent are not offered (`HeldLine.retriable`).

    `actor`: the administrator who asked, or None for `lantern quarantine retry` on the
    server; anyone else is refused, whoever calls.
    """
    require_administrator(actor, "offer held lines again")
    importer = Import(source, actor=actor)
    retried = importer.retry(held)
    run = importer.finish()
    audit_write(actor=actor, verb=AuditVerb.HELD_RETRY, target=run,
                payload={"lines": len(held), "went_in": retried.went_in, "not_offered": retried.not_offered})
    return retried


def held_lines_dismiss(*, held: Sequence[HeldLine], actor: Any, reason: str) -> int:
    """Close held lines that will never go in (a line sent again in another form, say), with the
    reason in words; return how many were closed. Audited; administrators only, as retrying is.

    Only the lines this call closed are audited: one a retry or another dismissal closed first
    is left as it was, and when none is closed no audit entry is written.

    `actor`: None for `lantern quarantine dismiss` on the server.
    """
    require_administrator(actor, "dismiss held lines")
    reason = " ".join(reason.split())
    if not reason:
        raise ValueError("Say why the lines are dismissed")
    who = actor.get_username() if actor is not None else "an administrator on the server"
    with transaction.atomic():
        # Read which are still open under a lock (the row locks on PostgreSQL; SQLite's write
        # lock, taken at BEGIN IMMEDIATE), so a retry that closed one meanwhile is seen and the
        # audit entry names only the lines closed here.
        closing = list(HeldLine.objects.select_for_update().filter(pk__in=[line.pk for line in held])
                       .exclude(status=HeldStatus.RESOLVED).order_by("pk").values_list("pk", flat=True))
        if not closing:
            return 0
        HeldLine.objects.filter(pk__in=closing).update(
            status=HeldStatus.RESOLVED, resolved_at=timezone.now(), resolution=f"dismissed by {who}: {reason}"[:400])
        audit_write(actor=actor, verb=AuditVerb.HELD_DISMISS, target_type="intake.heldline", reason=reason,
                    payload={"lines": closing})
    return len(closing)


HELD_CSV_COLUMNS = ("status", "file", "line", "agency", "kind", "source_id", "field", "reason", "tries", "held_since",
                    "exported_by", "exported_at")


def held_lines_rows(held: QuerySet[HeldLine], *, who: str, at: datetime) -> Iterator[list[Any]]:
    """Yield a CSV row (HELD_CSV_COLUMNS) for each held line, without the line itself, each
    marked with who exported it and when, as the chronology's rows are."""
    stamp = f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
    for line in held.iterator(chunk_size=2000):
        held_since = f"{timezone.localtime(line.created_at):%Y-%m-%d %H:%M}"
        yield [line.get_status_display(), line.source, line.line_number, line.agency, line.kind, line.source_id,
               line.field, line.reason, line.attempts, held_since, who, stamp]
