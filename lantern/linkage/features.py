"""Turn a person record into the features linkage compares and the keys that block it.

Batch linkage (a frame of every record, scored by Splink) and real-time linkage (one
record, scored in Python) both call `record_features`, so the two never disagree about
what a record says. The blocking keys are defined once here too: batch linkage blocks on
equal key columns, and the real-time index stores the same keys.
"""

from collections.abc import Mapping
from typing import Any
from zlib import adler32, crc32

from .names import clean_name, name_parts, nickname_keys

# The columns a source record offers to linkage, in the order `record_features` reads them.
RECORD_COLUMNS = (
    "id", "given_names", "family_name", "aliases", "dob_year", "dob_month", "dob_day", "sex",
    "postcode", "uprn", "nhs_number",
)

# Blocking keys, chosen by measured recall and pair counts (docs/linkage.md). Names are
# put in order before joining so that a record with given and family names swapped gets
# the same key; so are the day and month, so a transposed date of birth does too.
BLOCKING_KEYS = ("k_nhs", "k_name_dob", "k_given_dob", "k_family_dob", "k_dob_district", "k_given_postcode",
                 "k_family_postcode")


def key_hash(text: str | None) -> int | None:
    """Hash a key to a signed 64-bit integer: small to index, cheap to compare.

    CRC-32 and Adler-32 side by side: stable across processes (unlike `hash`), and a fifth
    of the cost of a cryptographic hash, which was half the time of building features. A
    rare collision only adds a candidate pair; the model still scores it.
    """
    if text is None:
        return None
    data = text.encode()
    value = (crc32(data) << 32) | adler32(data)
    return value - (1 << 64) if value >= 1 << 63 else value


def _dob_key(year: int | None, month: int | None, day: int | None) -> str | None:
    if year is None or month is None or day is None:
        return None
    low, high = sorted((month, day))
    return f"{year}-{low}-{high}"


def record_features(row: Mapping[str, Any], *, with_keys: bool = True) -> dict[str, Any]:
    """Return the linkage features of one record (a mapping with RECORD_COLUMNS).

    `with_keys=False` leaves out the blocking keys (the `k_` features): an import before the
    first `lantern link` needs the features only for search terms, and making the seven keys
    was a sixth of parsing a person line (59 µs a line with them, 50 without).
    """
    given_words = name_parts(row["given_names"] or "")
    given = given_words[0] if given_words else None
    family = clean_name(row["family_name"] or "") or None
    family_parts = set(name_parts(row["family_name"] or ""))
    for alias in row.get("aliases") or ():
        # Another name the person uses often carries another surname (maiden, stepfather's).
        words = name_parts(alias)
        if len(words) > 1:
            family_parts.add(words[-1])
    year, month, day = row["dob_year"], row["dob_month"], row["dob_day"]
    dob = f"{year:04d}-{month:02d}-{day:02d}" if year and month and day else None
    postcode = (row["postcode"] or "").replace(" ", "") or None
    district = postcode[:-3] if postcode else None
    sector = postcode[:-2] if postcode else None
    features: dict[str, Any] = {
        "unique_id": row["id"],
        "given_name": given,
        "given_keys": list(nickname_keys(given)) if given else None,
        "family_name": family,
        "family_parts": sorted(family_parts) or None,
        "dob": dob,
        "dob_year": year,
        "dob_month": month,
        "dob_day": day,
        "sex": row["sex"] if row["sex"] in ("female", "male") else None,
        "postcode": postcode,
        "postcode_sector": sector,
        "postcode_district": district,
        "nhs_number": row["nhs_number"] or None,
        "uprn": row["uprn"] or None,
    }
    if not with_keys:
        return features
    dob_key = _dob_key(year, month, day)
    names_sorted = "|".join(sorted((given, family))) if given and family else None
    features |= {
        "k_nhs": key_hash(f"n:{row['nhs_number']}" if row["nhs_number"] else None),
        "k_name_dob": key_hash(f"nd:{names_sorted}|{dob_key}" if names_sorted and dob_key else None),
        "k_given_dob": key_hash(f"gd:{given}|{dob_key}" if given and dob_key else None),
        "k_family_dob": key_hash(f"fd:{family}|{dob_key}" if family and dob_key else None),
        "k_dob_district": key_hash(f"dd:{dob_key}|{district}" if dob_key and district else None),
        "k_given_postcode": key_hash(f"gp:{given}|{postcode}" if given and postcode else None),
        "k_family_postcode": key_hash(f"fp:{family}|{postcode}" if family and postcode else None),
    }
    return features


def blocking_keys(features: Mapping[str, Any]) -> list[int]:
    """Return the record's blocking keys that are set: what the real-time index holds."""
    return [features[k] for k in BLOCKING_KEYS if features[k] is not None]
