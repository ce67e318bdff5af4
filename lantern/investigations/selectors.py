"""Reads for investigations: the list, one investigation's page, the proposals queue, and a person's SPOCs.

People and events are read only through the access checkpoint (`visible_records`,
`visible_events`), and never from restricted records: an investigation the user may open can
still hold an event or a person they may not see, and those are counted, not shown.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from lantern.core.access import PersonAccess, visible_events, visible_investigations, visible_records
from lantern.events.markers import MARKER_RULES, Marker, markers_from
from lantern.events.models import Event, Involvement
from lantern.events.models import Role as EventRole
from lantern.events.outcomes import event_outcome
from lantern.people.ages import age_on
from lantern.safeguarding.selectors import actions_for

from .models import (
    BailCondition,
    BoroughSpoc,
    Family,
    FamilyContactLog,
    FamilySpoc,
    Investigation,
    InvestigationEvent,
    InvestigationPerson,
    InvestigationRole,
    InvestigationStatus,
    JoinProposal,
    Overlap,
    ProposalStatus,
)

LIST_SIZE = 200
LOG_SHOWN = 50


def investigations_for(user: Any, status: str = InvestigationStatus.OPEN) -> QuerySet[Investigation]:
    """Return the user's investigations with this status, newest first."""
    return (visible_investigations(user).filter(status=status)
            .select_related("borough", "officer", "family__address").order_by("-opened_at"))


# People and events, as the user may see them --------------------------------------------------------

@dataclass
class PersonRow:
    person_id: int
    reference: str = ""
    name: str = ""
    age: int | None = None
    roles: list[str] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


def describe_people(user: Any, person_ids: set[int], today: date) -> dict[int, PersonRow]:
    """Return a name, age and markers for each person of whom the user may see an unrestricted record."""
    open_records = visible_records(user).filter(restricted=False)
    rows: dict[int, PersonRow] = {}
    record_ids: set[int] = set()
    for record_id, person_id, reference, given, family, year, month, day in open_records.filter(
            person_id__in=person_ids, person__merged_into__isnull=True).order_by("-received_at").values_list(
            "pk", "person_id", "person__reference", "given_names", "family_name", "dob_year", "dob_month", "dob_day"):
        record_ids.add(record_id)
        row = rows.setdefault(person_id, PersonRow(person_id, reference))
        if not row.name and (given or family):
            row.name = " ".join(part for part in (given, family) if part)
        if row.age is None and year:
            row.age = age_on(year, month, day, today)
    for row in rows.values():
        row.name = row.name or "Name not known"
    # Markers from the events of theirs the user may see, as on the person page.
    marker_types = {rule.event_type for rule in MARKER_RULES}
    found = list(Involvement.objects.filter(source_record_id__in=record_ids, event__type__in=marker_types)
                 .values_list("source_record__person_id", "role", "event_id", "event__type", "event__occurred_at",
                              "event__attributes", "event__agency_id"))
    seen = set(visible_events(user).filter(restricted=False, pk__in={r[2] for r in found}).values_list("pk", flat=True))
    pairs: dict[int, list[tuple[Event, str]]] = defaultdict(list)
    for person_id, role, event_id, event_type, occurred_at, attributes, agency_id in found:
        if event_id in seen:
            pairs[person_id].append((Event(pk=event_id, type=event_type, occurred_at=occurred_at,
                                           attributes=attributes, agency_id=agency_id), role))
    for person_id, row in rows.items():
        row.markers = markers_from(pairs.get(person_id, []), today)
    return rows


@dataclass
class EventRow:
    event: Event
    outcome: str
    people: list[tuple[PersonRow, str]]
    link: InvestigationEvent | None = None


