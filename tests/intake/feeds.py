"""Helpers that write small feed files for importer tests."""

from pathlib import Path
from typing import Any

import orjson

AGENCIES = [
    {"kind": "agency", "code": "met", "name": "Metropolitan Police Service", "agency_kind": "police",
     "borough": None},
    {"kind": "agency", "code": "csc-e09000012", "name": "Hackney Children's Social Care",
     "agency_kind": "childrens_social_care", "borough": "E09000012"},
]


def person(source_id: str, agency: str = "met", **fields: Any) -> dict[str, Any]:
    return {"kind": "person", "agency": agency, "source_id": source_id, "given_names": "Leah",
            "family_name": "Morgan", "date_of_birth": "2011-04-17", "sex": "female",
            "address": {"line1": "14 Clapton Square", "town": "London", "postcode": "E5 8HP"}, **fields}


def event(source_id: str, *people: tuple[str, str], agency: str = "met", **fields: Any) -> dict[str, Any]:
    return {"kind": "event", "agency": agency, "source_id": source_id, "type": "missing_episode",
            "occurred_at": "2026-03-01T21:30:00Z", "borough": "E09000012",
            "involvements": [{"person_source_id": p, "role": r} for p, r in people],
            "attributes": {"risk_grade": "high", "returned_at": None}, **fields}


def write_feed(path: Path, lines: list[Any]) -> Path:
    """Write lines (dicts as JSON, bytes or str as they are) one per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for line in lines:
            if isinstance(line, dict):
                line = orjson.dumps(line)
            elif isinstance(line, str):
                line = line.encode()
            handle.write(line + b"\n")
    return path
