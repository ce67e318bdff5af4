"""The rules engine: runs every enabled rule on new or changed events, and on a schedule.

One pass loads the facts for a batch of events (a fixed number of queries, see facts.py),
evaluates every enabled rule, and writes the firings, tasks, notifications and contacts in
bulk. A firing is unique per (rule, facts), so the same facts never fire a rule twice: an
event sent again, a feed imported twice, or a replay over what was already seen changes
nothing. When the facts behind a tracked task change (a return interview now offered, a
child now out of custody), the task is closed.
"""

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from lantern.core.audit import audit_write
from lantern.core.hashing import content_hash
from lantern.core.models import AuditVerb
from lantern.core.references import new_references
from lantern.events.models import Event, EventType
from lantern.referrals.clocks import contact_deadline
from lantern.referrals.models import Contact, Source

from .facts import Agencies, Batch, chunked, load_batch
from .models import Notification, NotificationStatus, RuleFiring, RuleSetting, Task, TaskStatus
from .rules import RULES, SCHEDULE, CreateContact, CreateTask, Match, Notify, Rule

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
TRACKED_TASK_KINDS = tuple(sorted({a.kind for r in RULES for a in r.actions if isinstance(a, CreateTask)}))


@dataclass
class RunReport:
    """What one run did: events looked at, firings per rule, and what they made."""

    events: int = 0
    fired: Counter[str] = field(default_factory=Counter)
    tasks: int = 0
    notifications: int = 0
    contacts: int = 0
    closed: int = 0
    escalated_tasks: int = 0
    escalated_notifications: int = 0
    seconds: float = 0.0

    def add(self, other: "RunReport") -> None:
        self.events += other.events
        self.fired.update(other.fired)
        for name in ("tasks", "notifications", "contacts", "closed", "escalated_tasks", "escalated_notifications"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def facts_key(rule: Rule, match: Match) -> str:
    """Return the hash that identifies these facts for this rule (not its version: a new version is not new facts)."""
    return content_hash({"rule": rule.code, "facts": list(match.key)})


def disabled_rules() -> set[tuple[str, int]]:
    """Return the (rule, borough id) pairs switched off; a rule with no setting runs everywhere."""
    return set(RuleSetting.objects.filter(enabled=False).values_list("rule", "borough_id"))


def explanation(rule: Rule, match: Match) -> str:
    """Return "why am I seeing this": which facts, which rule, which policy."""
    return (f"{match.because[:1].upper()}{match.because[1:]}. Rule: {rule.name} (version {rule.version}): "
            f"{rule.description} Policy: {rule.policy}.")


# Evaluating a batch ------------------------------------------------------------------------------

Proposal = tuple[Rule, Match, str]


def _propose(batch: Batch, rules: Iterable[Rule], disabled: set[tuple[str, int]], report: RunReport) -> list[Proposal]:
    proposals: dict[tuple[str, str], Proposal] = {}
    rules = list(rules)
    for event in batch.events:
        police = batch.is_police(event)
        for rule in rules:
            if not rule.listens_to(event.type, police):
                continue
            for match in rule.condition(event, batch):
                if match.borough_id is not None and (rule.code, match.borough_id) in disabled:
                    continue
                key = facts_key(rule, match)
                proposals.setdefault((rule.code, key), (rule, match, key))
    report.events += len(batch.events)
    return list(proposals.values())


def _existing(proposals: list[Proposal]) -> dict[tuple[str, str], int]:
    by_rule: dict[str, list[str]] = {}
    for rule, _, key in proposals:
        by_rule.setdefault(rule.code, []).append(key)
    found: dict[tuple[str, str], int] = {}
    for code, keys in by_rule.items():
        for chunk in chunked(keys):
            found.update({(code, k): pk for pk, k in RuleFiring.objects.filter(rule=code, facts_key__in=chunk)
                          .values_list("pk", "facts_key")})
    return found


def _close_tracked(proposals: list[Proposal], existing: dict[tuple[str, str], int], actor: Any,
                   report: RunReport) -> None:
    """Close the open tasks whose facts now show them done (the same facts, seen again with more detail)."""
    closing: dict[int, tuple[datetime, str]] = {}
    for rule, match, key in proposals:
        firing_id = existing.get((rule.code, key))
        for action in rule.actions:
            if firing_id is not None and isinstance(action, CreateTask) and action.done is not None:
                done = action.done(match)
                if done is not None:
                    closing[firing_id] = done
    if not closing:
        return
    closed = []
    for ids in chunked(closing):
        for task in Task.objects.filter(firing_id__in=ids, status=TaskStatus.OPEN).only("pk", "firing_id",
                                                                                         "reference"):
            at, outcome = closing[task.firing_id]  # type: ignore[index]
            Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
                status=TaskStatus.DONE, completed_at=at, outcome=outcome, updated_at=timezone.now())
            closed.append(task.reference)
    if closed:
        report.closed += len(closed)
        audit_write(actor=actor, verb=AuditVerb.TASK_UPDATE, target_type="safeguarding.task",
                    payload={"status": TaskStatus.DONE, "because": "the facts show it done",
                             "references": closed[:1000]})


