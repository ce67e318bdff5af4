"""Writes at the front door: contacts in, triage, requests to partners, decisions, and the clocks.

Every change to a contact names the version it was made from; a change made from an older
version is refused with who changed it since (EditConflict), so nobody's work is silently
overwritten.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lantern.accounts.models import User
from lantern.core.access import MASH_ROLES, MIN_REASON_LENGTH, checked_reason, works_in_mash
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.core.versioning import EditConflict, save_from_version  # noqa: F401  (views catch it from here)
from lantern.events.models import EventType
from lantern.events.models import Role as EventRole
from lantern.events.services import event_receive
from lantern.organisations.models import Agency, AgencyKind, Borough
from lantern.organisations.selectors import borough_for_postcode
from lantern.people.services import source_record_receive

from .clocks import contact_deadline, reply_deadline, unallocated_alert_at
from .models import (
    Contact,
    Decision,
    InformationRequest,
    Outcome,
    PartnerRole,
    Rating,
    RatingChange,
    Source,
    Status,
    StrategyAction,
    StrategyDiscussion,
)

PUBLIC_AGENCY_CODE = "public-reports"
# The agencies the MASH asks: social care, health, education, probation, housing (and youth offending).
PARTNER_KINDS = (
    AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE, AgencyKind.HEALTH, AgencyKind.SCHOOL,
    AgencyKind.PROBATION, AgencyKind.HOUSING, AgencyKind.YOUTH_OFFENDING,
)
# What the contact's event records as its channel (the contact event's schema).
CHANNEL_BY_KIND = {
    AgencyKind.POLICE: "police", AgencyKind.SCHOOL: "school", AgencyKind.HEALTH: "health",
    AgencyKind.CHILDRENS_SOCIAL_CARE: "social_care", AgencyKind.ADULT_SOCIAL_CARE: "social_care",
    AgencyKind.PROBATION: "probation", AgencyKind.PUBLIC: "public",
}


def public_agency() -> Agency:
    """Return the agency that holds what members of the public tell the MASH."""
    agency, _ = Agency.objects.get_or_create(
        code=PUBLIC_AGENCY_CODE, defaults={"name": "Reports from the public", "kind": AgencyKind.PUBLIC})
    return agency


# Contacts in ------------------------------------------------------------------------------------

@dataclass
class NewContact:
    """What a reporter tells the MASH. `subject` is a person in the interchange format."""

    source: str
    subject: dict[str, Any]
    what_happened: str
    risk_consideration: str = ""
    action_taken: str = ""
    occurred_at: datetime | None = None
    location: str = ""
    location_postcode: str = ""
    reporter_role: str = ""
    reporter_name: str = ""
    reporter_contact: str = ""
    submission_key: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        """Raise ValidationError naming every field that is missing or wrong."""
        errors: dict[str, str] = {}
        if self.source not in Source.values or self.source == Source.AUTOMATIC:
            errors["source"] = "Contacts typed in come from an officer, a partner or the public"
        if not self.what_happened.strip():
            errors["what_happened"] = "Say what happened"
        if not (self.subject.get("given_names", "").strip() or self.subject.get("family_name", "").strip()):
            errors["given_names"] = "Enter the name of the child or adult, or what they are known as"
        if self.source == Source.OFFICER:
            if len(self.risk_consideration.strip()) < MIN_REASON_LENGTH:
                errors["risk_consideration"] = "Record your consideration of the risks to them: it is mandatory"
            if not self.action_taken.strip():
                errors["action_taken"] = "Say what action you took, even if none"
        if self.source == Source.PARTNER and self.reporter_role not in PartnerRole.values:
            errors["reporter_role"] = "Select your role"
        if errors:
            raise ValidationError(errors)


def _contact_borough(new: NewContact, reporter: Any) -> Borough:
    postcode = (new.subject.get("address") or {}).get("postcode", "")
    borough = (
        (borough_for_postcode(postcode) if postcode else None)
        or (borough_for_postcode(new.location_postcode) if new.location_postcode else None)
        or getattr(reporter, "borough", None)
    )
    if borough is None:
        raise ValidationError({"postcode": "Enter a London postcode for where they live or where it happened, "
                                           "so the right MASH receives it"})
    return borough


@transaction.atomic
def contact_create(new: NewContact, *, reporter: Any = None, now: datetime | None = None) -> Contact:
    """Record a contact, link its subject to their person at once, and start its clock.

    Sending the same form again (the same submission key) returns the contact it made.
    """
    if new.submission_key:
        existing = Contact.objects.filter(submission_key=new.submission_key).first()
        if existing is not None:
            return existing
    new.check()
    now = now or timezone.now()
    user = reporter if getattr(reporter, "is_authenticated", False) else None
    if new.source == Source.PUBLIC:
        agency = public_agency()
    elif user is not None and user.agency_id is not None:
        agency = user.agency
    else:
        raise PermissionDenied("Only a member of staff of an agency can make this contact")
    borough = _contact_borough(new, user)
    contact = Contact(source=new.source, borough=borough, received_at=now, updated_at=now,
                      submission_key=new.submission_key)
    source_id = f"contact-{contact.reference}"
    try:
        record = source_record_receive(agency=agency, source_id=source_id, data=new.subject, actor=user,
                                       source_system="lantern-front-door", borough=borough).record
    except ValidationError as error:
        raise ValidationError({f"subject {name}": messages for name, messages in error.message_dict.items()}) \
            from error
    event = event_receive(
        agency=agency, source_id=source_id, event_type=EventType.CONTACT,
        occurred_at=min(new.occurred_at or now, now), reported_at=now, borough=borough,
        involvements=[(record, EventRole.SUBJECT)], source_system="lantern-front-door", actor=user,
        attributes={"channel": CHANNEL_BY_KIND.get(AgencyKind(agency.kind), "other"),
                    "concern": new.what_happened.strip(), "action_taken": new.action_taken.strip()},
        narrative=new.risk_consideration.strip(),
    ).event
    deadline = contact_deadline(now, "", new.source)
    contact.subject_record, contact.person_id, contact.event = record, record.person_id, event
    contact.occurred_at, contact.location = new.occurred_at, new.location.strip()
    contact.what_happened, contact.risk_consideration = new.what_happened.strip(), new.risk_consideration.strip()
    contact.action_taken = new.action_taken.strip()
    contact.reporter, contact.reporter_agency, contact.reporter_role = user, agency, new.reporter_role
    contact.reporter_name = new.reporter_name.strip() or (user.get_full_name() if user else "")
    contact.reporter_contact = new.reporter_contact.strip()
    contact.due_at, contact.clock_basis, contact.updated_by = deadline.at, deadline.basis, user
    contact.save()
    audit_write(actor=user, verb=AuditVerb.CONTACT_CREATE, target=contact,
                payload={"source": new.source, "borough": borough.ons_code,
                         "person": record.person.reference if record.person else None})
    return contact


# Triage -------------------------------------------------------------------------------------------

def _require_mash(actor: Any, contact: Contact) -> None:
    if not works_in_mash(actor, contact.borough_id):
        raise PermissionDenied("Only the MASH for this contact's borough can do this")


def _require_open(contact: Contact) -> None:
    if contact.status != Status.OPEN:
        raise ValidationError("A decision has been recorded on this contact, so it can no longer be changed")


@transaction.atomic
def contact_rate(*, contact: Contact, rating: str, reason: str, actor: Any, expected_version: int,
                 now: datetime | None = None) -> Contact:
    """Give or change a contact's RAG rating, with the reason; its clock restarts from receipt."""
    _require_mash(actor, contact)
    _require_open(contact)
    if rating not in Rating.values:
        raise ValidationError({"rating": "Select red, amber, green or blue"})
    reason = checked_reason(reason, "reason", "Your reason for the rating")
    now = now or timezone.now()
    before = contact.rating
    deadline = contact_deadline(contact.received_at, rating, contact.source)
    save_from_version(contact, expected_version, actor, now, rating=rating, rated_at=now, due_at=deadline.at,
                       clock_basis=deadline.basis)
    RatingChange.objects.create(contact=contact, from_rating=before, to_rating=rating, reason=reason,
                                changed_by=actor, changed_at=now)
    audit_write(actor=actor, verb=AuditVerb.CONTACT_RATE, target=contact, reason=reason,
                payload={"from": before, "to": rating, "due_at": deadline.at})
    return contact


