"""The facts the rules read, loaded for a whole batch of events with a fixed number of queries.

For each event: who was involved (through their records to their persons), each person's
dates of birth, addresses, schools and earlier events of the kinds the rules count, and who
else lives at those addresses (people whose records share an Address).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.utils import timezone

from lantern.events.markers import Marker, markers_from
from lantern.events.models import Event, EventType, Involvement
from lantern.organisations.models import Agency, AgencyKind
from lantern.people.ages import age_on
from lantern.people.models import Address, SourceRecord

from .models import Task

CHUNK = 900  # SQLite's limit on query parameters, with room to spare
# The earlier events rules count or take markers from.
HISTORY_TYPES = (
    EventType.MISSING_EPISODE, EventType.DOMESTIC_ABUSE_INCIDENT, EventType.CHILD_PROTECTION_PLAN,
    EventType.LOOKED_AFTER_PERIOD, EventType.EXPLOITATION_ASSESSMENT, EventType.RSO_REGISTRATION,
)
RECORD_FIELDS = ("id", "person_id", "agency_id", "given_names", "family_name", "dob_year", "dob_month", "dob_day",
                 "sex", "address_id", "borough_id", "school_urn")


def chunked(values: Iterable[Any]) -> Iterator[list[Any]]:
    """Yield the values in lists short enough for one query."""
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


@dataclass
class Past:
    """An earlier event a person was involved in."""

    event_id: int
    type: str
    occurred_at: datetime
    attributes: dict[str, Any]
    role: str
    agency_id: int


@dataclass(frozen=True)
class _Seen:
    id: int
    type: str
    occurred_at: datetime
    attributes: dict[str, Any]
    agency_id: int


@dataclass
class PersonFacts:
    """What the rules know of one person: their records, taken together."""

    key: str  # "p<person id>", or "r<record id>" for a record not yet linked
    person_id: int | None
    records: list[dict[str, Any]] = field(default_factory=list)
    history: list[Past] = field(default_factory=list)
    _markers: dict[datetime, list[Marker]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def record_ids(self) -> list[int]:
        return [r["id"] for r in self.records]

    @property
    def address_ids(self) -> set[int]:
        return {r["address_id"] for r in self.records if r["address_id"]}

    @property
    def agency_ids(self) -> set[int]:
        return {r["agency_id"] for r in self.records}

    @property
    def school_urns(self) -> list[str]:
        return sorted({r["school_urn"] for r in self.records if r["school_urn"]})

    def _best(self, *fields: str) -> dict[str, Any]:
        for record in self.records:
            if all(record[f] for f in fields):
                return record
        return self.records[0] if self.records else {}

    @property
    def dob(self) -> tuple[int | None, int | None, int | None]:
        # The fullest date of birth any agency holds.
        best = max(self.records, default={}, key=lambda r: (r.get("dob_year") is not None,
                                                            r.get("dob_month") is not None,
                                                            r.get("dob_day") is not None))
        return best.get("dob_year"), best.get("dob_month"), best.get("dob_day")

    @property
    def date_of_birth(self) -> str:
        year, month, day = self.dob
        if year is None:
            return "Not known"
        return "-".join(f"{part:02d}" for part in (year, month, day) if part is not None)

    @property
    def name(self) -> str:
        record = self._best("family_name")
        return " ".join(p for p in (record.get("given_names", ""), record.get("family_name", "")) if p) or "Not known"

    @property
    def sex(self) -> str:
        known = [r["sex"] for r in self.records if r["sex"] != "unknown"]
        return known[0] if known else "unknown"

    @property
    def borough_id(self) -> int | None:
        return next((r["borough_id"] for r in self.records if r["borough_id"]), None)

    def age(self, on: date) -> int | None:
        return age_on(*self.dob, on)

    def is_child(self, on: date) -> bool:
        age = self.age(on)
        return age is not None and age < 18

    def earlier(self, types: Iterable[str], roles: Iterable[str], since: datetime, until: datetime) -> list[Past]:
        """Return this person's events of these types and roles from `since` to `until`, one per event."""
        wanted_types, wanted_roles = set(types), set(roles)
        found = {p.event_id: p for p in self.history
                 if p.type in wanted_types and p.role in wanted_roles and since <= p.occurred_at <= until}
        return sorted(found.values(), key=lambda p: (p.occurred_at, p.event_id))

    def has_history(self, *types: str) -> bool:
        """Return whether the person was ever in an event of these types (a quick test before markers)."""
        return any(p.type in types for p in self.history)

    def markers(self, on: datetime) -> list[Marker]:
        """Return the person's markers as they stood at that moment."""
        cached = self._markers.get(on)
        if cached is None:
            # Plain stand-ins for Event rows: the marker rules read only these fields, and building
            # model instances here would cost more than all the rules together.
            pairs = [(cast(Event, _Seen(p.event_id, p.type, p.occurred_at, p.attributes, p.agency_id)), p.role)
                     for p in self.history if p.occurred_at <= on]
            cached = self._markers[on] = markers_from(pairs, timezone.localtime(on).date())
        return cached


