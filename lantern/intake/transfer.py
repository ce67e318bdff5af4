"""Passing lines to the parsing processes and parsed lines back, as compact bytes.

The pool would otherwise pickle every parsed line as an object (a record, its line, its
index entry): 7 µs a line to pickle in the worker and 13 µs to unpickle in the writer's
process, a sixth of a London year's CPU time. Plain tuples in `marshal` form take about
2 µs each way (docs/benchmarks.md). Both ends are this program, in the same interpreter,
so marshal's format, which is specific to the Python version and never read from outside,
is safe here.

What comes back leaves out what the writer's process has already: the raw line (it read
it, and keeps the chunk until the parsed lines return).
"""

import marshal
from typing import Any

from lantern.core.collector import cycle_collector_paused
from lantern.linkage.realtime import IndexEntry

from .parsing import AgencyLine, EventLine, Parsed, PersonLine, RawLine, Refused, parse_chunk

_REFUSED, _AGENCY, _PERSON, _EVENT = range(4)


def pack_lines(lines: list[RawLine]) -> bytes:
    return marshal.dumps(list(map(tuple, lines)))  # marshal takes plain tuples only


def unpack_lines(packed: bytes) -> list[RawLine]:
    return list(map(RawLine._make, marshal.loads(packed)))  # noqa: S302  (our own worker's bytes)


def _as_tuple(parsed: Parsed) -> tuple[Any, ...]:
    if isinstance(parsed, PersonLine):
        return (_PERSON, parsed.agency, parsed.source_id, parsed.digest, parsed.source_system, parsed.borough,
                parsed.home, parsed.columns, parsed.address_key, parsed.features,
                tuple(parsed.index))
    if isinstance(parsed, EventLine):
        return (_EVENT, parsed.agency, parsed.source_id, parsed.type, parsed.occurred_at,
                parsed.reported_at, parsed.borough, parsed.place, parsed.location, parsed.location_key,
                parsed.involvements, parsed.attributes, parsed.narrative, parsed.restricted, parsed.source_system,
                parsed.digest)
    if isinstance(parsed, AgencyLine):
        return (_AGENCY, parsed.code, parsed.name, parsed.agency_kind, parsed.borough)
    return (_REFUSED, parsed.field, parsed.reason, parsed.kind, parsed.agency, parsed.source_id,
            parsed.code, parsed.waiting_for)


def _from_tuple(fields: tuple[Any, ...], line: RawLine) -> Parsed:
    kind, *rest = fields
    if kind == _PERSON:
        agency, source_id, digest, system, borough, home, columns, address_key, features, index = rest
        return PersonLine(line, agency, source_id, digest, system, borough, home, columns, address_key,
                          features, IndexEntry(*index))
    if kind == _EVENT:
        return EventLine(line, *rest)
    if kind == _AGENCY:
        return AgencyLine(line, *rest)
    return Refused(line, *rest)


def pack_parsed(parsed: list[Parsed]) -> bytes:
    return marshal.dumps([_as_tuple(p) for p in parsed])


def unpack_parsed(packed: bytes, lines: list[RawLine]) -> list[Parsed]:
    """Return the parsed lines, each with its raw line from `lines` (the chunk that was sent)."""
    found = marshal.loads(packed)  # noqa: S302  (our own worker's bytes)
    return [_from_tuple(fields, line) for fields, line in zip(found, lines, strict=True)]


def parse_packed(packed: bytes, linking: bool) -> bytes:
    """Parse packed lines and pack what came of them (the work a parsing process does).

    `linking`: as parse_line's.

    All of it with the cycle collector paused: let back on with the chunk's objects still
    alive, it walked them all, a twentieth of a parsing process's time.
    """
    with cycle_collector_paused():
        return pack_parsed(parse_chunk(unpack_lines(packed), linking))
