"""Validators for identifiers that arrive on partner records."""

import re

from django.core.exceptions import ValidationError


def nhs_number_is_valid(value: str) -> bool:
    """Return whether a 10-digit NHS number passes its modulus 11 check digit."""
    if not re.fullmatch(r"[0-9]{10}", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def validate_nhs_number(value: str) -> None:
    if not nhs_number_is_valid(value):
        raise ValidationError(
            "NHS number must be 10 digits with a valid check digit, like 943 476 5919",
            code="invalid_nhs_number",
        )


def normalise_nhs_number(value: str) -> str:
    """Remove the spaces and dashes people type inside an NHS number."""
    return "".join(value.split()).replace("-", "")  # as re.sub(r"[\s-]", ""), at a third of the cost


def validate_uprn(value: str) -> None:
    if not re.fullmatch(r"[1-9][0-9]{0,11}", value):
        raise ValidationError("UPRN must be 1 to 12 digits", code="invalid_uprn")


def validate_school_urn(value: str) -> None:
    if not re.fullmatch(r"[1-9][0-9]{5}", value):
        raise ValidationError("School URN must be 6 digits", code="invalid_school_urn")


POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?\s?[0-9][A-Z]{2}$")


def normalise_postcode(value: str) -> str:
    """Return a postcode in upper case with one space before the inward code."""
    compact = "".join(value.upper().split())  # every kind of space, as \s (and quicker than re)
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_postcode(value: str) -> None:
    if not POSTCODE.match(value):
        raise ValidationError("Postcode must be a full UK postcode, like E8 1DY", code="invalid_postcode")
