"""Turning raw feed lines into checked, cleaned values. Runs in worker processes: no database.

Every refusal names the line, the field and what was expected, in words the agency that
sent the line can act on.
"""

import dataclasses
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, NamedTuple

import fastjsonschema
import orjson

from lantern.core.collector import cycle_collector_paused
from lantern.events.content import event_content, event_errors
from lantern.linkage.features import RECORD_COLUMNS as LINKAGE_COLUMNS
from lantern.linkage.features import record_features
from lantern.linkage.realtime import IndexEntry, index_entry
from lantern.organisations.selectors import ons_code_for_postcode
from lantern.people.content import (
    ADDRESS_FIELDS,
    RECORD_FIELD_NAMES,
    address_match_key,
    content_errors,
    parse_partial_date,
    person_content,
    record_fields,
)
from lantern.people.validators import normalise_postcode

from .bulk import utc_text
from .interchange import KINDS, line_validator
from .models import API_SOURCE

log = logging.getLogger(__name__)

DEFAULT_LEGAL_BASIS = "dpa2018_sch8_para4"
LONE_CARRIAGE_RETURNS = "; its lines seem to end in a carriage return alone: save the file with line feeds"
RAW_KEPT = 65_536  # characters of a refused line kept for people to read and retry


def over_the_limit(size: int, max_line_bytes: int) -> str:
    """The reason a line too long to take is refused."""
    return f"is {size:,} bytes long; a line may be at most {max_line_bytes:,} bytes"


# Beyond ASCII, what names, addresses and notes saved in Windows-1252 hold: letters and these.
WINDOWS_1252_PUNCTUATION = "£€’‘“”–—…°·´¨"
NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
# What a byte not in a file's named encoding becomes as the file is turned into UTF-8
# (lantern.intake.reader.RecodedAsUtf8): a lone surrogate, which no UTF-8 text holds.
NOT_IN_ENCODING = "\udcff"
_NOT_IN_ENCODING_BYTES = NOT_IN_ENCODING.encode("utf-8", "surrogatepass")
# JSON's escape for NUL: \u0000 after an even number of backslashes (`\\u0000` is a backslash and "u0000").
ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def windows_1252_hint(data: bytes, *, through_api: bool = False) -> str:
    """Words for a person whose text is not UTF-8 but reads as Windows-1252 (as Excel and older
    Windows programs save CSV): the letters beyond ASCII it reads as, and how to send it (a file
    can be imported as Windows-1252; the API takes UTF-8 only). Empty when it does not.

    Only those letters, not the words around them: the reason shows on the feeds page, to
    administrators, whose role sees no case data."""
    if not data.decode("utf-8", "ignore").isascii():
        return ""  # it holds UTF-8 beside the bad byte: a damaged UTF-8 line, not Windows-1252
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    for run in NOT_ASCII.finditer(text):
        letters = run.group().strip("".join(WINDOWS_1252_PUNCTUATION))
        if not letters:
            continue
        # Accented letters sit inside words ("Zoë", "Ñúñez"); stray bytes seldom do.
        before, after = text[run.start() - 1:run.start()], text[run.end():run.end() + 1]
        if not (letters.isalpha() and (before.isascii() and before.isalnum() or after.isascii() and after.isalnum())):
            return ""
    beyond = list(dict.fromkeys(c if c.isprintable() else "\ufffd" for run in NOT_ASCII.finditer(text)
                                for c in run.group()))
    shown = [repr(c) for c in beyond[:8]] + (["others"] if len(beyond) > 8 else [])
    said = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
    reading = f"; read as Windows-1252 (as Excel saves CSV) its characters beyond ASCII are {said}"
    if through_api:
        return reading + ": if the sending system writes Windows-1252, have it send UTF-8, as the API takes"
    return reading + (": if the file is in Windows-1252, import it with --encoding windows-1252, or save it "
                      "as UTF-8 and send it again")


class RawLine(NamedTuple):
    """One line as read, before parsing. A named tuple: made for every line, twice (in the
    reader and in a parsing process), it costs a third of a frozen dataclass."""

    source: str
    number: int
    data: bytes
    problem: str = ""  # set by the reader when the line could not even be read
    truncated: bool = False  # the reader kept only the start of an over-long line
    digest: str = ""  # of the whole line, when only its start is kept (truncated)


