"""Per-type JSON Schemas (2020-12) for event attributes, checked on every write.

Compiled validators answer "is this valid?" quickly for bulk imports: the quick check
(lantern.core.schema_checks) first, then, for what it does not pass, fastjsonschema, which
decides. When the answer is no, jsonschema explains every problem in words a feed's owner
can act on.
"""

import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any

import fastjsonschema
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator, FormatChecker

from lantern.core.schema_checks import quick_check as compiled_quick_check

SCHEMA_DIR = files("lantern.events") / "attribute_schemas"


@cache
def attribute_schema(event_type: str) -> dict[str, Any] | None:
    schema_file = SCHEMA_DIR / f"{event_type}.json"
    if not schema_file.is_file():
        return None
    schema: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _explainer(event_type: str) -> Draft202012Validator:
    return Draft202012Validator(attribute_schema(event_type) or {}, format_checker=FormatChecker())


@cache
def quick_check(event_type: str) -> Callable[[Any], bool]:
    """Return the quick check of a type's attributes (lantern.core.schema_checks)."""
    return compiled_quick_check(attribute_schema(event_type) or {})


@cache
def full_check(event_type: str) -> Callable[[Any], Any]:
    """Return fastjsonschema's check of a type's attributes, which raises if they fail."""
    return fastjsonschema.compile(attribute_schema(event_type) or {})  # type: ignore[no-any-return]


def attribute_errors(event_type: str, attributes: Any) -> list[str]:
    """Return readable problems with an event's attributes, each naming the field."""
    if attribute_schema(event_type) is None:
        return [f"unknown event type {event_type!r}"]
    if quick_check(event_type)(attributes):
        return []
    try:
        full_check(event_type)(attributes)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return []
    problems = []
    for error in sorted(_explainer(event_type).iter_errors(attributes), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(attributes)"
        problems.append(f"{where}: {error.message}")
    return problems


def validate_attributes(event_type: str, attributes: Any) -> None:
    """Raise ValidationError unless the attributes fit the schema for their type."""
    problems = attribute_errors(event_type, attributes)
    if problems:
        raise ValidationError({"attributes": problems})
