"""Sharing a record with another agency: recorded with who, when, why and the legal basis."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.access import visible_events, visible_records
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.events.models import Event
from lantern.organisations.models import Agency
from lantern.people.models import SourceRecord

from .models import LegalBasis, RecordShare


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