def _when(match: Match, batch: Batch) -> datetime:
    """Return when a firing happened: now, or in a replay the moment the facts became known."""
    if not batch.replay:
        return batch.now
    assert match.event is not None  # noqa: S101
    return min(max(match.at or match.event.occurred_at, match.event.occurred_at), batch.now)


def _write(batch: Batch, proposals: list[Proposal], actor: Any, report: RunReport) -> None:
    existing = _existing(proposals)
    _close_tracked(proposals, existing, actor, report)
    new = [p for p in proposals if (p[0].code, p[2]) not in existing]
    if not new:
        return
    token = uuid.uuid4().hex
    # Store the facts as they will read back from the database.
    RuleFiring.objects.bulk_create([
        RuleFiring(rule=rule.code, rule_version=rule.version, facts_key=key, fired_at=_when(match, batch),
                   borough_id=match.borough_id, person_id=match.person.person_id if match.person else None,
                   event_id=match.event.id if match.event else None, explanation=explanation(rule, match),
                   facts=orjson.loads(orjson.dumps(match.facts, default=str)), batch=token)
        for rule, match, key in new
    ], batch_size=500, ignore_conflicts=True)
    # Only the firings this run inserted raise tasks: a concurrent run may have won some.
    won: dict[tuple[str, str], int] = {}
    for code in {rule.code for rule, _, _ in new}:
        keys = [key for rule, _, key in new if rule.code == code]
        for chunk in chunked(keys):
            won.update({(code, k): pk for pk, k, b in RuleFiring.objects.filter(rule=code, facts_key__in=chunk)
                        .values_list("pk", "facts_key", "batch") if b == token})
    tasks: list[Task] = []
    notes: list[Notification] = []
    contacts: list[Contact] = []
    for rule, match, key in new:
        firing_id = won.get((rule.code, key))
        if firing_id is None:
            continue
        report.fired[rule.code] += 1
        at = _when(match, batch)
        for action in rule.actions:
            if isinstance(action, CreateTask):
                tasks.append(_task(action, rule, match, batch, firing_id, at))
            elif isinstance(action, Notify):
                notes.append(_notification(action, match, batch, firing_id, at))
            elif isinstance(action, CreateContact):
                contact = _contact(action, match, at)
                if contact is not None:
                    contacts.append(contact)
    _insert(tasks, notes, contacts, actor, report, list(won.values()))


def _task(action: CreateTask, rule: Rule, match: Match, batch: Batch, firing_id: int, at: datetime) -> Task:
    agency_id, team = action.owner(match, batch)
    task = Task(kind=action.kind, title=action.title(match)[:200], detail=action.detail(match, batch),
                firing_id=firing_id, person_id=match.person.person_id if match.person else None,
                event_id=match.event.id if match.event else None, borough_id=match.borough_id,
                owner_agency_id=agency_id, owner_team=team[:100], priority=action.priority(match),
                due_at=action.due(match, batch), created_at=at, updated_at=at)
    if action.escalation:
        task.escalated_at, task.escalation_reason = at, action.escalation[:200]
    done = action.done(match) if action.done is not None else None
    if done is not None and done[0] <= batch.now:
        task.status, task.completed_at, task.outcome = TaskStatus.DONE, done[0], done[1]
    return task


def _notification(action: Notify, match: Match, batch: Batch, firing_id: int, at: datetime) -> Notification:
    agency_id, role = action.recipient(match, batch)
    if agency_id is None:
        # Nobody to send it to (no agency registered for the borough): the police hold it, so it is not lost.
        agency_id, role = batch.agencies.police_id, f"MASH, to forward: {role}"
    if agency_id is None:
        raise ValueError("No police agency is registered, so a notification with no recipient cannot be held")
    # Lantern's inbox is the channel, so a notification is sent the moment it is made.
    return Notification(kind=action.kind, firing_id=firing_id, recipient_agency_id=agency_id,
                        recipient_role=role[:100], person_id=match.person.person_id if match.person else None,
                        event_id=match.event.id if match.event else None, borough_id=match.borough_id,
                        subject=action.subject(match)[:200], content=action.content(match, batch),
                        due_at=action.due(match, batch), created_at=at, sent_at=at, status=NotificationStatus.SENT)