def mash_staff(borough_id: int) -> "list[User]":
    """Return the researchers and supervisors of a borough's MASH, by name."""
    return list(User.objects.filter(borough_id=borough_id, role__in=MASH_ROLES, is_active=True)
                .order_by("first_name", "last_name", "username"))


@transaction.atomic
def contact_allocate(*, contact: Contact, to: Any, actor: Any, expected_version: int,
                     now: datetime | None = None) -> Contact:
    """Allocate a contact to a named researcher of its MASH (a researcher may take it; a supervisor may give it)."""
    _require_mash(actor, contact)
    _require_open(contact)
    if not works_in_mash(to, contact.borough_id):
        raise ValidationError({"researcher": "Choose someone who works in this contact's MASH"})
    if actor.pk != to.pk and actor.role != "supervisor":
        raise PermissionDenied("Only a supervisor can allocate a contact to someone else")
    now = now or timezone.now()
    save_from_version(contact, expected_version, actor, now, allocated_to=to, allocated_at=now)
    audit_write(actor=actor, verb=AuditVerb.CONTACT_ALLOCATE, target=contact,
                payload={"to": to.get_username()})
    return contact


EDITABLE_FIELDS = ("what_happened", "risk_consideration", "action_taken", "screening_notes")


@transaction.atomic
def contact_update(*, contact: Contact, changes: dict[str, str], actor: Any, expected_version: int,
                   now: datetime | None = None) -> Contact:
    """Change what a contact says (the MASH's screening notes, or the reporter's account)."""
    _require_mash(actor, contact)
    _require_open(contact)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    if "what_happened" in changes and not changes["what_happened"].strip():
        raise ValidationError({"what_happened": "Say what happened"})
    changed = {name: value.strip() for name, value in changes.items() if value.strip() != getattr(contact, name)}
    if not changed:
        return contact
    now = now or timezone.now()
    save_from_version(contact, expected_version, actor, now, **changed)
    audit_write(actor=actor, verb=AuditVerb.CONTACT_UPDATE, target=contact, payload={"fields": sorted(changed)})
    return contact