@dataclass
class Involved:
    role: str
    person: PersonFacts
    record_id: int


@dataclass
class EventFacts:
    """One event, and the people involved in it."""

    id: int
    type: str
    agency_id: int
    source_id: str
    occurred_at: datetime
    reported_at: datetime | None
    borough_id: int | None
    location_id: int | None
    attributes: dict[str, Any]
    narrative: str
    involved: list[Involved] = field(default_factory=list)

    def people(self, *roles: str) -> list[Involved]:
        """Return who was involved in these roles (anyone, if none given), each person once."""
        seen: dict[str, Involved] = {}
        for inv in self.involved:
            if (not roles or inv.role in roles) and inv.person.key not in seen:
                seen[inv.person.key] = inv
        return list(seen.values())


class Agencies:
    """The agencies rules send to: schools, each borough's children's social care, the police."""

    def __init__(self) -> None:
        rows = list(Agency.objects.values("id", "code", "name", "kind", "borough_id"))
        self.by_id = {row["id"]: row for row in rows}
        self.by_code = {row["code"]: row for row in rows}
        self.csc: dict[int, int] = {}
        for row in sorted(rows, key=lambda r: r["code"]):
            if row["kind"] == AgencyKind.CHILDRENS_SOCIAL_CARE and row["borough_id"]:
                self.csc.setdefault(row["borough_id"], row["id"])
        police = [row for row in rows if row["kind"] == AgencyKind.POLICE]
        self.police_id = next((row["id"] for row in police if row["code"] == "met"),
                              police[0]["id"] if police else None)

    def kind(self, agency_id: int) -> str:
        return self.by_id[agency_id]["kind"] if agency_id in self.by_id else ""

    def local_authority(self, borough_id: int | None) -> int | None:
        """Return the borough's children's social care (code csc-<ons code>, else any of its kind there)."""
        return self.csc.get(borough_id) if borough_id else None

    def school(self, person: PersonFacts) -> int | None:
        """Return the school that holds a record of the child, else the school named on any record."""
        schools = sorted(a for a in person.agency_ids if self.kind(a) == AgencyKind.SCHOOL)
        if schools:
            return schools[0]
        for urn in person.school_urns:
            row = self.by_code.get(f"school-{urn}")
            if row is not None and row["kind"] == AgencyKind.SCHOOL:
                return int(row["id"])
        return None


class Batch:
    """The facts for a batch of events, and what the rules need to resolve owners."""

    def __init__(self, events: list[EventFacts], persons: dict[str, PersonFacts],
                 residents: dict[int, list[PersonFacts]], addresses: dict[int, str], agencies: Agencies,
                 tasks_by_event: dict[int, list[Task]], now: datetime, replay: bool) -> None:
        self.events = events
        self.persons = persons
        self.residents = residents
        self.addresses = addresses
        self.agencies = agencies
        self.tasks_by_event = tasks_by_event
        self.now = now
        self.replay = replay

    def household(self, address_ids: Iterable[int]) -> list[PersonFacts]:
        """Return everyone with a record at any of these addresses, each once."""
        seen: dict[str, PersonFacts] = {}
        for address_id in address_ids:
            for person in self.residents.get(address_id, []):
                seen.setdefault(person.key, person)
        return list(seen.values())

    def address(self, address_id: int | None) -> str:
        return self.addresses.get(address_id, "") if address_id else ""

    def as_of(self, event: EventFacts) -> datetime:
        """Return the moment the rules judge an event at: when it happened."""
        return event.occurred_at

    def is_police(self, event: EventFacts) -> bool:
        return self.agencies.kind(event.agency_id) == AgencyKind.POLICE


