"""Lines packed for the parsing processes come back exactly as parsing them in place gives."""

import dataclasses

import orjson
from hypothesis import given
from hypothesis import strategies as st

from lantern.intake.parsing import EventLine, PersonLine, RawLine, parse_chunk
from lantern.intake.transfer import pack_lines, parse_packed, unpack_lines, unpack_parsed
from lantern.linkage.realtime import key_array
from tests.intake.feeds import AGENCIES, event, person

KNOWN_LINES = [
    *AGENCIES,
    person("P1", aliases=["Lea Morgan"], nhs_number="9434765919"),
    person("P2", date_of_birth="2011-04", address={"line1": "1 Mare St", "postcode": "E8 4RP", "uprn": "1001"}),
    event("E1", ("P1", "missing_person"), reported_at="2026-03-02T08:00:00+01:00",
          location={"line1": "Hackney Central", "postcode": "e8 1ll"}),
    event("E2", ("P1", "victim"), ("P2", "suspect"), type="crime", attributes={"offence": "robbery"}),
    person("P3", date_of_birth="2090-01-01"),  # refused: born in the future
    event("E3", ("P1", "nobody")),  # refused: no such role
    {"kind": "agency", "code": "x"},  # refused by the schema
]


def _raw(lines: list[object]) -> list[RawLine]:
    return [RawLine("feed.jsonl", number, line if isinstance(line, bytes) else orjson.dumps(line))
            for number, line in enumerate(lines, start=1)]


def _through_a_worker(lines: list[RawLine], linking: bool = True) -> list[object]:
    return unpack_parsed(parse_packed(pack_lines(lines), linking), lines)


def test_every_kind_of_line_comes_back_as_parsing_in_place_gives():
    lines = _raw(KNOWN_LINES)
    in_place = parse_chunk(lines)
    assert {type(p).__name__ for p in in_place} == {"AgencyLine", "PersonLine", "EventLine", "Refused"}
    assert _through_a_worker(lines) == in_place
    events = [p for p in in_place if isinstance(p, EventLine)]
    assert events[0].reported_at == "2026-03-02 07:00:00"  # in UTC, as the database keeps it


def test_raw_lines_keep_their_problems_and_truncation():
    lines = [RawLine("a.jsonl", 3, b"{}"), RawLine("b.jsonl", 9, b"x" * 10, problem="is too long", truncated=True)]
    assert unpack_lines(pack_lines(lines)) == lines


def test_before_a_model_is_trained_features_and_keys_are_left_out_and_made_the_same_when_asked_for():
    lines = _raw(KNOWN_LINES)
    in_place = [p for p in parse_chunk(lines) if isinstance(p, PersonLine)]
    without = [p for p in _through_a_worker(lines, linking=False) if isinstance(p, PersonLine)]
    assert without == [p for p in parse_chunk(lines, linking=False) if isinstance(p, PersonLine)]
    assert [(p.features, p.index.keys) for p in without] == [(b"", b"")] * len(in_place)
    assert all(p.features and p.index.keys != b"[]" for p in in_place)
    assert [dataclasses.replace(p, features=b"", index=p.index._replace(keys=b"")) for p in in_place] == without
    assert [p.features_for(41) for p in without] == [p.features_for(41) for p in in_place]
    assert [key_array(p.features_for(41)) for p in without] == [p.index.keys for p in in_place]


@given(st.lists(st.binary(max_size=120), max_size=20))
def test_any_bytes_come_back_as_parsing_in_place_gives(data):
    lines = _raw(data)
    assert _through_a_worker(lines) == parse_chunk(lines)