# Requests for information ----------------------------------------------------------------------

def partner_agencies(contact: Contact) -> list[Agency]:
    """Return the agencies the MASH can ask about this contact: its borough's, and London-wide ones."""
    return list(Agency.objects.filter(Q(borough_id=contact.borough_id) | Q(borough__isnull=True),
                                      kind__in=PARTNER_KINDS).order_by("name"))


@transaction.atomic
def information_request_create(*, contact: Contact, agency: Agency, question: str, actor: Any,
                               now: datetime | None = None) -> InformationRequest:
    """Ask a partner agency what it holds; due by a time set from the contact's rating.

    Asking the same agency again while it has not answered returns the open request.
    """
    _require_mash(actor, contact)
    _require_open(contact)
    if agency not in partner_agencies(contact):
        raise ValidationError({"agency": "Choose a partner agency that serves this borough"})
    question = checked_reason(question, "question", "Your question")
    waiting = InformationRequest.objects.filter(contact=contact, agency=agency, answered_at__isnull=True).first()
    if waiting is not None:
        return waiting
    now = now or timezone.now()
    deadline = reply_deadline(now, contact.rating)
    asked = InformationRequest.objects.create(contact=contact, agency=agency, question=question, requested_by=actor,
                                              requested_at=now, due_at=deadline.at, clock_basis=deadline.basis)
    audit_write(actor=actor, verb=AuditVerb.INFO_REQUEST, target=asked,
                payload={"contact": contact.reference, "agency": agency.code, "due_at": deadline.at})
    return asked