def _contact(action: CreateContact, match: Match, at: datetime) -> Contact | None:
    if match.borough_id is None or match.record_id is None or match.event is None:
        return None  # no MASH to send it to: the task still stands
    deadline = contact_deadline(at, "", Source.AUTOMATIC)
    return Contact(source=Source.AUTOMATIC, borough_id=match.borough_id, received_at=at,
                   subject_record_id=match.record_id, person_id=match.person.person_id if match.person else None,
                   event_id=match.event.id, occurred_at=match.event.occurred_at,
                   what_happened=action.what_happened(match), reporter_agency_id=match.event.agency_id,
                   due_at=deadline.at, clock_basis=deadline.basis, updated_at=at)


def unused_references(model: type[Task] | type[Notification] | type[Contact], count: int) -> list[str]:
    """Return `count` fresh references that no row of the model has yet.

    With 22**7 bodies, a London year's hundreds of thousands of tasks would otherwise
    draw the same reference twice now and then (the birthday problem).
    """
    references: set[str] = set()
    while len(references) < count:
        references.update(new_references(count - len(references)))
        drawn = sorted(references)
        for chunk in chunked(drawn):
            references -= set(model.objects.filter(reference__in=chunk).values_list("reference", flat=True))
    return sorted(references)


def _insert(tasks: list[Task], notes: list[Notification], contacts: list[Contact], actor: Any,
            report: RunReport, firing_ids: list[int]) -> None:
    # Draw the references in one go: a default per row would ask the random source once per row.
    for task, reference in zip(tasks, unused_references(Task, len(tasks)), strict=True):
        task.reference = reference
    for note, reference in zip(notes, unused_references(Notification, len(notes)), strict=True):
        note.reference = reference
    for contact, reference in zip(contacts, unused_references(Contact, len(contacts)), strict=True):
        contact.reference = reference
    Task.objects.bulk_create(tasks, batch_size=500)
    Notification.objects.bulk_create(notes, batch_size=500)
    Contact.objects.bulk_create(contacts, batch_size=500)
    report.tasks += len(tasks)
    report.notifications += len(notes)
    report.contacts += len(contacts)
    audit_write(actor=actor, verb=AuditVerb.RULE_FIRE, target_type="safeguarding.rulefiring",
                payload={"firings": len(firing_ids), "ids": firing_ids[:1000]})
    if tasks:
        audit_write(actor=actor, verb=AuditVerb.TASK_CREATE, target_type="safeguarding.task",
                    payload={"created": len(tasks), "references": [t.reference for t in tasks][:1000]})
    if notes:
        audit_write(actor=actor, verb=AuditVerb.NOTIFICATION_SEND, target_type="safeguarding.notification",
                    payload={"sent": len(notes), "references": [n.reference for n in notes][:1000]})
    if contacts:
        audit_write(actor=actor, verb=AuditVerb.CONTACT_CREATE, target_type="referrals.contact",
                    payload={"source": Source.AUTOMATIC, "created": len(contacts),
                             "references": [c.reference for c in contacts][:1000]})


