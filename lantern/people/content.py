"""What a person record says, cleaned and hashed the same way by every write path.

The single-record service and the bulk importer both turn incoming fields into the same
"arrived" dict and the same content hash, so one agency's record sent through the API and
then again in a file is recognised as unchanged.
"""

import re
from datetime import date
from functools import lru_cache
from typing import Any

from django.utils import timezone

from lantern.core.hashing import content_hash

from .validators import POSTCODE, nhs_number_is_valid, normalise_nhs_number, normalise_postcode

PERSON_FIELDS = (
    "given_names", "family_name", "aliases", "date_of_birth", "sex", "address", "nhs_number",
    "phone", "email", "school_urn",
)
ADDRESS_FIELDS = ("line1", "line2", "town", "postcode", "uprn")
SEXES = ("female", "male", "unknown")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EARLIEST_BIRTH_YEAR = 1900


def parse_partial_date(value: str | None, today: date | None = None) -> tuple[int | None, int | None, int | None]:
    """Split 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' into parts; raise ValueError if it is none."""
    if value in (None, ""):
        return None, None, None
    return _partial_date(str(value), today or timezone.localdate())


# Dates of birth repeat across an import's records (and each is checked twice, when the
# content is checked and when the record's columns are made): remember the latest ones.
@lru_cache(maxsize=1 << 16)
def _partial_date(value: str, today: date) -> tuple[int | None, int | None, int | None]:
    match = PARTIAL_DATE.match(value)
    if not match:
        raise ValueError("expected YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(p) if p else None for p in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1 to 12")
    if day is not None:
        try:
            date(year, month or 1, day)
        except ValueError as error:  # 30 February, say
            raise ValueError(f"{value} is not a real date ({error})") from error
    if year < EARLIEST_BIRTH_YEAR:
        raise ValueError(f"year {year} is before {EARLIEST_BIRTH_YEAR}")
    if date(year, month or 1, day or 1) > today:
        raise ValueError("date of birth is in the future")
    return year, month, day


def address_match_key(address: dict[str, str] | None) -> str | None:
    """Return the key two records share when they give the same address, or None for no address."""
    if not address or not (address.get("line1") or address.get("uprn")):
        return None
    if address.get("uprn"):
        return f"uprn:{address['uprn']}"
    return f"line:{address['line1'].lower()}|{address.get('postcode', '')}"[:260]


def unknown_fields(data: dict[str, Any]) -> dict[str, str]:
    """Return an error for each field that a person record does not have."""
    errors = {field: "is not a field of a person record" for field in sorted(set(data) - set(PERSON_FIELDS))}
    address = data.get("address") or {}
    if isinstance(address, dict):
        errors.update({f"address.{f}": "is not an address field"
                       for f in sorted(set(address) - set(ADDRESS_FIELDS))})
    if not isinstance(data.get("aliases") or [], list):
        errors["aliases"] = "must be a list of names"
    return errors


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def person_content(
    data: dict[str, Any], *, restricted: bool, legal_basis: str, source_system: str,
    borough_code: str | None,
) -> tuple[dict[str, Any], str]:
    """Return the cleaned content of a person record and its hash."""
    address = data.get("address") or {}
    arrived: dict[str, Any] = {
        "given_names": _text(data.get("given_names")),
        "family_name": _text(data.get("family_name")),
        "aliases": [_text(a) for a in (data.get("aliases") or []) if _text(a)],
        "date_of_birth": data.get("date_of_birth") or None,
        "sex": data.get("sex") or "unknown",
        "nhs_number": normalise_nhs_number(str(data.get("nhs_number") or "")),
        "phone": str(data.get("phone") or "").strip(),
        "email": str(data.get("email") or "").strip().lower(),
        "school_urn": str(data.get("school_urn") or "").strip(),
        "address": {
            "line1": _text(address.get("line1")),
            "line2": _text(address.get("line2")),
            "town": _text(address.get("town")),
            "postcode": normalise_postcode(str(address.get("postcode") or "")),
            "uprn": str(address.get("uprn") or "").strip(),
        },
        "restricted": bool(restricted),
        "legal_basis": legal_basis,
        "source_system": source_system,
        "borough": borough_code,
    }
    return arrived, content_hash(arrived)


def content_errors(arrived: dict[str, Any], today: date | None = None) -> dict[str, str]:
    """Return what is wrong with cleaned person content, by field; empty when it is fine."""
    errors: dict[str, str] = {}
    try:
        parse_partial_date(arrived["date_of_birth"], today)
    except ValueError as error:
        errors["date_of_birth"] = str(error)
    if arrived["nhs_number"] and not nhs_number_is_valid(arrived["nhs_number"]):
        errors["nhs_number"] = "NHS number must be 10 digits with a valid check digit, like 943 476 5919"
    if arrived["sex"] not in SEXES:
        errors["sex"] = f"{arrived['sex']!r} is not a valid choice; expected one of {', '.join(SEXES)}"
    if arrived["email"] and not EMAIL.match(arrived["email"]):
        errors["email"] = "Enter a valid email address"
    if arrived["school_urn"] and not re.fullmatch(r"[1-9][0-9]{5}", arrived["school_urn"]):
        errors["school_urn"] = "School URN must be 6 digits"
    postcode = arrived["address"]["postcode"]
    if postcode and not POSTCODE.match(postcode):
        errors["address.postcode"] = "Postcode must be a full UK postcode, like E8 1DY"
    uprn = arrived["address"]["uprn"]
    if uprn and not re.fullmatch(r"[1-9][0-9]{0,11}", uprn):
        errors["address.uprn"] = "UPRN must be 1 to 12 digits"
    for field in ("given_names", "family_name"):
        if len(arrived[field]) > 200:
            errors[field] = "must be at most 200 characters"
    return errors


def record_fields(arrived: dict[str, Any], dob: tuple[int | None, int | None, int | None]) -> dict[str, Any]:
    """Return a source record's own columns (not its links) from its arrived content."""
    address = arrived["address"]
    return {
        "legal_basis": arrived["legal_basis"], "restricted": arrived["restricted"],
        "given_names": arrived["given_names"], "family_name": arrived["family_name"],
        "aliases": arrived["aliases"], "dob_year": dob[0], "dob_month": dob[1], "dob_day": dob[2],
        "sex": arrived["sex"], "address_line1": address["line1"], "address_line2": address["line2"],
        "address_town": address["town"], "postcode": address["postcode"], "uprn": address["uprn"],
        "nhs_number": arrived["nhs_number"], "phone": arrived["phone"], "email": arrived["email"],
        "school_urn": arrived["school_urn"],
    }


RECORD_FIELD_NAMES = tuple(record_fields(person_content({}, restricted=False, legal_basis="", source_system="",
                                                         borough_code=None)[0], (None, None, None)))


def record_content(record: Any) -> dict[str, Any]:
    """Rebuild the arrived content of a stored record (to archive it as an earlier version)."""
    return {
        "given_names": record.given_names, "family_name": record.family_name,
        "aliases": list(record.aliases), "date_of_birth": record.date_of_birth or None,
        "sex": record.sex, "nhs_number": record.nhs_number, "phone": record.phone,
        "email": record.email, "school_urn": record.school_urn,
        "address": {"line1": record.address_line1, "line2": record.address_line2,
                    "town": record.address_town, "postcode": record.postcode, "uprn": record.uprn},
        "restricted": record.restricted, "legal_basis": record.legal_basis,
        "source_system": record.source_system,
        "borough": record.borough.ons_code if record.borough_id else None,
    }