@dataclass
class Refused:
    """A line not taken, with where and why; also used for lines held waiting."""

    line: RawLine
    field: str
    reason: str
    kind: str = ""
    agency: str = ""
    source_id: str = ""
    code: str = ""  # a stable name for reasons the importer acts on (see DUPLICATE_IN_IMPORT)
    waiting_for: list[str] = dataclasses.field(default_factory=list)


DUPLICATE_IN_IMPORT = "duplicate_in_import"


@dataclass
class AgencyLine:
    line: RawLine
    code: str
    name: str
    agency_kind: str
    borough: str | None


# A record's address among its columns: address_line1 to uprn, in ADDRESS_FIELDS order.
_ADDRESS_COLUMNS = slice(RECORD_FIELD_NAMES.index("address_line1"), RECORD_FIELD_NAMES.index("uprn") + 1)
assert RECORD_FIELD_NAMES[_ADDRESS_COLUMNS] == ("address_line1", "address_line2", "address_town", "postcode", "uprn")


@dataclass
class PersonLine:
    """A person record, checked, cleaned and made ready for the database.

    The parsing processes make its columns, its address and its borough, so the writer, which
    every line passes through in turn, only looks up what is stored and adds ids and links.
    """

    line: RawLine
    agency: str
    source_id: str
    digest: str
    source_system: str
    borough: str | None
    """The ONS code the line gave, if any (the writer checks it is a London borough's)."""
    home: str | None
    """The borough the record places the person in: the one given, else its postcode's."""
    columns: tuple[Any, ...]
    """The record's own columns, in RECORD_FIELD_NAMES order, its aliases as JSON text."""
    address_key: str | None
    # Linkage features (JSON, without the record's id, which the writer gives) and the
    # real-time index entry, made here in the parsing processes to take that work off the
    # writer. Both stay JSON bytes, which cost the writer nothing to receive: it decodes the
    # features only when a trained model links new records, and passes the entry on as it is.
    # Before the first `lantern link` nothing reads features or blocking keys (and that
    # command indexes every record again), so neither is made then: `features` is empty and
    # the entry holds search terms only (see index_entry).
    features: bytes
    index: IndexEntry

    @property
    def address(self) -> tuple[str, ...] | None:
        """line1, line2, town, postcode and UPRN, from the columns; None when it gives neither a
        first line nor a UPRN (and so has no match key)."""
        return self.columns[_ADDRESS_COLUMNS] if self.address_key else None

    def features_for(self, record_id: int) -> dict[str, Any]:
        """Return the record's linkage features, under the id it is given.

        Parsing leaves them out when no trained model was active as the import began; if one
        has become active since, they are made here.
        """
        if not self.features:
            aliases = orjson.loads(self.columns[RECORD_FIELD_NAMES.index("aliases")])
            return record_features({"id": record_id, **linkage_row(self.columns, aliases)})
        return {**orjson.loads(self.features), "unique_id": record_id}


@dataclass
class EventLine:
    line: RawLine
    agency: str
    source_id: str
    type: str
    occurred_at: str
    reported_at: str | None
    """Both as UTC text (lantern.intake.bulk.utc_text), made here, which SQLite stores as it is:
    the writer, which every line passes through, converts nothing on SQLite."""
    borough: str | None
    """The ONS code the line gave, if any (the writer checks it is a London borough's)."""
    place: str | None
    """The borough the event is counted in: the one given, else its location's postcode's."""
    location: tuple[str, str, str, str, str] | None
    """As a person's address: line1, line2, town, postcode and UPRN."""
    location_key: str | None
    involvements: list[tuple[str, str]]
    attributes: str
    """The type's attributes as JSON text, as the database keeps them."""
    narrative: str
    restricted: bool
    source_system: str
    digest: str


Parsed = Refused | AgencyLine | PersonLine | EventLine


def raw_hash(line: RawLine) -> str:
    """SHA-256 of the whole line as it arrived: what tells one held line from another."""
    return line.digest or hashlib.sha256(line.data).hexdigest()


def too_long(source: str, number: int, start: bytes, size: int, digest: str, max_line_bytes: int) -> RawLine:
    """A line over the limit, refused: its start kept for people to read, and the hash of the
    whole (`digest`) to tell it from another long line that starts alike."""
    return RawLine(source, number, start[:RAW_KEPT], truncated=True, problem=over_the_limit(size, max_line_bytes),
                   digest=digest)


