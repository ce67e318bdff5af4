"""Per-type JSON Schemas (2020-12) for event attributes, checked on every write."""

import json
from functools import cache
from importlib.resources import files
from typing import Any

from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_DIR = files("lantern.events") / "attribute_schemas"


@cache
def attribute_validator(event_type: str) -> Draft202012Validator | None:
    """Return the compiled validator for an event type, or None if the type is unknown."""
    schema_file = SCHEMA_DIR / f"{event_type}.json"
    if not schema_file.is_file():
        return None
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def attribute_errors(event_type: str, attributes: Any) -> list[str]:
    """Return readable problems with an event's attributes, each naming the field."""
    validator = attribute_validator(event_type)
    if validator is None:
        return [f"unknown event type {event_type!r}"]
    problems = []
    for error in sorted(validator.iter_errors(attributes), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(attributes)"
        problems.append(f"{where}: {error.message}")
    return problems


def validate_attributes(event_type: str, attributes: Any) -> None:
    """Raise ValidationError unless the attributes fit the schema for their type."""
    problems = attribute_errors(event_type, attributes)
    if problems:
        raise ValidationError({"attributes": problems})