def _require_answering_agency(asked: InformationRequest, actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or actor.agency_id != asked.agency_id or actor.role in MASH_ROLES:
        raise PermissionDenied("Only the agency that was asked can answer")


@transaction.atomic
def information_request_answer(*, asked: InformationRequest, answer: str, agree_wider_use: bool, actor: Any,
                               now: datetime | None = None) -> InformationRequest:
    """Answer a request for the actor's agency; the answer stays in the MASH unless the agency agrees."""
    _require_answering_agency(asked, actor)
    locked = InformationRequest.objects.select_for_update().get(pk=asked.pk)
    if locked.answered_at is not None:
        who = locked.answered_by.get_full_name() if locked.answered_by else "Someone"
        raise ValidationError(f"{who} already answered this request on "
                              f"{timezone.localtime(locked.answered_at):%d %B %Y at %H:%M}")
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "Enter what your agency holds, or say that it holds nothing"})
    now = now or timezone.now()
    locked.answer, locked.answered_by, locked.answered_at = answer, actor, now
    if agree_wider_use:
        locked.wider_use_agreed_at, locked.wider_use_agreed_by = now, actor
    locked.save(update_fields=["answer", "answered_by", "answered_at", "wider_use_agreed_at", "wider_use_agreed_by"])
    audit_write(actor=actor, verb=AuditVerb.INFO_ANSWER, target=locked,
                payload={"contact": locked.contact.reference, "wider_use_agreed": agree_wider_use,
                         "late": now > locked.due_at})
    return locked


@transaction.atomic
def information_request_agree(*, asked: InformationRequest, actor: Any, now: datetime | None = None
                              ) -> InformationRequest:
    """Record the owning agency's agreement to its answer being used beyond the MASH."""
    _require_answering_agency(asked, actor)
    if asked.answered_at is None:
        raise ValidationError("Answer the request first")
    if asked.wider_use_agreed_at is not None:
        return asked
    now = now or timezone.now()
    asked.wider_use_agreed_at, asked.wider_use_agreed_by = now, actor
    asked.save(update_fields=["wider_use_agreed_at", "wider_use_agreed_by"])
    audit_write(actor=actor, verb=AuditVerb.INFO_AGREE, target=asked, payload={"contact": asked.contact.reference})
    return asked


# Decisions -------------------------------------------------------------------------------------

@transaction.atomic
def contact_decide(*, contact: Contact, outcome: str, reasons: str, agencies_told: list[Agency], actor: Any,
                   expected_version: int, now: datetime | None = None) -> Decision:
    """Record the MASH's decision, why, and which agencies were told; the contact's clock stops."""
    _require_mash(actor, contact)
    if contact.status == Status.DECIDED:
        decided = Decision.objects.select_related("decided_by").get(contact=contact)
        raise ValidationError(f"{decided.decided_by.get_full_name()} already recorded a decision "
                              f"({decided.get_outcome_display()}) on {timezone.localtime(decided.decided_at):%d %B %Y}")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Select the decision"})
    reasons = checked_reason(reasons, "reasons", "Your reasons")
    now = now or timezone.now()
    save_from_version(contact, expected_version, actor, now, status=Status.DECIDED)
    decision = Decision.objects.create(contact=contact, outcome=outcome, reasons=reasons, decided_by=actor,
                                       decided_at=now)
    decision.agencies_told.set(agencies_told)
    audit_write(actor=actor, verb=AuditVerb.CONTACT_DECIDE, target=contact, reason=reasons,
                payload={"outcome": outcome, "agencies_told": sorted(a.code for a in agencies_told),
                         "late": now > contact.due_at})
    return decision


