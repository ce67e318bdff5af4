"""The single view of a person: what every agency knows that the user may see, put together.

Built on what the access checkpoint returned (`PersonAccess`: the person's visible records,
events and markers, already audited). Household, family and network reach other people:
they are read only through the checkpoint's scoping (`visible_records`, `visible_events`),
never from restricted records, and the people shown are audited in one entry. The number of
queries is fixed: it does not grow with the number of events.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from lantern.core.access import PersonAccess, visible_events, visible_records
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.events.markers import MARKER_RULES, Marker, markers_from
from lantern.events.models import Event, Involvement, Role
from lantern.events.outcomes import GRADED_ASSESSMENTS, event_outcome
from lantern.linkage.features import record_features
from lantern.linkage.realtime import active_scorer, record_row

from .ages import age_on
from .models import SourceRecord

# Roles in which a child is the one the event is about (a parent or carer's child).
CHILD_ROLES = frozenset({Role.SUBJECT, Role.VICTIM, Role.MISSING_PERSON, Role.CHILD_PRESENT})
RETURN_INTERVIEW_HOURS = 72  # College of Policing: offered within 72 hours of every return
NETWORK_SHOWN = 30
GRAPH_NODES = 12
HOUSEHOLD_SHOWN = 50


def _newest(records: Iterable[SourceRecord]) -> list[SourceRecord]:
    return sorted(records, key=lambda r: r.received_at, reverse=True)


def best_name(records: Iterable[SourceRecord]) -> str:
    """Return the name on the most recently received record that has one."""
    named = [r for r in records if r.full_name]
    return max(named, key=lambda r: r.received_at).full_name if named else "Name not known"


def _home_record(records: Iterable[SourceRecord]) -> SourceRecord | None:
    """Return the record that best says where the person lives: one with a UPRN, then the newest."""
    housed = [r for r in records if r.postcode or r.address_line1]
    return max(housed, key=lambda r: (bool(r.uprn), r.received_at), default=None)


def _home(records: Iterable[SourceRecord]) -> str:
    home = _home_record(records)
    if home is None:
        return ""
    return ", ".join(p for p in (home.address_line1, home.address_line2, home.address_town, home.postcode) if p)


# Identity ------------------------------------------------------------------------------------

@dataclass
class Identity:
    name: str
    other_names: list[str]
    date_of_birth: str
    age: int | None
    sex: str
    address: str
    borough: str
    identifiers: list[tuple[str, str, str]]  # what, value, which agency holds it


def identity(access: PersonAccess, today: date) -> Identity:
    """Return who the person is, from the newest record that gives each fact."""
    records = _newest(access.records)
    name = best_name(records)
    others = {r.full_name for r in records if r.full_name} | {alias for r in records for alias in r.aliases or ()}
    dated = [r for r in records if r.dob_year]
    # The fullest date of birth wins over a partial one, then the newest.
    dob = max(dated, key=lambda r: (r.dob_day is not None, r.dob_month is not None), default=None)
    home = _home_record(records)
    sexes = [r.get_sex_display() for r in records if r.sex != "unknown"]
    identifiers = []
    for record in records:
        identifiers.append((f"{record.agency.name} reference", record.source_id, record.agency.name))
        for label, value in (("NHS number", record.nhs_number), ("UPRN", record.uprn),
                             ("School URN", record.school_urn)):
            if value:
                identifiers.append((label, value, record.agency.name))
    return Identity(
        name=name,
        other_names=sorted(others - {name}),
        date_of_birth=dob.date_of_birth if dob else "",
        age=age_on(dob.dob_year, dob.dob_month, dob.dob_day, today) if dob else None,
        sex=sexes[0] if sexes else "Not known",
        address=_home(records),
        borough=home.borough.name if home and home.borough else "",
        identifiers=identifiers,
    )


# Risk ------------------------------------------------------------------------------------------

@dataclass
class Assessment:
    label: str
    grade: str
    event: Event


@dataclass
class OverdueAction:
    label: str
    due: datetime
    event: Event | None
    # Where the action is worked (a task's or contact's page), when it has one.
    url: str = ""


def _pairs(access: PersonAccess) -> list[tuple[Event, str]]:
    return [(event, role) for event in access.events for role in access.roles_by_event.get(event.pk, [])]


def latest_assessments(access: PersonAccess) -> list[Assessment]:
    """Return the newest graded assessment of each kind about the person (events are newest first)."""
    found: dict[str, Assessment] = {}
    for event, role in _pairs(access):
        for event_type, attribute, label, roles in GRADED_ASSESSMENTS:
            if event.type == event_type and role in roles and label not in found and event.attributes.get(attribute):
                found[label] = Assessment(label, str(event.attributes[attribute]).replace("_", " "), event)
    return sorted(found.values(), key=lambda a: a.event.occurred_at, reverse=True)


def overdue_actions(access: PersonAccess, now: datetime) -> list[OverdueAction]:
    """Return the actions whose clock has run out: return interviews not offered within 72 hours."""
    overdue = []
    for event, role in _pairs(access):
        attributes = event.attributes
        if role != Role.MISSING_PERSON or not attributes.get("returned_at"):
            continue
        if attributes.get("return_interview_offered_at"):
            continue
        due = datetime.fromisoformat(attributes["returned_at"]) + timedelta(hours=RETURN_INTERVIEW_HOURS)
        if due.tzinfo is None:
            due = due.replace(tzinfo=timezone.get_current_timezone())
        if due < now:
            overdue.append(OverdueAction("Return interview not offered", due, event))
    return overdue


# Chronology ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChronologyFilter:
    agencies: frozenset[str] = frozenset()  # agency codes
    types: frozenset[str] = frozenset()
    start: date | None = None
    end: date | None = None

    def admits(self, event: Event) -> bool:
        day = timezone.localtime(event.occurred_at).date()
        return ((not self.agencies or event.agency.code in self.agencies)
                and (not self.types or event.type in self.types)
                and (self.start is None or day >= self.start)
                and (self.end is None or day <= self.end))

    def as_payload(self) -> dict[str, Any]:
        return {"agencies": sorted(self.agencies), "types": sorted(self.types),
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}


@dataclass
class ChronologyEntry:
    event: Event
    roles: list[str]
    outcome: str


def chronology(access: PersonAccess, filters: ChronologyFilter) -> list[ChronologyEntry]:
    """Return the person's events, newest first, that pass the filter."""
    return [
        ChronologyEntry(event, [Role(r).label for r in access.roles_by_event.get(event.pk, [])],
                        event_outcome(event.type, event.attributes))
        for event in access.events if filters.admits(event)
    ]


