"""Writes to people and their records. Each validates, saves, and writes the audit entry.

The bulk importer (lantern.intake) writes the same rows many at a time; both clean and hash
a record's content with lantern.people.content, so they agree on what is new and what is not.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.core.references import new_references
from lantern.intake.bulk import select_in
from lantern.organisations.models import Agency, Borough
from lantern.organisations.selectors import borough_for_postcode
from lantern.sharing.models import LegalBasis

from .content import (
    address_match_key,
    content_errors,
    parse_partial_date,
    person_content,
    record_content,
    record_fields,
    unknown_fields,
)
from .models import Address, Person, SourceRecord, SourceRecordVersion

Outcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class ReceiveResult:
    record: SourceRecord
    outcome: Outcome


def _resolve_address(fields: dict[str, str], borough: Borough | None) -> Address | None:
    key = address_match_key(fields)
    if key is None:
        return None
    address, _ = Address.objects.get_or_create(match_key=key, defaults={**fields, "borough": borough})
    return address


def _apply(record: SourceRecord, arrived: dict[str, Any], borough: Borough | None) -> None:
    for field, value in record_fields(arrived, parse_partial_date(arrived["date_of_birth"])).items():
        setattr(record, field, value)
    address = arrived["address"]
    record.borough = borough or (borough_for_postcode(address["postcode"]) if address["postcode"] else None)
    record.address = _resolve_address(address, record.borough)


@transaction.atomic
def source_record_receive(
    *,
    agency: Agency,
    source_id: str,
    data: dict[str, Any],
    actor: Any = None,
    source_system: str = "",
    legal_basis: str = LegalBasis.DPA_SAFEGUARDING,
    borough: Borough | None = None,
    restricted: bool = False,
    received_at: datetime | None = None,
    person: Person | None = None,
) -> ReceiveResult:
    """Store an agency's record of a person; a changed record becomes a new version.

    Sending the same content again changes nothing. The version it replaces is kept in
    SourceRecordVersion. Linkage then joins the record to the person it matches, or makes
    it a person of its own; `person` puts a new record with a known person instead.
    """
    errors = unknown_fields(data)
    if errors:
        raise ValidationError(errors)
    arrived, digest = person_content(
        data, restricted=restricted, legal_basis=legal_basis, source_system=source_system,
        borough_code=borough.ons_code if borough else None,
    )
    errors = content_errors(arrived)
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = f"{legal_basis!r} is not a recognised legal basis"
    if not source_id.strip():
        errors["source_id"] = "must not be blank"
    if errors:
        raise ValidationError(errors)

    now = received_at or timezone.now()
    record = SourceRecord.objects.select_for_update().filter(agency=agency, source_id=source_id).first()
    if record is not None and record.content_hash == digest:
        return ReceiveResult(record, "unchanged")

    if record is None:
        outcome: Outcome = "created"
        record = SourceRecord(agency=agency, source_id=source_id, version=1, first_received_at=now)
    else:
        outcome = "updated"
        versions_keep([record])
        record.version += 1
    record.source_system = source_system or record.source_system or agency.code
    record.content_hash, record.received_at = digest, now
    _apply(record, arrived, borough)
    if record.person_id is None and person is not None:
        record.person = person
    record.save()
    # Linkage finds the record's person (or makes one) and indexes it for the next record.
    from lantern.linkage.services import link_record

    link_record(record, actor=actor)
    audit_write(
        actor=actor,
        verb=AuditVerb.RECORD_RECEIVE if outcome == "created" else AuditVerb.RECORD_UPDATE,
        target=record,
        payload={"agency": agency.code, "source_id": source_id, "version": record.version},
    )
    return ReceiveResult(record, outcome)


def versions_keep(records: list[SourceRecord]) -> None:
    """Keep each record's current version before a newer one replaces it."""
    SourceRecordVersion.objects.bulk_create([
        SourceRecordVersion(record=r, version=r.version, received_at=r.received_at,
                            content_hash=r.content_hash, data=record_content(r))
        for r in records
    ])


def unused_references(count: int) -> list[str]:
    """Return `count` fresh person references, drawing again for any already taken."""
    references: set[str] = set()
    while len(references) < count:
        references.update(new_references(count - len(references)))
        # Plain SQL: building the ORM's IN lists cost 15 µs a reference, a tenth of a bulk import.
        references -= {row[0] for row in select_in("SELECT reference FROM people_person WHERE reference IN (%s)",
                                                   sorted(references))}
    return sorted(references)


def persons_create(count: int, *, now: datetime) -> list[Person]:
    """Create `count` new persons at once (linkage's splits and new clusters)."""
    return Person.objects.bulk_create([Person(reference=ref, created_at=now) for ref in unused_references(count)],
                                      batch_size=2000)


def person_create(*, actor: Any = None) -> Person:
    """Create a new person with a fresh reference."""
    person = Person.objects.create(reference=unused_references(1)[0])
    audit_write(actor=actor, verb=AuditVerb.PERSON_CREATE, target=person)
    return person
