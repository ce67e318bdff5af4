"""Reference-data look-ups: boroughs from the ONS list and postcode districts."""

import csv
import re
from functools import cache
from importlib.resources import files

from .models import Borough

DATA = files("lantern.organisations") / "data"
POSTCODE_DISTRICT = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*[0-9][A-Z]{2}$")


def london_borough_rows() -> list[dict[str, str]]:
    """Return the 33 London authorities from the ONS-derived reference file."""
    with (DATA / "london_boroughs.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def district_to_ons_code() -> dict[str, str]:
    """Map each London postcode district to the borough holding most of its postcodes."""
    best: dict[str, tuple[float, str]] = {}
    with (DATA / "postcode_district_borough_shares.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            share = float(row["share_of_district"])
            district = row["postcode_district"]
            if district not in best or share > best[district][0]:
                best[district] = (share, row["ons_code"])
    return {district: code for district, (_, code) in best.items()}


def postcode_district(postcode: str) -> str | None:
    """Return the outward code of a full UK postcode, or None if it is not one."""
    match = POSTCODE_DISTRICT.match(postcode.strip().upper())
    return match.group(1) if match else None


def ons_code_for_postcode(postcode: str) -> str | None:
    """Return the ONS code of the London borough a postcode most likely lies in, if any."""
    return district_to_ons_code().get(postcode_district(postcode) or "")


def borough_for_postcode(postcode: str) -> Borough | None:
    """Return the London borough a postcode most likely lies in, if any."""
    code = ons_code_for_postcode(postcode)
    return Borough.objects.filter(ons_code=code).first() if code else None