def _event_rows(user: Any, events: list[Event], people: dict[int, PersonRow]) -> list[EventRow]:
    """Return each event with the people in it that the user may see, and their roles."""
    involved: dict[int, list[tuple[PersonRow, str]]] = defaultdict(list)
    allowed = set(visible_records(user).filter(restricted=False, involvements__event__in=[e.pk for e in events])
                  .values_list("pk", flat=True))
    for event_id, role, record_id, person_id in Involvement.objects.filter(event__in=[e.pk for e in events]) \
            .values_list("event_id", "role", "source_record_id", "source_record__person_id"):
        if record_id in allowed and person_id in people:
            involved[event_id].append((people[person_id], EventRole(role).label))
    return [EventRow(e, event_outcome(e.type, e.attributes), sorted(involved[e.pk], key=lambda p: p[0].name))
            for e in events]


# One investigation ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SafeguardingRow:
    kind: str
    title: str
    owner: str
    due_at: datetime | None
    status: str
    href: str


def safeguarding_actions(person_ids: list[int], event_ids: list[int]) -> list[SafeguardingRow]:
    """Return the safeguarding actions (lantern.safeguarding's tasks and notifications) for these people and events."""
    return [SafeguardingRow(str(a.kind), str(a.title), str(a.owner or ""), a.due_at, str(a.status),
                            reverse(a.url_name, args=[a.reference]))
            for a in actions_for(person_ids, event_ids)]


@dataclass
class BailRow:
    bail: BailCondition
    person: PersonRow | None
    days_left: int


@dataclass
class InvestigationPage:
    investigation: Investigation
    events: list[EventRow]
    hidden_events: int
    people: list[PersonRow]
    hidden_people: int
    actions: list[SafeguardingRow]
    bail: list[BailRow]
    spoc: FamilySpoc | None
    spoc_history: list[FamilySpoc]
    borough_spoc: BoroughSpoc | None
    log: list[FamilyContactLog]
    proposals: list["ProposalRow"]


def investigation_page(user: Any, investigation: Investigation, today: date) -> InvestigationPage:
    """Return everything on an investigation's page that the user may see."""
    links = list(InvestigationEvent.objects.filter(investigation=investigation).select_related("joined_by"))
    shown = {e.pk: e for e in visible_events(user).filter(pk__in=[link.event_id for link in links], restricted=False)
             .select_related("agency", "borough")}
    roles: dict[int, list[str]] = defaultdict(list)
    for person_id, role in InvestigationPerson.objects.filter(investigation=investigation).values_list(
            "person_id", "role"):
        roles[person_id].append(role)
    people = describe_people(user, set(roles), today)
    for person_id, row in people.items():
        row.roles = [InvestigationRole(r).label for r in sorted(roles[person_id], key=InvestigationRole.values.index)]
    events = _event_rows(user, sorted(shown.values(), key=lambda e: e.occurred_at, reverse=True), people)
    by_event = {link.event_id: link for link in links}
    for event_row in events:
        event_row.link = by_event[event_row.event.pk]
    bail = [BailRow(b, people.get(b.person_id), b.days_left(today))
            for b in BailCondition.objects.filter(investigation=investigation).select_related("recorded_by")]
    family = investigation.family
    spocs = list(FamilySpoc.objects.filter(family=family).select_related("spoc", "assigned_by"))
    return InvestigationPage(
        investigation=investigation,
        events=events,
        hidden_events=len(links) - len(events),
        people=sorted(people.values(), key=lambda p: (_role_rank(roles[p.person_id]), p.name)),
        hidden_people=len(roles) - len(people),
        actions=safeguarding_actions(sorted(people), sorted(shown)),
        bail=[b for b in bail if b.person is not None],
        spoc=next((s for s in spocs if s.ended_at is None), None),
        spoc_history=[s for s in spocs if s.ended_at is not None],
        borough_spoc=BoroughSpoc.objects.select_related("spoc").filter(
            borough_id=investigation.borough_id, ended_at__isnull=True).first(),
        log=list(FamilyContactLog.objects.filter(family=family).select_related("by")[:LOG_SHOWN]),
        proposals=proposals_for(user, investigation=investigation, today=today),
    )


