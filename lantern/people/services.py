"""Writes to people and their records. Each validates, saves, and writes the audit entry."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.core.audit import audit_write
from lantern.core.hashing import content_hash
from lantern.core.models import AuditVerb
from lantern.core.references import new_reference
from lantern.organisations.models import Agency, Borough
from lantern.organisations.selectors import borough_for_postcode
from lantern.sharing.models import LegalBasis

from .models import Address, Person, SourceRecord, SourceRecordVersion
from .validators import normalise_nhs_number, normalise_postcode

PERSON_FIELDS = (
    "given_names", "family_name", "aliases", "date_of_birth", "sex", "address", "nhs_number",
    "phone", "email", "school_urn",
)
ADDRESS_FIELDS = ("line1", "line2", "town", "postcode", "uprn")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

Outcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class ReceiveResult:
    record: SourceRecord
    outcome: Outcome


def parse_partial_date(value: str | None) -> tuple[int | None, int | None, int | None]:
    """Split 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' into parts; raise ValueError if it is none."""
    if value in (None, ""):
        return None, None, None
    match = PARTIAL_DATE.match(str(value))
    if not match:
        raise ValueError("expected YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(p) if p else None for p in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1 to 12")
    if day is not None:
        date(year, month, day)  # type: ignore[arg-type]  # raises for 31 February
    if date(year, month or 1, day or 1) > timezone.localdate():  # type: ignore[arg-type]
        raise ValueError("date of birth is in the future")
    return year, month, day


def _clean_person_data(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise a person's fields as they arrive, so equal content hashes equally."""
    unknown = sorted(set(data) - set(PERSON_FIELDS))
    if unknown:
        raise ValidationError({field: "is not a field of a person record" for field in unknown})
    address = dict(data.get("address") or {})
    unknown_address = sorted(set(address) - set(ADDRESS_FIELDS))
    if unknown_address:
        raise ValidationError({f"address.{f}": "is not an address field" for f in unknown_address})
    cleaned: dict[str, Any] = {
        "given_names": " ".join(str(data.get("given_names") or "").split()),
        "family_name": " ".join(str(data.get("family_name") or "").split()),
        "aliases": [" ".join(str(a).split()) for a in (data.get("aliases") or []) if str(a).strip()],
        "date_of_birth": data.get("date_of_birth") or None,
        "sex": data.get("sex") or "unknown",
        "nhs_number": normalise_nhs_number(str(data.get("nhs_number") or "")),
        "phone": str(data.get("phone") or "").strip(),
        "email": str(data.get("email") or "").strip().lower(),
        "school_urn": str(data.get("school_urn") or "").strip(),
        "address": {
            "line1": str(address.get("line1") or "").strip(),
            "line2": str(address.get("line2") or "").strip(),
            "town": str(address.get("town") or "").strip(),
            "postcode": normalise_postcode(str(address.get("postcode") or "")),
            "uprn": str(address.get("uprn") or "").strip(),
        },
    }
    if not isinstance(data.get("aliases", []), list):
        raise ValidationError({"aliases": "must be a list of names"})
    return cleaned


def _resolve_address(fields: dict[str, str], borough: Borough | None) -> Address | None:
    if not fields["line1"] and not fields["uprn"]:
        return None
    if fields["uprn"]:
        found = Address.objects.filter(uprn=fields["uprn"]).first()
    else:
        found = Address.objects.filter(
            uprn="", line1__iexact=fields["line1"], postcode=fields["postcode"]
        ).first()
    if found:
        return found
    address = Address(**fields, borough=borough)
    address.full_clean()
    address.save()
    return address


def _apply(record: SourceRecord, cleaned: dict[str, Any], borough: Borough | None) -> None:
    try:
        record.dob_year, record.dob_month, record.dob_day = parse_partial_date(cleaned["date_of_birth"])
    except ValueError as error:
        raise ValidationError({"date_of_birth": str(error)}) from error
    address = cleaned["address"]
    for field in ("given_names", "family_name", "aliases", "sex", "nhs_number", "phone", "email",
                  "school_urn"):
        setattr(record, field, cleaned[field])
    record.address_line1, record.address_line2 = address["line1"], address["line2"]
    record.address_town, record.postcode, record.uprn = address["town"], address["postcode"], address["uprn"]
    record.borough = borough or (borough_for_postcode(address["postcode"]) if address["postcode"] else None)
    # Validate before touching any other table, so a refused record writes nothing.
    record.full_clean(exclude=["person", "address"], validate_unique=False)
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

    Sending the same content again changes nothing. A record that is not yet part of a
    person becomes a person of its own until linkage joins it to others.
    """
    # Everything that arrived is hashed and kept in the version, so equal content is a no-op
    # and any version can be re-checked against its hash.
    arrived = {
        **_clean_person_data(data), "restricted": restricted, "legal_basis": legal_basis,
        "source_system": source_system, "borough": borough.ons_code if borough else None,
    }
    digest = content_hash(arrived)
    now = received_at or timezone.now()
    record = SourceRecord.objects.select_for_update().filter(agency=agency, source_id=source_id).first()
    if record is not None and record.content_hash == digest:
        return ReceiveResult(record, "unchanged")

    outcome: Outcome = "updated" if record else "created"
    if record is None:
        record = SourceRecord(agency=agency, source_id=source_id, version=1, first_received_at=now)
    else:
        record.version += 1
    record.source_system = source_system or record.source_system or agency.code
    record.legal_basis, record.restricted = legal_basis, restricted
    record.content_hash, record.received_at = digest, now
    _apply(record, arrived, borough)
    if record.person_id is None:
        record.person = person or person_create(actor=actor)
    record.save()
    SourceRecordVersion.objects.create(
        record=record, version=record.version, received_at=now, content_hash=digest, data=arrived
    )
    audit_write(
        actor=actor,
        verb=AuditVerb.RECORD_RECEIVE if outcome == "created" else AuditVerb.RECORD_UPDATE,
        target=record,
        payload={"agency": agency.code, "source_id": source_id, "version": record.version},
    )
    return ReceiveResult(record, outcome)


def person_create(*, actor: Any = None) -> Person:
    """Create a new person with a fresh reference (drawn again in the rare case it is taken)."""
    reference = new_reference()
    while Person.objects.filter(reference=reference).exists():
        reference = new_reference()
    person = Person.objects.create(reference=reference)
    audit_write(actor=actor, verb=AuditVerb.PERSON_CREATE, target=person)
    return person