def _person_key(person_id: int | None, record_id: int) -> str:
    return f"p{person_id}" if person_id else f"r{record_id}"


def load_batch(event_ids: list[int], *, now: datetime, replay: bool, agencies: Agencies,
               task_kinds: Iterable[str] = ()) -> Batch:
    """Load everything the rules read about these events."""
    events: dict[int, EventFacts] = {}
    for ids in chunked(event_ids):
        for row in Event.objects.filter(pk__in=ids).values(
                "id", "type", "agency_id", "source_id", "occurred_at", "reported_at", "borough_id", "location_id",
                "attributes", "narrative"):
            events[row["id"]] = EventFacts(**row)
    # Who was involved, through which record.
    involvements: list[tuple[int, str, dict[str, Any]]] = []
    for ids in chunked(events):
        rows = Involvement.objects.filter(event_id__in=ids).values_list(
            "event_id", "role", *(f"source_record__{name}" for name in RECORD_FIELDS))
        involvements += [(row[0], row[1], dict(zip(RECORD_FIELDS, row[2:], strict=True))) for row in rows]
    persons: dict[str, PersonFacts] = {}

    def person_for(record: dict[str, Any]) -> PersonFacts:
        key = _person_key(record["person_id"], record["id"])
        if key not in persons:
            persons[key] = PersonFacts(key, record["person_id"])
        return persons[key]

    # Every record of the people involved, so addresses, schools and dates of birth are complete.
    involved_person_ids = {record["person_id"] for _, _, record in involvements if record["person_id"]}
    _records_of(involved_person_ids, person_for)
    for _, _, record in involvements:
        found = person_for(record)
        if not found.records:
            found.records.append(record)
    for event_id, role, record in involvements:
        events[event_id].involved.append(Involved(role, person_for(record), record["id"]))
    involved_keys = set(persons)
    # Who else lives where they live, or where the event happened.
    address_ids = {a for p in persons.values() for a in p.address_ids}
    address_ids |= {e.location_id for e in events.values() if e.location_id}
    resident_records: list[dict[str, Any]] = []
    for ids in chunked(address_ids):
        resident_records += list(SourceRecord.objects.filter(address_id__in=ids).values(*RECORD_FIELDS))
    _records_of({r["person_id"] for r in resident_records if r["person_id"]} - involved_person_ids, person_for)
    residents: dict[int, dict[str, PersonFacts]] = defaultdict(dict)
    for record in resident_records:
        person = person_for(record)
        if not person.records:
            person.records.append(record)
        residents[record["address_id"]][person.key] = person
    # The earlier events of the people involved (not of everyone at their addresses).
    record_to_person = {r["id"]: persons[k] for k in involved_keys for r in persons[k].records}
    for ids in chunked(record_to_person):
        for past in Involvement.objects.filter(source_record_id__in=ids, event__type__in=HISTORY_TYPES).values_list(
                "source_record_id", "event_id", "event__type", "event__occurred_at", "event__attributes", "role",
                "event__agency_id"):
            record_to_person[past[0]].history.append(Past(*past[1:]))
    addresses = {}
    for ids in chunked({e.location_id for e in events.values() if e.location_id}):
        addresses.update({a.pk: str(a) for a in Address.objects.filter(pk__in=ids)})
    tasks_by_event: dict[int, list[Task]] = defaultdict(list)
    kinds = list(task_kinds)
    if kinds:
        for ids in chunked(events):
            for task in Task.objects.filter(event_id__in=ids, kind__in=kinds).only(
                    "id", "event_id", "kind", "status", "completed_at", "person_id"):
                tasks_by_event[task.event_id].append(task)  # type: ignore[index]
    ordered = [events[i] for i in event_ids if i in events]
    households = {address: list(people.values()) for address, people in residents.items()}
    return Batch(ordered, persons, households, addresses, agencies, tasks_by_event, now, replay)


def _records_of(person_ids: set[int], person_for: Any) -> None:
    for ids in chunked(person_ids):
        for record in SourceRecord.objects.filter(person_id__in=ids).order_by("id").values(*RECORD_FIELDS):
            person_for(record).records.append(record)