def _role_rank(roles: list[str]) -> int:
    return min((InvestigationRole.values.index(r) for r in roles), default=len(InvestigationRole.values))


# Proposals ---------------------------------------------------------------------------------------------

@dataclass
class ProposalRow:
    proposal: JoinProposal
    event: EventRow
    shared: list[tuple[PersonRow, str]]  # who the user may see, and how they overlap


def proposals_for(user: Any, *, investigation: Investigation | None = None, event_id: int | None = None,
                  today: date) -> list[ProposalRow]:
    """Return the undecided proposals on investigations the user may open, for events the user may see."""
    proposals = JoinProposal.objects.filter(
        status=ProposalStatus.PROPOSED, investigation__status=InvestigationStatus.OPEN,
        investigation__in=visible_investigations(user)).select_related("investigation__officer")
    if investigation is not None:
        proposals = proposals.filter(investigation=investigation)
    if event_id is not None:
        proposals = proposals.filter(event_id=event_id)
    rows = list(proposals.order_by("proposed_at", "pk")[:LIST_SIZE])
    events = {e.pk: e for e in visible_events(user).filter(pk__in={p.event_id for p in rows}, restricted=False)
              .select_related("agency", "borough")}
    rows = [p for p in rows if p.event_id in events]
    person_ids = {s["person"] for p in rows for s in p.shared}
    involved = {pk for pk, in Involvement.objects.filter(event__in=list(events)).values_list("source_record__person_id")
                if pk is not None}
    people = describe_people(user, person_ids | involved, today)
    event_rows = {row.event.pk: row for row in _event_rows(user, list(events.values()), people)}
    return [ProposalRow(p, event_rows[p.event_id],
                        [(people[s["person"]], Overlap(s["overlap"]).label) for s in p.shared if s["person"] in people])
            for p in rows]


def proposal_for(user: Any, proposal_id: int, today: date) -> ProposalRow | None:
    """Return one undecided proposal the user may see, or None."""
    proposal = JoinProposal.objects.filter(pk=proposal_id).values_list("investigation_id", "event_id").first()
    if proposal is None:
        return None
    investigation = Investigation.objects.filter(pk=proposal[0]).first()
    rows = proposals_for(user, investigation=investigation, event_id=proposal[1], today=today)
    return rows[0] if rows else None


# SPOCs on the person page -------------------------------------------------------------------------------

@dataclass
class PersonSpocs:
    families: list[FamilySpoc]
    boroughs: list[BoroughSpoc]
    investigations: list[Investigation]


def spocs_for_person(user: Any, access: PersonAccess) -> PersonSpocs:
    """Return the current SPOCs of the person's household (by the addresses the user may see) and borough,
    and the open investigations the person is in that the user may open."""
    person = access.person
    addresses = {r.address_id for r in access.records if r.address_id is not None}
    in_cases = InvestigationPerson.objects.filter(person=person, investigation__status=InvestigationStatus.OPEN)
    families = Family.objects.filter(pk__in=in_cases.values("investigation__family_id")) \
        | Family.objects.filter(address_id__in=addresses) | Family.objects.filter(person=person)
    family_spocs = list(FamilySpoc.objects.filter(family__in=families, ended_at__isnull=True)
                        .select_related("spoc", "family__address").order_by("started_at"))
    boroughs = {r.borough_id for r in access.records if r.borough_id is not None}
    borough_spocs = list(BoroughSpoc.objects.filter(borough_id__in=boroughs, ended_at__isnull=True)
                         .select_related("spoc", "borough").order_by("borough__name"))
    cases = list(visible_investigations(user).filter(pk__in=in_cases.values("investigation_id")).order_by("-opened_at"))
    return PersonSpocs(family_spocs, borough_spocs, cases)


def joinable_events_of(user: Any, access: PersonAccess) -> list[Event]:
    """Return the person's events the user may see that could open an investigation, newest first."""
    from .overlap import strands_of

    return [e for e in access.events if not e.restricted and strands_of(e.type, e.attributes)]