def _schema_problem(error: fastjsonschema.JsonSchemaValueException) -> tuple[str, str]:
    path = ".".join(str(p) for p in (error.path or [])[1:])
    message = error.message.replace("data.", "", 1) if error.message.startswith("data.") else error.message
    if message.startswith("data "):
        message = message[5:]
    return path or "(line)", message


def _timestamp(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    try:
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is before the first day datetime knows, in UTC
        raise ValueError(value) from None


def parse_line(line: RawLine, now: datetime, linking: bool = True) -> Parsed:
    """Check one line against the interchange format and clean it; never raises.

    `linking`: a trained model is active, so records need their linkage features and
    blocking keys as well as their search terms.
    """
    if line.problem:
        return Refused(line, "(line)", line.problem)
    try:
        text = line.data.decode("utf-8")
    except UnicodeDecodeError as error:
        if line.data[error.start:error.start + len(_NOT_IN_ENCODING_BYTES)] == _NOT_IN_ENCODING_BYTES:
            return Refused(line, "(line)", "holds a byte that is not a character in the encoding the file was read in "
                           "(the one named with --encoding, or UTF-16): check which encoding the file is in")
        return Refused(line, "(line)", f"is not UTF-8 text (byte {error.start} is not valid UTF-8)"
                       + windows_1252_hint(line.data, through_api=line.source.startswith(API_SOURCE)))
    if "\x00" in text or "\\u0000" in text and ESCAPED_NUL.search(text):
        # PostgreSQL cannot store the NUL character in text, and no real name or note needs it.
        return Refused(line, "(line)", "contains a NUL character (\\u0000), which cannot be stored")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        # A file whose lines end in CR alone reads as one long line, a CR before each next "{"
        # (a CR inside a string is simply not JSON; the API's lines are split by their sender).
        lone_returns = "\r{" in text and not line.source.startswith(API_SOURCE)
        return Refused(line, "(line)", f"is not valid JSON: {error}" + (
            LONE_CARRIAGE_RETURNS if lone_returns else ""))
    if not isinstance(data, dict):
        return Refused(line, "(line)", f"must be a JSON object, not {type(data).__name__}")
    kind = data.get("kind")
    agency = str(data.get("agency", ""))[:60]
    source_id = str(data.get("source_id", ""))[:100]
    if kind not in KINDS:
        return Refused(line, "kind", f"must be one of {', '.join(KINDS)}, not {kind!r}", "", agency, source_id)
    try:
        line_validator(kind)(data)
    except fastjsonschema.JsonSchemaValueException as error:
        where, message = _schema_problem(error)
        return Refused(line, where, message, kind, agency, source_id)
    if kind == "agency":
        return AgencyLine(line, data["code"], data["name"], data["agency_kind"], data.get("borough"))
    if kind == "person":
        return _person(line, data, now, linking)
    return _event(line, data, now)


def _person(line: RawLine, data: dict[str, Any], now: datetime, linking: bool) -> Parsed:
    fields = {k: v for k, v in data.items() if k not in {"kind", "agency", "source_id", "source_system",
                                                       "borough", "legal_basis", "restricted"}}
    arrived, digest = person_content(
        fields, restricted=data.get("restricted", False),
        legal_basis=data.get("legal_basis", DEFAULT_LEGAL_BASIS),
        source_system=data.get("source_system", ""), borough_code=data.get("borough"),
    )
    today = now.date()
    errors = content_errors(arrived, today)
    if errors:
        where, reason = next(iter(errors.items()))
        return Refused(line, where, reason, "person", data["agency"], data["source_id"])
    dob = parse_partial_date(arrived["date_of_birth"], today)
    columns = _record_columns(arrived, dob)
    features = record_features({"id": None, **linkage_row(columns, arrived["aliases"])}, with_keys=linking)
    address_key = address_match_key(arrived["address"])
    borough = arrived["borough"]
    home = borough or ons_code_for_postcode(arrived["address"]["postcode"])
    return PersonLine(line, data["agency"], data["source_id"], digest, arrived["source_system"], borough, home,
                      columns, address_key, orjson.dumps(features) if linking else b"",
                      index_entry(features, with_keys=linking))


def _record_columns(arrived: dict[str, Any], dob: tuple[int | None, int | None, int | None]) -> tuple[Any, ...]:
    fields = record_fields(arrived, dob)
    fields["aliases"] = orjson.dumps(fields["aliases"]).decode()
    return tuple(fields.values())


def _address(address: dict[str, str] | None) -> tuple[tuple[str, str, str, str, str] | None, str | None]:
    """Return an address's fields in ADDRESS_FIELDS order and its match key, or None twice for no address."""
    key = address_match_key(address)
    if key is None or address is None:
        return None, None
    return tuple(address[field] for field in ADDRESS_FIELDS), key  # type: ignore[return-value]


# Where linkage's columns (less the id) sit among a record's columns, to pick them out at once.
_LINKAGE_PICK = itemgetter(*(RECORD_FIELD_NAMES.index(column) for column in LINKAGE_COLUMNS[1:]))


def linkage_row(columns: tuple[Any, ...], aliases: list[str]) -> dict[str, Any]:
    """Return what linkage reads of a record (lantern.linkage.features.RECORD_COLUMNS, less its
    id) from its columns; `aliases` as a list, where the columns hold them as JSON text."""
    return {**dict(zip(LINKAGE_COLUMNS[1:], _LINKAGE_PICK(columns), strict=True)), "aliases": aliases}


def _event(line: RawLine, data: dict[str, Any], now: datetime) -> Parsed:
    agency, source_id = data["agency"], data["source_id"]
    try:
        occurred_at = _timestamp(data["occurred_at"])
    except ValueError:
        return Refused(line, "occurred_at", "must be a date and time like 2026-03-01T21:30:00Z",
                       "event", agency, source_id)
    try:
        reported_at = _timestamp(data.get("reported_at"))
    except ValueError:
        return Refused(line, "reported_at", "must be a date and time like 2026-03-01T21:30:00Z",
                       "event", agency, source_id)
    assert occurred_at is not None
    involvements = list(dict.fromkeys((i["person_source_id"], i["role"]) for i in data["involvements"]))
    attributes = data.get("attributes") or {}
    errors = event_errors(data["type"], attributes, [role for _, role in involvements], occurred_at,
                          reported_at, now, extreme_years=b"9999-" in line.data or b"0001-" in line.data)
    if errors:
        where, reasons = next(iter(errors.items()))
        return Refused(line, where, "; ".join(reasons), "event", agency, source_id)
    location = data.get("location")
    if location:
        location = {k: " ".join(str(location.get(k) or "").split())
                    for k in ("line1", "line2", "town", "postcode", "uprn")}
        location["postcode"] = normalise_postcode(location["postcode"])
    narrative = data.get("narrative", "")
    restricted = data.get("restricted", False)
    borough = data.get("borough")
    _, digest = event_content(
        event_type=data["type"], occurred_at=occurred_at, reported_at=reported_at,
        borough_code=borough, attributes=attributes, narrative=narrative,
        restricted=restricted, involvements=involvements, location=location,
    )
    place = borough or (ons_code_for_postcode(location["postcode"]) if location else None)
    return EventLine(line, agency, source_id, data["type"], utc_text(occurred_at),
                     utc_text(reported_at) if reported_at else None, borough, place,
                     *_address(location), involvements, orjson.dumps(attributes).decode(), narrative,
                     restricted, data.get("source_system", ""), digest)


def parse_chunk(chunk: list[RawLine], linking: bool = True) -> list[Parsed]:
    """Parse a list of lines (the unit of work a worker process takes); `linking` as parse_line's."""
    now = datetime.now(UTC)
    # Parsing makes many short-lived objects and no reference cycles: the cycle collector
    # would only slow it down (by about a third, measured).
    with cycle_collector_paused():
        return [_parse_or_refuse(line, now, linking) for line in chunk]


def _parse_or_refuse(line: RawLine, now: datetime, linking: bool) -> Parsed:
    """parse_line, and should it ever raise (a fault in Lantern, not in the line), the line
    refused with the error rather than the whole import stopped."""
    try:
        return parse_line(line, now, linking)
    except Exception as error:  # noqa: BLE001  (held with the error; logged for the team)
        log.exception("Checking %s line %s failed", line.source, line.number)
        return Refused(line, "(line)", f"could not be checked, because of a fault in Lantern ({type(error).__name__}: "
                                       f"{error}); it is held so nothing is lost: tell the Lantern team")