# Household, family and network -----------------------------------------------------------------

@dataclass
class Connection:
    """Someone connected to the person: by address, by family, or by events they share."""

    person_id: int
    reference: str = ""
    name: str = ""
    age: int | None = None
    relationships: set[str] = field(default_factory=set)
    event_ids: set[int] = field(default_factory=set)
    their_roles: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    markers: list[Marker] = field(default_factory=list)

    @property
    def together(self) -> int:
        return len(self.event_ids)

    @property
    def role_labels(self) -> str:
        return ", ".join(Role(role).label for role, _ in self.their_roles.most_common())


@dataclass
class GraphNode:
    x: float
    y: float
    label: str
    reference: str
    weight: int


@dataclass
class Graph:
    nodes: list[GraphNode]
    edges: list[tuple[GraphNode, GraphNode, int]]
    width: int = 640
    height: int = 440


@dataclass
class Connections:
    household: list[Connection]
    network: list[Connection]
    graph: Graph
    address: str


def connections(user: Any, access: PersonAccess, today: date) -> Connections:
    """Return who lives with the person, their family, and who shares events with them; audit it."""
    person = access.person
    open_records = visible_records(user).filter(restricted=False)
    open_events = visible_events(user).filter(restricted=False)
    found: dict[int, Connection] = {}

    def connect(person_id: int) -> Connection:
        return found.setdefault(person_id, Connection(person_id))

    # Who shares events with the person, and who of them shares events with each other.
    event_ids = [e.pk for e in access.events if not e.restricted]
    occurred = {e.pk: e.occurred_at for e in access.events}
    my_roles = access.roles_by_event
    people_at_event: dict[int, set[int]] = {}
    parents: set[int] = set()
    rows = _only_open_records(open_records, Involvement.objects.filter(event_id__in=event_ids).exclude(
        source_record__person=person).values_list("event_id", "role", "source_record_id", "source_record__person_id"))
    for event_id, role, _, other_id in rows:
        if other_id is None:
            continue
        other = connect(other_id)
        other.event_ids.add(event_id)
        other.their_roles[role] += 1
        when = occurred[event_id]
        other.first = min(other.first or when, when)
        other.last = max(other.last or when, when)
        people_at_event.setdefault(event_id, set()).add(other_id)
        mine = set(my_roles.get(event_id, ()))
        if role == Role.PARENT_CARER and mine & CHILD_ROLES:
            other.relationships.add("Parent or carer")
            parents.add(other_id)
        elif Role.PARENT_CARER in mine and role in CHILD_ROLES:
            other.relationships.add("Child in their care")

    # Who lives at the same address now: at any address the person's current records give
    # (agencies spell one address differently; each record's current version is where it says they live).
    addresses = {r.address_id for r in access.records if r.address_id is not None}
    address = _home(access.records)
    if addresses:
        for other_id in open_records.filter(address_id__in=addresses).exclude(person=person).exclude(
                person__isnull=True).values_list("person_id", flat=True).distinct()[:HOUSEHOLD_SHOWN]:
            connect(other_id).relationships.add("Lives at the same address")

    # Siblings: children of the same parent or carer, wherever they live.
    if parents:
        parent_events = open_events.filter(pk__in=set(Involvement.objects.filter(
            source_record__person_id__in=parents, role=Role.PARENT_CARER).values_list("event_id", flat=True)))
        children = _only_open_records(open_records, Involvement.objects.filter(
            event_id__in=set(parent_events.values_list("pk", flat=True)), role__in=CHILD_ROLES,
        ).exclude(source_record__person=person).values_list("event_id", "role", "source_record_id",
                                                            "source_record__person_id"))
        for _, _, _, other_id in children:
            if other_id is not None and other_id not in parents:
                connect(other_id).relationships.add("Sibling")

    household = sorted((c for c in found.values() if c.relationships),
                       key=lambda c: (-len(c.relationships), -c.together))
    network = sorted((c for c in found.values() if c.event_ids), key=lambda c: (-c.together, c.person_id))
    network = network[:NETWORK_SHOWN]
    shown = {c.person_id: c for c in [*household[:HOUSEHOLD_SHOWN], *network]}
    record_ids = _describe(shown, open_records, today, pseudonymised=access.pseudonymised)
    _mark(shown, record_ids, open_events, today)
    audit_write(actor=user, verb=AuditVerb.PERSON_CONNECTIONS_VIEW, target=person,
                payload={"shown": sorted(c.reference for c in shown.values()),
                         "pseudonymised": access.pseudonymised})
    return Connections(household[:HOUSEHOLD_SHOWN], network, _graph(access, network, people_at_event),
                       "" if access.pseudonymised else address)