def _run(event_ids: list[int], rules: Iterable[Rule], *, now: datetime, replay: bool, actor: Any,
         report: RunReport, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> None:
    agencies = Agencies()
    disabled = disabled_rules()
    rules = list(rules)
    for start in range(0, len(event_ids), batch_size):
        ids = event_ids[start:start + batch_size]
        batch = load_batch(ids, now=now, replay=replay, agencies=agencies, task_kinds=("rso_visit",))
        with transaction.atomic():
            _write(batch, _propose(batch, rules, disabled, report), actor, report)
        if progress is not None:
            progress(len(ids))


# Entry points ----------------------------------------------------------------------------------

def rules_run_on_events(event_ids: Iterable[int], *, now: datetime | None = None, actor: Any = None,
                        replay: bool = False, batch_size: int = BATCH_SIZE) -> RunReport:
    """Run every enabled rule on these new or changed events; return what fired.

    Live runs skip events older than LANTERN_RULES_WINDOW_DAYS (a back-load of history is not
    news); a replay judges every event as of its own time.
    """
    started = timezone.now()
    now = now or started
    ids = list(dict.fromkeys(event_ids))
    report = RunReport()
    if not ids:
        return report
    if not replay:
        since = now - timedelta(days=settings.LANTERN_RULES_WINDOW_DAYS)
        ids = [pk for chunk in chunked(ids)
               for pk in Event.objects.filter(pk__in=chunk, occurred_at__gte=since).values_list("pk", flat=True)]
    _run(ids, [r for r in RULES if r.triggers - {SCHEDULE}], now=now, replay=replay, actor=actor, report=report,
         batch_size=batch_size)
    report.seconds = (timezone.now() - started).total_seconds()
    return report


def rules_after_intake(event_ids: Iterable[int], *, now: datetime | None = None, actor: Any = None) -> None:
    """Run the rules on events just written, inside the writer's transaction, without risking the write.

    A fault in a rule must not hold back the records themselves: it is logged, the events
    stay stored, and `lantern rules replay` catches up once the fault is fixed.
    """
    ids = list(event_ids)
    try:
        with transaction.atomic():
            rules_run_on_events(ids, now=now, actor=actor)
    except Exception:
        log.exception("The safeguarding rules failed on %d event(s); run `lantern rules replay` once fixed", len(ids))


def rules_replay(*, boroughs: Iterable[str] = (), actor: Any = None, now: datetime | None = None,
                 batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> RunReport:
    """Run every enabled rule over every stored event, each judged as of its own time."""
    started = timezone.now()
    events = Event.objects.order_by("occurred_at", "pk")
    codes = list(boroughs)
    if codes:
        events = events.filter(borough__ons_code__in=codes)
    ids = list(events.values_list("pk", flat=True))
    report = RunReport()
    _run(ids, [r for r in RULES if r.triggers - {SCHEDULE}], now=now or started, replay=True, actor=actor,
         report=report, batch_size=batch_size, progress=progress)
    report.seconds = (timezone.now() - started).total_seconds()
    return report


def _scheduled_events(name: str, now: datetime) -> list[int]:
    """Return the events a scheduled rule looks at again now."""
    if name == "custody_children_detained":
        since = now - timedelta(days=settings.LANTERN_RULE_CUSTODY_LOOKBACK_DAYS)
        still = Q(attributes__released_at=None) | ~Q(attributes__has_key="released_at")
        return list(Event.objects.filter(still, type=EventType.CUSTODY_DETENTION, occurred_at__gte=since)
                    .values_list("pk", flat=True))
    if name == "rso_registrations_without_visit":
        today = timezone.localtime(now).date().isoformat()
        open_visit = Task.objects.filter(event=OuterRef("pk"), kind="rso_visit", status=TaskStatus.OPEN)
        current = Q(attributes__notification_end=None) | Q(attributes__notification_end__gte=today)
        return list(Event.objects.filter(current, type=EventType.RSO_REGISTRATION).exclude(Exists(open_visit))
                    .values_list("pk", flat=True))
    raise ValueError(f"No scheduled event query named {name!r}")


def rules_run_scheduled(now: datetime | None = None, *, actor: Any = None) -> RunReport:
    """Run the time-based rules, then escalate overdue tasks and unread notifications; run it every few minutes."""
    started = timezone.now()
    now = now or started
    report = RunReport()
    for rule in RULES:
        if SCHEDULE in rule.triggers and rule.scheduled_events:
            _run(_scheduled_events(rule.scheduled_events, now), [rule], now=now, replay=False, actor=actor,
                 report=report)
    _escalate(now, actor, report)
    report.seconds = (timezone.now() - started).total_seconds()
    return report


@transaction.atomic
def _escalate(now: datetime, actor: Any, report: RunReport) -> None:
    """Mark overdue open tasks and overdue unread notifications as escalated, each once."""
    tasks = list(Task.objects.filter(status=TaskStatus.OPEN, due_at__lt=now, escalated_at__isnull=True)
                 .only("pk", "reference", "due_at"))
    for task in tasks:
        task.escalated_at = now
        task.escalation_reason = "Overdue: due " + timezone.localtime(task.due_at).strftime("%H:%M on %d %B %Y")
    Task.objects.bulk_update(tasks, ["escalated_at", "escalation_reason"], batch_size=500)
    unread = (NotificationStatus.PENDING, NotificationStatus.SENT)
    notes = list(Notification.objects.filter(status__in=unread, due_at__lt=now, escalated_at__isnull=True)
                 .only("pk", "reference", "due_at"))
    for note in notes:
        note.escalated_at = now
        note.escalation_reason = "Not opened by " + timezone.localtime(note.due_at).strftime("%H:%M on %d %B %Y")
    Notification.objects.bulk_update(notes, ["escalated_at", "escalation_reason"], batch_size=500)
    report.escalated_tasks += len(tasks)
    report.escalated_notifications += len(notes)
    if tasks:
        audit_write(actor=actor, verb=AuditVerb.TASK_UPDATE, target_type="safeguarding.task",
                    payload={"escalated": len(tasks), "references": [t.reference for t in tasks][:1000]})
    if notes:
        audit_write(actor=actor, verb=AuditVerb.TASK_UPDATE, target_type="safeguarding.notification",
                    payload={"escalated_notifications": len(notes),
                             "references": [n.reference for n in notes][:1000]})
