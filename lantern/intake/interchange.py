"""The interchange format: JSON Schemas for feed lines, compiled once for speed."""

import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any

import fastjsonschema
import jsonschema_rs

SCHEMA_DIR = files("lantern.intake") / "interchange"
KINDS = ("agency", "person", "event")


@cache
def line_schema(kind: str) -> dict[str, Any]:
    """Return the published JSON Schema for one kind of line."""
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    return schema


@cache
def quick_check(kind: str) -> Callable[[Any], bool]:
    """Return jsonschema-rs's compiled check of a line of this kind: whether it passes, not why."""
    return jsonschema_rs.validator_for(line_schema(kind), validate_formats=True).is_valid  # type: ignore[no-any-return]


@cache
def full_check(kind: str) -> Callable[[Any], Any]:
    """Return fastjsonschema's check of a line of this kind, which raises saying why it fails."""
    return fastjsonschema.compile(line_schema(kind))  # type: ignore[no-any-return]


@cache
def line_validator(kind: str) -> Callable[[Any], None]:
    """Return a check of one line of this kind that raises fastjsonschema's error, saying why.

    Most lines are good, and the quick check passes them in a fifth of the time the full
    check takes. A line it does not pass goes to the full check, which decides and words
    the refusal, so the two agree wherever the quick check is stricter (it refuses a `+0100`
    offset that the full check takes, say); tests check it is never more lenient.
    """
    passes, decide = quick_check(kind), full_check(kind)

    def validate(data: Any) -> None:
        if not passes(data):
            decide(data)

    return validate