Row = tuple[int, str, int, int | None]  # event, role, source record, person


def _only_open_records(open_records: Any, rows: Iterable[Row]) -> list[Row]:
    """Keep the involvement rows whose source record the user may see (and is not restricted).

    The rows are read first and checked after, by primary key: asking the database for "rows
    whose record is among the visible ones" made it list every visible record in the borough.
    """
    rows = list(rows)
    allowed = set(open_records.filter(pk__in={row[2] for row in rows}).values_list("pk", flat=True))
    return [row for row in rows if row[2] in allowed]


def _describe(shown: dict[int, Connection], records: Any, today: date, *, pseudonymised: bool) -> set[int]:
    """Give each connected person a reference, a name and an age, from records the user may see;
    return those records' ids."""
    rows = records.filter(person_id__in=list(shown)).order_by("-received_at").values_list(
        "pk", "person_id", "person__reference", "given_names", "family_name", "dob_year", "dob_month", "dob_day")
    record_ids = set()
    for record_id, person_id, reference, given, family, year, month, day in rows:
        record_ids.add(record_id)
        connection = shown[person_id]
        connection.reference = connection.reference or reference
        if not connection.name and (given or family):
            connection.name = " ".join(p for p in (given, family) if p)
        if connection.age is None and year:
            connection.age = age_on(year, month, day, today)
    for number, connection in enumerate(sorted(shown.values(), key=lambda c: -c.together), start=1):
        if pseudonymised:
            connection.name, connection.age = f"Person {number}", None
        connection.name = connection.name or "Name not known"
    return record_ids


