"""The interchange format: JSON Schemas for feed lines, compiled once for speed."""

import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any

import fastjsonschema

SCHEMA_DIR = files("lantern.intake") / "interchange"
KINDS = ("agency", "person", "event")


@cache
def line_schema(kind: str) -> dict[str, Any]:
    """Return the published JSON Schema for one kind of line."""
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    return schema


@cache
def line_validator(kind: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(line_schema(kind))  # type: ignore[no-any-return]
