"""The quick check of a line or of an event's attributes (jsonschema-rs) never passes what
the schema's full check (fastjsonschema) refuses, so using it first changes no decision and
no message."""

from datetime import UTC, datetime
from typing import Any

import fastjsonschema
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from lantern.events.models import EventType
from lantern.events.schemas import attribute_schema
from lantern.events.schemas import full_check as full_attribute_check
from lantern.events.schemas import quick_check as quick_attribute_check
from lantern.intake.interchange import KINDS, full_check, line_schema, quick_check
from lantern.intake.parsing import EventLine, RawLine, Refused, parse_line
from tests.intake.feeds import AGENCIES, event, person

# Values near every edge the schemas draw: formats, patterns (a trailing newline passes
# Python's `$`), lengths, types, and digits that are not ASCII.
EDGES = [
    "", " ", "x" * 61, "a" * 201, "E09000012", "E09000012\n", "e09000012", "E0900001٢", "2011-04-17", "2011-04",
    "1850", "2011-04-17\n", "٢٠١١-04-17", "2026-03-01T21:30:00Z", "2026-03-01t21:30:00z", "2026-03-01T21:30:00+0100",
    "2026-03-01 21:30:00Z", "2026-03-01T23:59:60Z", "2026-02-30T21:30:00Z", "2026-03-01T21:30:00", "2026-03-01",
    "2026-03-01T21:30:00.5-05:00", "2026-03-01T21:30:00Z\n", "E5 8HP", "e58hp", "E5 8HP\n", "EC1A 1BB", "9434765919",
    "943 476 5919", "943 476 5919\n", "100023336956", "0100023336956", "123456", "met", "Met", "-met", "victim",
    "missing_episode", "female", "unknown", "police", "dpa2018_part3", "high",
]
values = st.recursive(
    st.sampled_from(EDGES) | st.text(max_size=12) | st.none() | st.booleans() | st.integers() |
    st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(EDGES) | st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6,
)
PLACES = ("line1", "line2", "town", "postcode", "uprn", "extra")


def _names(kind: str) -> list[str]:
    return [*line_schema(kind)["properties"], "shoe_size"]


def _changed(line: dict[str, Any], top: dict[str, Any], nested: dict[str, Any], gone: list[str]) -> dict[str, Any]:
    changed = {**line, **top}
    for name in ("address", "location"):
        if isinstance(changed.get(name), dict):
            changed[name] = {**changed[name], **nested}
    involvements = changed.get("involvements")
    if isinstance(involvements, list) and involvements and isinstance(involvements[0], dict):
        changed["involvements"] = [{**involvements[0], **nested}]
    return {k: v for k, v in changed.items() if k not in gone}


lines = st.builds(
    _changed,
    st.sampled_from([person("P1"), person("P2", aliases=["Lea Morgan"], nhs_number="9434765919"),
                     event("E1", ("P1", "missing_person")), event("E2", ("P1", "victim"), type="crime",
                                                                  attributes={"offence": "robbery"}), *AGENCIES]),
    st.dictionaries(st.sampled_from(sorted({n for kind in KINDS for n in _names(kind)})), values, max_size=3),
    st.dictionaries(st.sampled_from([*PLACES, "role", "person_source_id"]), values, max_size=2),
    st.lists(st.sampled_from(["borough", "address", "involvements", "occurred_at", "code", "sex"]), max_size=1),
)


def _full_check_passes(kind: str, line: dict[str, Any]) -> bool:
    try:
        full_check(kind)(line)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(line=lines)
def test_the_quick_check_never_passes_a_line_the_full_check_refuses(line):
    kind = line["kind"]
    if kind not in KINDS:
        return
    if quick_check(kind)(line):
        assert _full_check_passes(kind, line), line


def test_a_line_only_the_quick_check_refuses_goes_in():
    line = event("E1", ("P1", "missing_person"), reported_at="2026-03-01T23:00:00+0100")
    assert not quick_check("event")(line) and _full_check_passes("event", line)

    parsed = parse_line(RawLine("feed.jsonl", 1, orjson.dumps(line)), datetime.now(UTC))

    assert isinstance(parsed, EventLine)
    assert parsed.reported_at == "2026-03-01 22:00:00"  # UTC


def test_a_refused_line_still_says_what_the_full_check_says():
    line = person("P1", address={"line1": "1 Mare St", "postcode": "XX 1AA"})

    parsed = parse_line(RawLine("feed.jsonl", 7, orjson.dumps(line)), datetime.now(UTC))

    assert isinstance(parsed, Refused)
    assert parsed.field == "address.postcode"
    assert "must match pattern" in parsed.reason


def _good_value(field: dict[str, Any]) -> Any:
    """A value the field takes, so a drawn example changes only a few fields of a good one."""
    kinds = field.get("type", "string")
    kind = kinds[0] if isinstance(kinds, list) else kinds
    if "enum" in field:
        return field["enum"][0]
    if kind == "string":
        return {"date": "2026-03-01", "date-time": "2026-03-01T21:30:00Z"}.get(field.get("format", ""), "text")
    return {"integer": field.get("minimum", 0), "number": field.get("minimum", 0), "boolean": False,
            "array": [], "object": {}}.get(kind)


def _attribute_values(fields: dict[str, Any]) -> st.SearchStrategy[Any]:
    enums = [value for field in fields.values() for value in field.get("enum", [])]
    return st.sampled_from(enums or [None]) | st.integers(-3, 30) | st.floats(-1, 1e6) | values


@settings(max_examples=400, deadline=None)
@given(data=st.data(), event_type=st.sampled_from(sorted(EventType.values)))
def test_the_quick_check_never_passes_attributes_the_full_check_refuses(data, event_type):
    fields = attribute_schema(event_type).get("properties", {})
    good = {name: _good_value(field) for name, field in fields.items()}
    changed = data.draw(st.dictionaries(st.sampled_from([*fields, "extra"]), _attribute_values(fields), max_size=2))
    gone = data.draw(st.lists(st.sampled_from(sorted(fields) or ["extra"]), max_size=1))
    attributes = {k: v for k, v in {**good, **changed}.items() if k not in gone}
    if quick_attribute_check(event_type)(attributes):
        try:
            full_attribute_check(event_type)(attributes)
        except fastjsonschema.JsonSchemaValueException as error:
            raise AssertionError(f"{event_type} {attributes}: {error}") from error
