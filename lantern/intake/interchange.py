"""The interchange format: JSON Schemas for feed lines, compiled once for speed."""

import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any

import fastjsonschema

from lantern.core.schema_checks import quick_check as compiled_quick_check

SCHEMA_DIR = files("lantern.intake") / "interchange"
KINDS = ("agency", "person", "event")


@cache
def line_schema(kind: str) -> dict[str, Any]:
    """Return the published JSON Schema for one kind of line."""
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    return schema


@cache
def quick_check(kind: str) -> Callable[[Any], bool]:
    """Return the quick check of a line of this kind (lantern.core.schema_checks)."""
    return compiled_quick_check(line_schema(kind))


@cache
def full_check(kind: str) -> Callable[[Any], Any]:
    """Return fastjsonschema's check of a line of this kind, which raises saying why it fails."""
    return fastjsonschema.compile(line_schema(kind))  # type: ignore[no-any-return]


@cache
def line_validator(kind: str) -> Callable[[Any], None]:
    """Return a check of one line of this kind that raises fastjsonschema's error, saying why.

    Most lines are good, and the quick check passes them; a line it does not pass goes to
    the full check, which decides and words the refusal.
    """
    passes, decide = quick_check(kind), full_check(kind)

    def validate(data: Any) -> None:
        if not passes(data):
            decide(data)

    return validate