@dataclass(frozen=True)
class AgreedAction:
    action: str
    owner: str
    owner_agency: str
    due_on: date


@transaction.atomic
def strategy_discussion_record(*, contact: Contact, held_at: datetime, attendees: list[dict[str, str]],
                               decision: str, actions: list[AgreedAction], actor: Any,
                               now: datetime | None = None) -> StrategyDiscussion:
    """Record a strategy discussion: who attended for which agency, what was decided, who does what by when."""
    _require_mash(actor, contact)
    outcome = Decision.objects.filter(contact=contact).values_list("outcome", flat=True).first()
    if outcome != Outcome.STRATEGY_DISCUSSION:
        raise ValidationError("A strategy discussion follows a decision that significant harm is suspected (s47)")
    if StrategyDiscussion.objects.filter(contact=contact).exists():
        raise ValidationError("The strategy discussion for this contact is already recorded")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if held_at > now:
        errors["held_at"] = "The discussion must already have taken place"
    if len({a["agency"] for a in attendees}) < 2:
        errors["attendees"] = "A strategy discussion needs at least two agencies: list each attendee and agency"
    if not decision.strip():
        errors["decision"] = "Enter what was decided"
    if errors:
        raise ValidationError(errors)
    discussion = StrategyDiscussion.objects.create(contact=contact, held_at=held_at, attendees=attendees,
                                                   decision=decision.strip(), recorded_by=actor, recorded_at=now)
    StrategyAction.objects.bulk_create([
        StrategyAction(discussion=discussion, action=a.action, owner=a.owner, owner_agency=a.owner_agency,
                       due_on=a.due_on) for a in actions
    ])
    audit_write(actor=actor, verb=AuditVerb.STRATEGY_RECORD, target=contact,
                payload={"attendees": len(attendees), "actions": len(actions)})
    return discussion


# The clocks ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClockReport:
    escalated: int
    chased: int


@transaction.atomic
def clocks_check(*, now: datetime | None = None) -> ClockReport:
    """Raise overdue and unallocated contacts with their supervisors, and chase overdue partners' answers.

    Each contact is escalated once; each request is chased at most once per clock period it
    is overdue by. Run by `lantern clocks` (every few minutes from cron or a timer).
    """
    now = now or timezone.now()
    escalated = 0
    waiting = Contact.objects.filter(status=Status.OPEN, escalated_at__isnull=True)
    for contact in waiting.filter(Q(due_at__lt=now) | Q(allocated_to__isnull=True)).only(
            "pk", "reference", "due_at", "received_at", "allocated_to"):
        if contact.due_at < now:
            reason = "Overdue: due " + timezone.localtime(contact.due_at).strftime("%H:%M on %d %B %Y")
        elif contact.allocated_to_id is None and unallocated_alert_at(contact.received_at) < now:
            reason = "No named researcher since " + timezone.localtime(contact.received_at).strftime("%H:%M on %d %B")
        else:
            continue
        Contact.objects.filter(pk=contact.pk).update(escalated_at=now, escalation_reason=reason)
        audit_write(actor=None, verb=AuditVerb.CONTACT_ESCALATE, target=contact, reason=reason)
        escalated += 1
    chased = 0
    overdue = InformationRequest.objects.filter(answered_at__isnull=True, due_at__lt=now).select_related("agency")
    for asked in overdue:
        period = asked.due_at - asked.requested_at
        if asked.chased_at is not None and asked.chased_at + period > now:
            continue
        asked.chased_at, asked.chase_count = now, asked.chase_count + 1
        asked.save(update_fields=["chased_at", "chase_count"])
        audit_write(actor=None, verb=AuditVerb.INFO_CHASE, target=asked,
                    payload={"agency": asked.agency.code, "chase": asked.chase_count})
        chased += 1
    return ClockReport(escalated, chased)
