"""Sharing a record with another agency: recorded with who, when, why and the legal basis."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.access import checked_reason, visible_events, visible_records
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.events.models import Event
from lantern.organisations.models import Agency
from lantern.people.models import Person, SourceRecord

from .models import LegalBasis, RecordShare, ShareAnswer, ShareRequest


@transaction.atomic
def record_share(
    *, target: SourceRecord | Event, agency: Agency, legal_basis: str, reason: str, actor: Any
) -> RecordShare:
    """Share a record or event the actor's agency owns; sharing it again changes nothing."""
    if actor.agency_id != target.agency_id:
        raise PermissionDenied("Only the agency that holds a record can share it")
    visible = visible_records(actor) if isinstance(target, SourceRecord) else visible_events(actor)
    if not visible.filter(pk=target.pk).exists():
        raise PermissionDenied("You can share only records you can see")
    if legal_basis not in LegalBasis.values:
        raise ValidationError({"legal_basis": f"{legal_basis!r} is not a recognised legal basis"})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the record is being shared"})
    key: dict[str, SourceRecord | Event] = (
        {"source_record": target} if isinstance(target, SourceRecord) else {"event": target}
    )
    share, created = RecordShare.objects.get_or_create(
        agency=agency, **key,
        defaults={"shared_by": actor, "shared_at": timezone.now(), "legal_basis": legal_basis,
                  "reason": reason.strip()},
    )
    if created:
        audit_write(actor=actor, verb=AuditVerb.SHARE_GRANT, target=target, reason=reason.strip(),
                    payload={"agency": agency.code, "legal_basis": legal_basis})
    return share


@transaction.atomic
def share_request_create(*, person: Person, reason: str, legal_basis: str, actor: Any) -> ShareRequest:
    """Ask the agencies that hold records of a person to share them with the actor's agency.

    Asking again while no agency has answered returns the same request.
    """
    if actor.agency_id is None:
        raise PermissionDenied("Only a user of an agency can ask for records to be shared with it")
    if not visible_records(actor).filter(person=person).exists():
        raise PermissionDenied("You can ask only about people you can see")
    reason = checked_reason(reason, "reason", "Your reason")
    if legal_basis not in LegalBasis.values:
        raise ValidationError({"legal_basis": "Select the legal basis for sharing"})
    waiting = ShareRequest.objects.filter(person=person, requested_by=actor, answers__isnull=True).first()
    if waiting is not None:
        return waiting
    request = ShareRequest.objects.create(person=person, requested_by=actor, agency_id=actor.agency_id,
                                          reason=reason, legal_basis=legal_basis, requested_at=timezone.now())
    audit_write(actor=actor, verb=AuditVerb.SHARE_REQUEST, target=request, reason=reason,
                payload={"person": person.reference, "agency": actor.agency.code, "legal_basis": legal_basis})
    return request


@transaction.atomic
def share_request_answer(*, request: ShareRequest, share: bool, note: str, actor: Any) -> ShareAnswer:
    """Answer a request for the actor's agency: share its records of the person, or say why not."""
    records = list(visible_records(actor).filter(person=request.person, agency_id=actor.agency_id))
    if actor.agency_id is None or actor.agency_id == request.agency_id or not records:
        raise PermissionDenied("Only an agency that holds records of this person can answer")
    answered = ShareAnswer.objects.filter(request=request, agency_id=actor.agency_id).select_related(
        "answered_by").first()
    if answered is not None:
        raise ValidationError(f"{answered.answered_by.get_full_name() or answered.answered_by.get_username()} "
                              f"already answered for your agency on {answered.answered_at:%d %B %Y}")
    note = checked_reason(note, "note", "Your note")
    if share:
        for record in records:
            record_share(target=record, agency=request.agency, legal_basis=request.legal_basis,
                         reason=f"Request {request.pk}: {request.reason}", actor=actor)
    answer = ShareAnswer.objects.create(request=request, agency_id=actor.agency_id, shared=share,
                                        records=len(records) if share else 0, note=note, answered_by=actor,
                                        answered_at=timezone.now())
    audit_write(actor=actor, verb=AuditVerb.SHARE_ANSWER, target=request, reason=note,
                payload={"shared": share, "records": answer.records, "agency": actor.agency.code})
    return answer
