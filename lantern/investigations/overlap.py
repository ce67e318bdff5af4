"""Which events can join an investigation, and finding the open investigations a new event overlaps.

Policy as data: JOINABLE says, for each event type, which strands (domestic abuse, sexual
offences, child abuse) an event of that type belongs to; an event in no strand (a theft, a
school concern) is never proposed. An event overlaps an open investigation when it shares
a victim, a suspect, or a household (an address of anyone in the investigation, or the
family's own address) with it; any other shared person is an overlap too, said as such.

`propose_joins(event_ids)` costs the same number of queries for one event as for a batch:
the importer calls it once per chunk.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.events.models import Event, EventType, Involvement
from lantern.events.models import Role as EventRole
from lantern.people.models import SourceRecord

from .models import (
    Investigation,
    InvestigationEvent,
    InvestigationPerson,
    InvestigationRole,
    InvestigationStatus,
    JoinProposal,
    Overlap,
    Strand,
)

CHUNK = 300  # events per round of queries; keeps every IN list under SQLite's parameter limit
# How far back, when an investigation opens, Lantern looks for the family's other events to propose.
LOOK_BACK_DAYS = 365


def _crime(attributes: dict[str, Any]) -> frozenset[str]:
    strands = set()
    if attributes.get("category") in {"sexual", "rape"}:
        strands.add(Strand.SEXUAL_OFFENCES)
    if attributes.get("domestic_setting"):
        strands.add(Strand.DOMESTIC_ABUSE)
    if attributes.get("child_abuse"):
        strands.add(Strand.CHILD_ABUSE)
    return frozenset(strands)


def _cp_plan(attributes: dict[str, Any]) -> frozenset[str]:
    if attributes.get("category") == "sexual":
        return frozenset({Strand.CHILD_ABUSE, Strand.SEXUAL_OFFENCES})
    return frozenset({Strand.CHILD_ABUSE})


JOINABLE: dict[str, Callable[[dict[str, Any]], frozenset[str]]] = {
    EventType.CRIME: _crime,
    EventType.DOMESTIC_ABUSE_INCIDENT: lambda attributes: frozenset({Strand.DOMESTIC_ABUSE}),
    EventType.CHILD_PROTECTION_PLAN: _cp_plan,
    EventType.FGM_REPORT: lambda attributes: frozenset({Strand.CHILD_ABUSE}),
    EventType.IIOC_INVESTIGATION: lambda attributes: frozenset({Strand.SEXUAL_OFFENCES, Strand.CHILD_ABUSE}),
    EventType.CHILD_DEATH: lambda attributes: frozenset({Strand.CHILD_ABUSE}) if attributes.get("suspicious")
    else frozenset(),
}

# An event role, read as a role in the investigation.
INVESTIGATION_ROLE = {
    EventRole.VICTIM: InvestigationRole.VICTIM,
    EventRole.SUSPECT: InvestigationRole.SUSPECT,
    EventRole.OFFENDER: InvestigationRole.SUSPECT,
    EventRole.CHILD_PRESENT: InvestigationRole.CHILD,
    EventRole.SUBJECT: InvestigationRole.SUBJECT,
    EventRole.MISSING_PERSON: InvestigationRole.SUBJECT,
    EventRole.PARENT_CARER: InvestigationRole.PARENT_CARER,
    EventRole.REPORTING_PERSON: InvestigationRole.WITNESS,
}
VICTIM_ROLES = frozenset({InvestigationRole.VICTIM, InvestigationRole.CHILD, InvestigationRole.SUBJECT})
SUSPECT_ROLES = frozenset({InvestigationRole.SUSPECT})
OVERLAP_ORDER: list[str] = [Overlap.SAME_VICTIM, Overlap.SAME_SUSPECT, Overlap.SAME_HOUSEHOLD, Overlap.SAME_PERSON]


def strands_of(event_type: str, attributes: dict[str, Any]) -> frozenset[str]:
    """Return the strands an event belongs to; none means it never joins an investigation."""
    rule = JOINABLE.get(event_type)
    return rule(attributes) if rule else frozenset()


def investigation_role(event_role: str) -> str:
    """Return the part someone with this role in an event plays in the investigation."""
    return INVESTIGATION_ROLE.get(EventRole(event_role), InvestigationRole.OTHER)


@dataclass(frozen=True)
class Found:
    """One overlap between an event and an open investigation."""

    overlaps: list[str]
    shared: list[dict[str, Any]]


def _overlap_kind(here: str, there: set[str]) -> str:
    if here in VICTIM_ROLES and there & VICTIM_ROLES:
        return Overlap.SAME_VICTIM
    if here in SUSPECT_ROLES and there & SUSPECT_ROLES:
        return Overlap.SAME_SUSPECT
    return Overlap.SAME_PERSON


def find_overlaps(event_ids: Iterable[int]) -> dict[tuple[int, int], Found]:
    """Return, for each (event, open investigation) that overlap, how; events already in an open one are left out.

    Seven queries, however many events.
    """
    ids = list(event_ids)
    # A bulk load with no case open has nothing to join: one cheap check instead of the reads below.
    if not ids or not Investigation.objects.filter(status=InvestigationStatus.OPEN).exists():
        return {}
    joinable = [pk for pk, event_type, attributes in Event.objects.filter(pk__in=ids, type__in=list(JOINABLE))
                .values_list("pk", "type", "attributes") if strands_of(event_type, attributes)]
    if not joinable:
        return {}
    in_open = set(InvestigationEvent.objects.filter(
        event_id__in=joinable, investigation__status=InvestigationStatus.OPEN).values_list("event_id", flat=True))
    joinable = [pk for pk in joinable if pk not in in_open]
    # Who is in each event, and as what.
    roles_in_event: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    homes: dict[int, set[int]] = defaultdict(set)
    for event_id, role, person_id, address_id in Involvement.objects.filter(event_id__in=joinable).values_list(
            "event_id", "role", "source_record__person_id", "source_record__address_id"):
        if person_id is None:
            continue
        roles_in_event[event_id][person_id].add(investigation_role(role))
        if address_id is not None:
            homes[person_id].add(address_id)
    person_ids = {person_id for people in roles_in_event.values() for person_id in people}
    if not person_ids:
        return {}
    # Where they live: any address their records give (agencies spell one address differently).
    for person_id, address_id in SourceRecord.objects.filter(person_id__in=person_ids, address_id__isnull=False) \
            .values_list("person_id", "address_id"):
        homes[person_id].add(address_id)
    addresses = {address for person_addresses in homes.values() for address in person_addresses}
    open_roles: dict[tuple[int, int], set[str]] = defaultdict(set)  # (investigation, person) -> roles
    for investigation_id, person_id, role in InvestigationPerson.objects.filter(
            investigation__status=InvestigationStatus.OPEN, person_id__in=person_ids).values_list(
            "investigation_id", "person_id", "role"):
        open_roles[(investigation_id, person_id)].add(role)
    households: dict[int, set[int]] = defaultdict(set)  # address -> open investigations living there
    for investigation_id, address_id in Investigation.objects.filter(
            status=InvestigationStatus.OPEN, family__address_id__in=addresses).values_list("pk", "family__address_id"):
        households[address_id].add(investigation_id)
    for investigation_id, address_id in InvestigationPerson.objects.filter(
            investigation__status=InvestigationStatus.OPEN, person__source_records__address_id__in=addresses
    ).values_list("investigation_id", "person__source_records__address_id").distinct():
        households[address_id].add(investigation_id)

    found: dict[tuple[int, int], Found] = {}
    for event_id, people in roles_in_event.items():
        for person_id, here_roles in people.items():
            shared_with: dict[int, tuple[str, str, str]] = {}
            for (investigation_id, other_id), there in open_roles.items():
                if other_id == person_id:
                    kinds = sorted({_overlap_kind(here, there) for here in here_roles}, key=OVERLAP_ORDER.index)
                    shared_with[investigation_id] = (kinds[0], sorted(here_roles)[0], sorted(there)[0])
            for address_id in homes.get(person_id, ()):
                for investigation_id in households.get(address_id, ()):
                    shared_with.setdefault(investigation_id, (Overlap.SAME_HOUSEHOLD, sorted(here_roles)[0], ""))
            for investigation_id, (kind, here, there_role) in shared_with.items():
                entry = found.setdefault((event_id, investigation_id), Found([], []))
                entry.shared.append({"person": person_id, "overlap": kind, "here": here, "there": there_role})
                if kind not in entry.overlaps:
                    entry.overlaps.append(kind)
    for entry in found.values():
        entry.overlaps.sort(key=OVERLAP_ORDER.index)
    return found


def propose_joins(event_ids: Iterable[int], *, now: datetime | None = None, actor: Any = None) -> int:
    """Propose joining new or changed events to the open investigations they overlap; return how many are new.

    The same event and investigation are proposed once, ever: a proposal declined stays declined.
    A fixed number of queries for each CHUNK of events.
    """
    ids = sorted(set(event_ids))
    now = now or timezone.now()
    made: list[JoinProposal] = []
    for start in range(0, len(ids), CHUNK):
        found = find_overlaps(ids[start:start + CHUNK])
        if not found:
            continue
        already = set(JoinProposal.objects.filter(event_id__in={e for e, _ in found}).values_list(
            "event_id", "investigation_id"))
        fresh = [JoinProposal(event_id=event_id, investigation_id=investigation_id, overlaps=entry.overlaps,
                              shared=entry.shared, proposed_at=now)
                 for (event_id, investigation_id), entry in sorted(found.items()) if (event_id, investigation_id)
                 not in already]
        # Two importers at once: the unique (event, investigation) constraint keeps one of each.
        JoinProposal.objects.bulk_create(fresh, ignore_conflicts=True)
        made += fresh
    if made:
        audit_write(actor=actor, verb=AuditVerb.INVESTIGATION_PROPOSE, target_type="investigations.joinproposal",
                    payload={"proposed": len(made),
                             "pairs": [[p.event_id, p.investigation_id] for p in made][:1000]})
    return len(made)


def propose_for_investigation(investigation: Investigation, *, now: datetime | None = None, actor: Any = None) -> int:
    """Propose the family's recent joinable events (its people's, or at its addresses) to a new investigation."""
    now = now or timezone.now()
    people = InvestigationPerson.objects.filter(investigation=investigation).values("person_id")
    addresses = SourceRecord.objects.filter(person_id__in=people, address_id__isnull=False).values("address_id")
    near = Q(source_record__person_id__in=people) | Q(source_record__address_id__in=addresses)
    if investigation.family.address_id is not None:
        near |= Q(source_record__address_id=investigation.family.address_id)
    candidates = set(Involvement.objects.filter(near, event__type__in=list(JOINABLE),
                                                event__occurred_at__gte=now - timedelta(days=LOOK_BACK_DAYS))
                     .exclude(event__investigation_links__investigation=investigation)
                     .values_list("event_id", flat=True))
    return propose_joins(candidates, now=now, actor=actor)