def _mark(shown: dict[int, Connection], record_ids: set[int], events: Any, today: date) -> None:
    """Give each connected person their current markers (an RSO at the address, say), from the
    records of theirs the user may see and the events the user may see."""
    marker_types = {rule.event_type for rule in MARKER_RULES}
    # Plain values rather than model instances: a busy network has hundreds of such events.
    rows = list(Involvement.objects.filter(source_record_id__in=record_ids, event__type__in=marker_types)
                .values_list("source_record__person_id", "role", "event_id", "event__type", "event__occurred_at",
                             "event__attributes"))
    open_events = set(events.filter(pk__in={row[2] for row in rows}).values_list("pk", flat=True))
    pairs: dict[int, list[tuple[Event, str]]] = {}
    for person_id, role, event_id, event_type, occurred_at, attributes in rows:
        if event_id in open_events:
            event = Event(pk=event_id, type=event_type, occurred_at=occurred_at, attributes=attributes)
            pairs.setdefault(person_id, []).append((event, role))
    for person_id, connection in shown.items():
        connection.markers = markers_from(pairs.get(person_id, []), today)


def _graph(access: PersonAccess, network: list[Connection], people_at_event: dict[int, set[int]]) -> Graph:
    """Lay the strongest connections out on a circle round the person, for the drawn network."""
    graph = Graph([], [])
    centre = GraphNode(graph.width / 2, graph.height / 2, "This person", access.person.reference, 0)
    graph.nodes.append(centre)
    strongest = network[:GRAPH_NODES]
    nodes: dict[int, GraphNode] = {}
    radius = min(graph.width, graph.height) / 2 - 50
    for index, connection in enumerate(strongest):
        angle = 2 * math.pi * index / max(len(strongest), 1) - math.pi / 2
        node = GraphNode(round(centre.x + radius * math.cos(angle), 1), round(centre.y + radius * math.sin(angle), 1),
                         connection.name, connection.reference, connection.together)
        nodes[connection.person_id] = node
        graph.nodes.append(node)
        graph.edges.append((centre, node, connection.together))
    # Links between the people round the person: they were at the same events too.
    between: Counter[tuple[int, int]] = Counter()
    for others in people_at_event.values():
        drawn = sorted(o for o in others if o in nodes)
        for i, left in enumerate(drawn):
            for right in drawn[i + 1:]:
                between[(left, right)] += 1
    for (left, right), count in sorted(between.items()):
        graph.edges.append((nodes[left], nodes[right], count))
    return graph


# Provenance ------------------------------------------------------------------------------------

def link_strengths(access: PersonAccess) -> dict[int, float | None]:
    """Return, for each record, the linkage model's probability that it is the same person as the
    best-matching other record shown; None where it cannot be scored (one record, or no model)."""
    active = active_scorer()
    if active is None or access.pseudonymised or len(access.records) < 2:
        return {record.pk: None for record in access.records}
    _, scorer = active
    features = {record.pk: record_features(record_row(record)) for record in access.records}
    strengths: dict[int, float | None] = {}
    for record_id, mine in features.items():
        strengths[record_id] = max(scorer.score(mine, theirs).match_probability
                                   for other_id, theirs in features.items() if other_id != record_id)
    return strengths


def strongest_partner(access: PersonAccess, record: SourceRecord) -> SourceRecord | None:
    """Return the other record of the person that this one is most strongly linked to."""
    others = [r for r in access.records if r.pk != record.pk]
    active = active_scorer()
    if not others or active is None:
        return others[0] if others else None
    _, scorer = active
    mine = record_features(record_row(record))
    return max(others, key=lambda r: scorer.score(mine, record_features(record_row(r))).match_probability)

