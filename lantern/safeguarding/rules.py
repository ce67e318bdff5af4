"""The safeguarding rules, each declared once: name, version, policy, trigger, condition, action.

A rule's condition reads the facts of one event (lantern.safeguarding.facts) and yields a
Match for each set of facts that calls for action; its actions say what to create: a task
with an owner and a due time, a notification, or a contact to the MASH. The engine
(engine.py) runs every enabled rule and writes what they ask for, once per set of facts.

Thresholds and clocks are settings (LANTERN_RULE_* and friends, in the settings file), not
literals here: they are policy, and change between boroughs and years. Raise a rule's
version when its condition or actions change, so every firing says which version fired.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from lantern.core.clock import Duration, add
from lantern.events.models import EventType, Role

from .clocks import after, end_of_day, is_school_age, next_school_day_start, next_wall_time
from .facts import Batch, EventFacts, PersonFacts
from .models import Priority, TaskStatus

SCHEDULE = "schedule"
ANY_POLICE_EVENT = "any_police_event"


@dataclass(frozen=True)
class Match:
    """One set of facts on which a rule fires."""

    key: tuple[Any, ...]  # what makes these facts the same facts (hashed into RuleFiring.facts_key)
    because: str  # the facts, in words, for "why am I seeing this"
    event: EventFacts | None
    person: PersonFacts | None
    record_id: int | None = None
    borough_id: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None  # when the clock starts (default: when the event happened)


Owner = tuple[int | None, str]  # (agency id, team or role)


@dataclass(frozen=True)
class CreateTask:
    kind: str
    title: Callable[[Match], str]
    owner: Callable[[Match, Batch], Owner]
    due: Callable[[Match, Batch], datetime]
    priority: Callable[[Match], str] = lambda match: Priority.NORMAL
    detail: Callable[[Match, Batch], str] = lambda match, batch: ""
    # The task is done once the facts show it (e.g. a return interview offered): when, and how.
    done: Callable[[Match], tuple[datetime, str] | None] | None = None
    # Raised already escalated, with this reason (e.g. a child kept in a cell overnight).
    escalation: str = ""


@dataclass(frozen=True)
class Notify:
    kind: str
    recipient: Callable[[Match, Batch], Owner]
    subject: Callable[[Match], str]
    content: Callable[[Match, Batch], list[list[str]]]
    due: Callable[[Match, Batch], datetime]


@dataclass(frozen=True)
class CreateContact:
    """A contact to the MASH of the person's borough, like an imported event that meets referral criteria."""

    what_happened: Callable[[Match], str]


Action = CreateTask | Notify | CreateContact


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    version: str
    policy: str
    triggers: frozenset[str]  # event types; ANY_POLICE_EVENT; SCHEDULE for the scheduled run
    condition: Callable[[EventFacts, Batch], Iterable[Match]]
    actions: tuple[Action, ...]
    description: str = ""
    # For a scheduled rule: which events to look at again now (see engine.rules_run_scheduled).
    scheduled_events: str = ""

    def listens_to(self, event_type: str, police: bool) -> bool:
        return event_type in self.triggers or (police and ANY_POLICE_EVENT in self.triggers)


# Helpers the conditions and actions share --------------------------------------------------------

def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d %B %Y at %H:%M")


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d %B %Y")


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _yes(value: Any) -> str:
    return "Yes" if value else "No"


def _words(value: Any) -> str:
    return str(value).replace("_", " ") if value not in (None, "") else "not recorded"


def _borough(event: EventFacts, person: PersonFacts | None) -> int | None:
    return (person.borough_id if person else None) or event.borough_id


def _from_event(match: Match) -> datetime:
    if match.at is not None:
        return match.at
    assert match.event is not None  # noqa: S101 - every event rule's match carries its event
    return match.event.occurred_at


def _clock(setting: str) -> Callable[[Match, Batch], datetime]:
    return lambda match, batch: after(_from_event(match), setting)


def _police(team: str) -> Callable[[Match, Batch], Owner]:
    return lambda match, batch: (batch.agencies.police_id, team)


def _local_authority(team: str) -> Callable[[Match, Batch], Owner]:
    return lambda match, batch: (batch.agencies.local_authority(match.borough_id), team)


def _name(match: Match) -> str:
    return match.person.name if match.person else "person not identified"


def _rid(person: PersonFacts) -> str:
    """Return a key for a person that survives re-linking: their earliest record (persons may merge or split)."""
    return f"r{min(person.record_ids)}"


def _who(person: PersonFacts | None) -> str:
    if person is None:
        return "someone not identified"
    return f"{person.name} (born {person.date_of_birth})"


def _children(event: EventFacts, batch: Batch, people: Iterable[PersonFacts]) -> Iterator[PersonFacts]:
    day = timezone.localtime(batch.as_of(event)).date()
    for person in people:
        if person.is_child(day):
            yield person


# Operation Encompass -----------------------------------------------------------------------------

ENCOMPASS_POLICY = ("Operation Encompass: Children and Social Work Act 2017 s16C as inserted by the Victims and "
                    "Prisoners Act 2024; Operation Encompass guidance (DfE, 2024)")


def encompass_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """Each child of reception age to 17 linked to the household where police attended domestic abuse."""
    if not batch.is_police(event):
        return
    day = timezone.localtime(event.occurred_at).date()
    linked = {inv.person.key: (inv.person, inv.role, inv.record_id) for inv in event.involved}
    household_addresses = {event.location_id} if event.location_id else set()
    for inv in event.people(Role.VICTIM):
        household_addresses |= inv.person.address_ids
    for person in batch.household(household_addresses):
        linked.setdefault(person.key, (person, "household", person.record_ids[0]))
    present = {inv.person.key for inv in event.people(Role.CHILD_PRESENT)}
    for person, role, record_id in linked.values():
        if role in (Role.SUSPECT,) or not is_school_age(*person.dob, day):
            continue
        was_present = person.key in present or (role == Role.CHILD_PRESENT)
        link = "present at the incident" if was_present else (
            "linked to the household" if role == "household" else f"recorded as {_words(role)}")
        # Keyed by the child's earliest record: the same child found through the event or the household is one child.
        yield Match(
            key=(event.id, _rid(person)),
            because=(f"police attended a domestic abuse incident on {_local(event.occurred_at)} and {_who(person)}, "
                     f"of school age (reception to 17) on that day, was {link}"),
            event=event, person=person, record_id=record_id, borough_id=_borough(event, person),
            facts={"event": event.id, "child": person.key, "present": was_present, "role": role},
        )


def encompass_recipient(match: Match, batch: Batch) -> Owner:
    assert match.person is not None  # noqa: S101
    school = batch.agencies.school(match.person)
    if school is not None:
        return school, "Designated safeguarding lead"
    # No school holds the child: educated at home, or not known to a school; the local authority is told.
    return batch.agencies.local_authority(match.borough_id), "Local authority (child not known to a school)"


def encompass_content(match: Match, batch: Batch) -> list[list[str]]:
    """The statutory content: who, the police reference, when and where, presence, voice, circumstances."""
    event, person = match.event, match.person
    assert event is not None and person is not None  # noqa: S101
    attributes = event.attributes
    present = bool(match.facts.get("present"))
    circumstances = event.narrative or "Domestic abuse incident attended by police."
    if attributes.get("dash_risk"):
        circumstances += f" DASH risk: {_words(attributes['dash_risk'])}."
    if attributes.get("non_fatal_strangulation"):
        circumstances += " Non-fatal strangulation was reported."
    return [
        ["Child's name", person.name],
        ["Date of birth", person.date_of_birth],
        ["Police reference", str(attributes.get("police_reference") or event.source_id)],
        ["When", _local(event.occurred_at)],
        ["Where", batch.address(event.location_id) or "Not recorded"],
        ["Was the child present", _yes(present)],
        ["Where the child was", str(attributes.get("children_present_where") or ("Not recorded" if present
                                                                                else "Not present"))],
        ["The child's voice", str(attributes.get("childs_voice") or "Not recorded")],
        ["Circumstances", circumstances],
    ]


OPERATION_ENCOMPASS = Rule(
    code="operation_encompass", name="Operation Encompass", version="1", policy=ENCOMPASS_POLICY,
    triggers=frozenset({EventType.DOMESTIC_ABUSE_INCIDENT}),
    description="A domestic abuse incident at a household with a child of reception age to 17: the child's school "
                "(or, for a child not known to a school, the local authority) is told before the next school day.",
    condition=encompass_condition,
    actions=(Notify(
        kind="operation_encompass", recipient=encompass_recipient,
        subject=lambda m: f"Operation Encompass: {_name(m)}",
        content=encompass_content,
        due=lambda match, batch: next_school_day_start(_from_event(match)),
    ),),
)


# A child on a child protection plan or looked after, in any police event -----------------------

def cp_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """Each child in the event who is on a CP plan or looked after at the time."""
    as_of = batch.as_of(event)
    for inv in event.people():
        if not inv.person.has_history(EventType.CHILD_PROTECTION_PLAN, EventType.LOOKED_AFTER_PERIOD):
            continue
        if not inv.person.is_child(timezone.localtime(as_of).date()):
            continue
        markers = [m for m in inv.person.markers(as_of) if m.rule.code in ("cp_plan", "looked_after")]
        if not markers:
            continue
        status = " and ".join(m.label.lower() for m in markers)
        yield Match(
            key=(event.id, f"r{inv.record_id}"),
            because=(f"{_who(inv.person)}, {status}, was recorded as {_words(inv.role)} in a police "
                     f"{_words(event.type)} on {_local(event.occurred_at)}"),
            event=event, person=inv.person, record_id=inv.record_id, borough_id=_borough(event, inv.person),
            facts={"event": event.id, "child": inv.person.key, "markers": [m.rule.code for m in markers],
                   "plan_agency": markers[0].event.agency_id, "role": inv.role},
        )


def _cp_content(match: Match, batch: Batch) -> list[list[str]]:
    event, person = match.event, match.person
    assert event is not None and person is not None  # noqa: S101
    return [
        ["Child's name", person.name], ["Date of birth", person.date_of_birth],
        ["Police event", f"{_words(event.type).capitalize()} ({event.source_id})"],
        ["When", _local(event.occurred_at)], ["Where", batch.address(event.location_id) or "Not recorded"],
        ["The child's part", _words(match.facts.get("role")).capitalize()],
    ]


CP_POLICE_CONTACT = Rule(
    code="cp_police_contact", name="Child on a plan or looked after, in a police event", version="1",
    policy="Working Together to Safeguard Children 2023; Children Act 1989 s22 (looked-after children); CP-IS",
    triggers=frozenset({ANY_POLICE_EVENT}),
    description="A child on a child protection plan or looked after appears in any police event: the allocated "
                "social worker and the child abuse investigation team are told the same day.",
    condition=cp_condition,
    actions=(
        Notify(kind="cp_police_contact",
               recipient=lambda m, b: (m.facts.get("plan_agency") or b.agencies.local_authority(m.borough_id),
                                       "Allocated social worker"),
               subject=lambda m: f"Police contact with a child on a plan or looked after: {_name(m)}",
               content=_cp_content, due=lambda m, b: end_of_day(_from_event(m))),
        Notify(kind="cp_police_contact", recipient=_police("Child abuse investigation team"),
               subject=lambda m: f"Police contact with a child on a plan or looked after: {_name(m)}",
               content=_cp_content, due=lambda m, b: end_of_day(_from_event(m))),
    ),
)


# Children in custody --------------------------------------------------------------------------

CUSTODY_POLICY = ("PACE 1984 s38(6) and Code C; Concordat on Children in Custody (Home Office, 2017); "
                  "HMIC 2016: 39 of 40 children stayed in a cell overnight")


def _detained_children(event: EventFacts, batch: Batch) -> Iterator[tuple[PersonFacts, int, datetime]]:
    detained = _parse(event.attributes.get("detained_at")) or event.occurred_at
    for inv in event.people(Role.DETAINEE):
        if inv.person.is_child(timezone.localtime(detained).date()):
            yield inv.person, inv.record_id, detained


def custody_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """Each child detained in custody."""
    for person, record_id, detained in _detained_children(event, batch):
        yield Match(key=(event.id, f"r{record_id}"),
                    because=f"{_who(person)}, a child, was detained in custody on {_local(detained)}",
                    event=event, person=person, record_id=record_id, borough_id=_borough(event, person),
                    facts={"event": event.id, "child": person.key}, at=detained)


def pace_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """Each child charged and refused bail, who must move to local authority accommodation."""
    attributes = event.attributes
    if not (attributes.get("charged") and attributes.get("bail_decision") == "refused"):
        return
    for person, record_id, detained in _detained_children(event, batch):
        yield Match(key=(event.id, f"r{record_id}"),
                    because=(f"{_who(person)}, a child detained on {_local(detained)}, was charged "
                             f"({_words(attributes.get('charge'))}) and refused bail"),
                    event=event, person=person, record_id=record_id, borough_id=_borough(event, person),
                    facts={"event": event.id, "child": person.key, "released_at": attributes.get("released_at")},
                    at=detained)


def overnight_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """Each child still in a cell past the night-time hour after detention."""
    released = _parse(event.attributes.get("released_at"))
    # A replay knows only what the event says; a live run also knows what time it is now.
    now = batch.as_of(event) if batch.replay else batch.now
    for person, record_id, detained in _detained_children(event, batch):
        night = next_wall_time(detained, settings.LANTERN_CUSTODY_OVERNIGHT_AT)
        if released is not None and released <= night:
            continue
        if released is None and now <= night:
            continue  # not yet: the scheduled run looks again
        still = f"released on {_local(released)}" if released else f"still in custody at {_local(now)}"
        yield Match(key=(event.id, f"r{record_id}"),
                    because=(f"{_who(person)}, a child detained on {_local(detained)}, was still in custody at "
                             f"{_local(night)} ({still})"),
                    event=event, person=person, record_id=record_id, borough_id=_borough(event, person),
                    facts={"event": event.id, "child": person.key, "released_at": event.attributes.get("released_at")},
                    at=night)


def _custody_content(match: Match, batch: Batch) -> list[list[str]]:
    event, person = match.event, match.person
    assert event is not None and person is not None  # noqa: S101
    attributes = event.attributes
    return [
        ["Child's name", person.name], ["Date of birth", person.date_of_birth],
        ["Custody reference", str(attributes.get("custody_reference") or event.source_id)],
        ["Detained", _local(_from_event(match))], ["Custody suite", batch.address(event.location_id) or "Not recorded"],
        ["Arrested for", str(attributes.get("arrested_for") or "Not recorded")],
        ["Appropriate adult", _yes(attributes.get("appropriate_adult"))],
        ["Bail decision", _words(attributes.get("bail_decision")).capitalize()],
    ]


def _released(match: Match) -> tuple[datetime, str] | None:
    released = _parse(match.facts.get("released_at"))
    return (released, f"Left police custody on {_local(released)}") if released else None


CUSTODY_LA = Rule(
    code="custody_la", name="Child detained in custody", version="1", policy=CUSTODY_POLICY,
    triggers=frozenset({EventType.CUSTODY_DETENTION}),
    description="A child detained in custody: the local authority is told at once.",
    condition=custody_condition,
    actions=(Notify(kind="custody_la", recipient=_local_authority("Children's services duty team"),
                    subject=lambda m: f"Child in police custody: {_name(m)}",
                    content=_custody_content, due=_clock("LANTERN_RULE_CUSTODY_LA_CLOCK")),),
)
PACE_TRANSFER = Rule(
    code="pace_transfer", name="Child charged and refused bail: PACE transfer", version="1", policy=CUSTODY_POLICY,
    triggers=frozenset({EventType.CUSTODY_DETENTION}),
    description="A child charged and refused bail: a request for local authority accommodation (PACE s38(6)), "
                "with a clock; done when the child leaves custody.",
    condition=pace_condition,
    actions=(CreateTask(
        kind="pace_transfer", title=lambda m: f"PACE transfer to local authority accommodation: {_name(m)}",
        owner=_local_authority("Emergency duty team"), due=_clock("LANTERN_RULE_PACE_TRANSFER_CLOCK"),
        priority=lambda m: Priority.HIGH, done=_released,
        detail=lambda m, b: ("The child was charged and refused bail. PACE s38(6): the custody officer must "
                             "secure a move to local authority accommodation unless impracticable."),
    ),),
)
CUSTODY_OVERNIGHT = Rule(
    code="custody_overnight", name="Child in a cell overnight", version="1", policy=CUSTODY_POLICY,
    triggers=frozenset({EventType.CUSTODY_DETENTION, SCHEDULE}), scheduled_events="custody_children_detained",
    description="A child still in a police cell overnight is escalated to the custody inspector.",
    condition=overnight_condition,
    actions=(CreateTask(
        kind="custody_overnight", title=lambda m: f"Child held in custody overnight: {_name(m)}",
        owner=_police("Custody"), due=lambda m, b: _from_event(m), priority=lambda m: Priority.HIGH,
        escalation="A child was kept in a police cell overnight", done=_released,
        detail=lambda m, b: "Review why the child is still in custody and record the reason (HMIC 2016).",
    ),),
)


# Missing children -----------------------------------------------------------------------------

MISSING_POLICY = ("College of Policing APP: missing persons; Statutory guidance on children who run away or go "
                  "missing from home or care (DfE, 2014); London Child Exploitation Protocol")


def _missing_children(event: EventFacts, batch: Batch) -> Iterator[tuple[PersonFacts, int]]:
    for inv in event.people(Role.MISSING_PERSON):
        if inv.person.is_child(timezone.localtime(event.occurred_at).date()):
            yield inv.person, inv.record_id


def screening_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """A child reaching the repeat-missing threshold, or missing with an exploitation marker."""
    threshold = settings.LANTERN_RULE_REPEAT_MISSING_EPISODES
    days = settings.LANTERN_RULE_REPEAT_MISSING_DAYS
    as_of = batch.as_of(event)
    for person, record_id in _missing_children(event, batch):
        episodes = person.earlier([EventType.MISSING_EPISODE], [Role.MISSING_PERSON],
                                  as_of - timedelta(days=days), as_of)
        marker = next((m for m in person.markers(as_of) if m.rule.code == "exploitation_risk"), None) \
            if person.has_history(EventType.EXPLOITATION_ASSESSMENT) else None
        reasons = []
        # Exactly at the threshold: a fourth episode in the same stretch is not news; a new stretch is.
        if len(episodes) == threshold:
            reasons.append(f"this is their {_ordinal(threshold)} missing episode in {days} days")
        if marker is not None:
            reasons.append(f"they have an exploitation risk marker ({_words(marker.grade) or 'graded'}, "
                           f"assessed {_day(marker.event.occurred_at)})")
        if not reasons:
            continue
        yield Match(key=(event.id, f"r{record_id}"),
                    because=f"{_who(person)} went missing on {_local(event.occurred_at)}, and " + " and ".join(reasons),
                    event=event, person=person, record_id=record_id, borough_id=_borough(event, person),
                    facts={"event": event.id, "child": person.key, "episodes": [e.event_id for e in episodes],
                           "exploitation_marker": marker.event.id if marker else None})


def return_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """Every return of a missing child."""
    returned = _parse(event.attributes.get("returned_at"))
    if returned is None:
        return
    for person, record_id in _missing_children(event, batch):
        yield Match(key=(event.id, f"r{record_id}"),
                    because=f"{_who(person)}, a child reported missing on {_local(event.occurred_at)}, returned on "
                            f"{_local(returned)}",
                    event=event, person=person, record_id=record_id, borough_id=_borough(event, person),
                    facts={"event": event.id, "child": person.key, "returned_at": event.attributes["returned_at"],
                           "offered_at": event.attributes.get("return_interview_offered_at")},
                    at=returned)


def _offered(match: Match) -> tuple[datetime, str] | None:
    offered = _parse(match.facts.get("offered_at"))
    return (offered, f"Return interview offered on {_local(offered)}") if offered else None


EXPLOITATION_SCREENING = Rule(
    code="exploitation_screening", name="Repeat missing or exploitation marker: screening", version="1",
    policy=MISSING_POLICY, triggers=frozenset({EventType.MISSING_EPISODE}),
    description="A child missing 3 times in 90 days (configurable), or missing at all with an exploitation "
                "marker: an exploitation screening task for the MASH.",
    condition=screening_condition,
    actions=(CreateTask(
        kind="exploitation_screening", title=lambda m: f"Exploitation screening: {_name(m)}",
        owner=_local_authority("MASH"), due=_clock("LANTERN_RULE_SCREENING_CLOCK"),
        priority=lambda m: Priority.HIGH if m.facts.get("exploitation_marker") else Priority.NORMAL,
        detail=lambda m, b: ("Screen for sexual and criminal exploitation (SAFEGUARD indicators); "
                             "consider a MACE referral."),
    ),),
)
RETURN_INTERVIEW = Rule(
    code="return_interview", name="Return interview after a missing episode", version="1", policy=MISSING_POLICY,
    triggers=frozenset({EventType.MISSING_EPISODE}),
    description="Every return of a missing child: an independent return interview offered within 72 hours, "
                "tracked until the feed records it offered.",
    condition=return_condition,
    actions=(CreateTask(
        kind="return_interview", title=lambda m: f"Offer a return interview: {_name(m)}",
        owner=_local_authority("Return home interviews"), due=_clock("LANTERN_RULE_RETURN_INTERVIEW_CLOCK"),
        done=_offered,
        detail=lambda m, b: "Offer an independent return interview within 72 hours of the child's return.",
    ),),
)


# Domestic abuse: MARAC ----------------------------------------------------------------------

def marac_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """A victim with a high DASH, or with 3 or more incidents in 12 months (configurable)."""
    threshold = settings.LANTERN_RULE_MARAC_INCIDENTS
    days = settings.LANTERN_RULE_MARAC_WINDOW_DAYS
    as_of = batch.as_of(event)
    high = event.attributes.get("dash_risk") == "high"
    for inv in event.people(Role.VICTIM):
        incidents = inv.person.earlier([EventType.DOMESTIC_ABUSE_INCIDENT], [Role.VICTIM],
                                       as_of - timedelta(days=days), as_of)
        reasons = []
        if high:
            reasons.append(f"the DASH risk assessment was high ({event.attributes.get('dash_yes_count', '?')} yes)")
        if len(incidents) >= threshold:
            reasons.append(f"this is the {_ordinal(len(incidents))} domestic abuse incident against them "
                           f"in {days} days")
        if not reasons:
            continue
        yield Match(key=(event.id, f"r{inv.record_id}"),
                    because=(f"{_who(inv.person)} was the victim of a domestic abuse incident on "
                             f"{_local(event.occurred_at)}, and " + " and ".join(reasons)),
                    event=event, person=inv.person, record_id=inv.record_id, borough_id=_borough(event, inv.person),
                    facts={"event": event.id, "victim": inv.person.key, "dash_high": high,
                           "incidents": [i.event_id for i in incidents]})


MARAC_REFERRAL = Rule(
    code="marac_referral", name="Domestic abuse: MARAC referral", version="1",
    policy="SafeLives MARAC referral criteria; DASH 2009 (ACPO): 14 or more yes is high risk; potential "
           "escalation: 3 or more incidents in 12 months",
    triggers=frozenset({EventType.DOMESTIC_ABUSE_INCIDENT}),
    description="A domestic abuse victim with a high DASH, or a third (or later) incident in 12 months: "
                "a MARAC referral task.",
    condition=marac_condition,
    actions=(CreateTask(
        kind="marac_referral", title=lambda m: f"Refer to MARAC: {_name(m)}",
        owner=_police("Domestic abuse team"), due=_clock("LANTERN_RULE_MARAC_CLOCK"),
        priority=lambda m: Priority.HIGH if m.facts.get("dash_high") else Priority.NORMAL,
        detail=lambda m, b: "Refer the victim to the multi-agency risk assessment conference (MARAC).",
    ),),
)


# Registered sex offenders ----------------------------------------------------------------------

RSO_POLICY = ("Sexual Offences Act 2003 Part 2 (ss83-84); MAPPA guidance; College of Policing APP: management "
              "of sexual offenders; HMIC 2016 found very-high-risk visits backlogged")


def _current_registration(person: PersonFacts, as_of: datetime) -> Any:
    if not person.has_history(EventType.RSO_REGISTRATION):
        return None
    return next((m for m in person.markers(as_of) if m.rule.code == "rso"), None)


def rso_address_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """A registered sex offender living at, or seen at, an address where a child lives."""
    as_of = batch.as_of(event)
    day = timezone.localtime(as_of).date()
    if event.type == EventType.RSO_REGISTRATION:
        offenders = [(inv, inv.person.address_ids, "lives at") for inv in event.people(Role.OFFENDER, Role.SUBJECT)]
    elif batch.is_police(event) and event.location_id:
        offenders = [(inv, {event.location_id}, "was seen at") for inv in event.people()]
    else:
        return
    for inv, address_ids, verb in offenders:
        registration = _current_registration(inv.person, as_of)
        if registration is None:
            continue
        for address_id in sorted(address_ids):
            children = [p for p in batch.household([address_id]) if p.key != inv.person.key and p.is_child(day)]
            if not children:
                continue
            grade = str(registration.event.attributes.get("risk_grade", ""))
            named = ", ".join(_who(child) for child in children[:5])
            yield Match(key=(_rid(inv.person), address_id),
                        because=(f"{_who(inv.person)}, a registered sex offender ({_words(grade)} risk), {verb} "
                                 f"{batch.address(address_id) or 'an address'} where {len(children)} "
                                 f"child(ren) live: {named} (from a {_words(event.type)} on "
                                 f"{_local(event.occurred_at)})"),
                        event=event, person=inv.person, record_id=inv.record_id,
                        borough_id=_borough(event, inv.person),
                        facts={"event": event.id, "offender": inv.person.key, "address": address_id,
                               "children": [c.key for c in children], "risk_grade": grade, "how": verb})


def _grade_priority(grade: str) -> str:
    return {"very_high": Priority.VERY_HIGH, "high": Priority.HIGH}.get(grade, Priority.NORMAL)


def rso_visit_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """A current registration with no open visit: the next visit, due by risk grade."""
    if event.type != EventType.RSO_REGISTRATION:
        return
    as_of = batch.now if not batch.replay else batch.as_of(event)
    tasks = batch.tasks_by_event.get(event.id, [])
    if any(t.status == TaskStatus.OPEN and t.kind == "rso_visit" for t in tasks):
        return
    visits = [t for t in tasks if t.kind == "rso_visit"]
    last_done = max((t.completed_at for t in visits if t.completed_at), default=None)
    grade = str(event.attributes.get("risk_grade", ""))
    interval = settings.LANTERN_RULE_RSO_VISIT_INTERVALS.get(grade)
    if interval is None:
        return
    for inv in event.people(Role.OFFENDER, Role.SUBJECT):
        registration = _current_registration(inv.person, as_of)
        if registration is None or registration.event.id != event.id:
            continue
        start = last_done or as_of
        yield Match(key=(event.id, f"r{inv.record_id}", len(visits) + 1),
                    because=(f"{_who(inv.person)} is a registered sex offender graded {_words(grade)} risk: "
                             f"visit {len(visits) + 1} is due {interval} after "
                             + (f"the last visit on {_day(last_done)}" if last_done else
                                f"{'registration' if batch.replay else 'the check'} on {_day(as_of)}")),
                    event=event, person=inv.person, record_id=inv.record_id, borough_id=_borough(event, inv.person),
                    facts={"event": event.id, "offender": inv.person.key, "visit": len(visits) + 1,
                           "risk_grade": grade, "interval": interval},
                    at=start)


RSO_REVIEW = Rule(
    code="rso_child_address", name="Registered sex offender where a child lives", version="1", policy=RSO_POLICY,
    triggers=frozenset({EventType.RSO_REGISTRATION, ANY_POLICE_EVENT}),
    description="A registered sex offender living at, or seen at, an address where a child lives: a review task "
                "for the offender manager.",
    condition=rso_address_condition,
    actions=(CreateTask(
        kind="rso_review", title=lambda m: f"Review: registered sex offender where a child lives: {_name(m)}",
        owner=_police("Offender management unit"), due=_clock("LANTERN_RULE_RSO_REVIEW_CLOCK"),
        priority=lambda m: _grade_priority(str(m.facts.get("risk_grade"))),
        detail=lambda m, b: "Review the risk to the children at this address; consider disclosure and MAPPA referral.",
    ),),
)
RSO_VISIT = Rule(
    code="rso_visit", name="Registered sex offender: visit by risk grade", version="1", policy=RSO_POLICY,
    triggers=frozenset({EventType.RSO_REGISTRATION, SCHEDULE}), scheduled_events="rso_registrations_without_visit",
    description="Each registered sex offender has a home visit scheduled by risk grade (intervals configurable); "
                "when one is done the scheduled run books the next; overdue visits are escalated.",
    condition=rso_visit_condition,
    actions=(CreateTask(
        kind="rso_visit", title=lambda m: f"Home visit to a registered sex offender: {_name(m)}",
        owner=_police("Offender management unit"),
        due=lambda m, b: add(_from_event(m), Duration.parse(str(m.facts["interval"]))),
        priority=lambda m: _grade_priority(str(m.facts.get("risk_grade"))),
        detail=lambda m, b: "Visit, assess and record; the next visit is booked when this one is done.",
    ),),
)


# Indecent images -----------------------------------------------------------------------------

def iioc_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """An open indecent-images suspect with access to children through household, work or volunteering."""
    attributes = event.attributes
    if attributes.get("status") != "open":
        return
    day = timezone.localtime(batch.as_of(event)).date()
    declared = sorted(set(attributes.get("access_types") or []) & set(settings.LANTERN_RULE_IIOC_ACCESS_TYPES))
    for inv in event.people(Role.SUSPECT):
        children = [p for p in batch.household(inv.person.address_ids) if p.key != inv.person.key and p.is_child(day)]
        reasons = []
        if declared:
            reasons.append(f"the investigation records access to children through {', '.join(declared)}")
        if children:
            reasons.append(f"{len(children)} child(ren) have records at the suspect's address")
        if not reasons:
            continue
        yield Match(key=(event.id, f"r{inv.record_id}"),
                    because=(f"{_who(inv.person)} is a suspect in an open indecent-images investigation "
                             f"({event.source_id}) and " + " and ".join(reasons)),
                    event=event, person=inv.person, record_id=inv.record_id, borough_id=_borough(event, inv.person),
                    facts={"event": event.id, "suspect": inv.person.key, "access": declared,
                           "children": [c.key for c in children],
                           "kirat_priority": attributes.get("kirat_priority")})


IIOC_PRIORITY = Rule(
    code="iioc_priority", name="Indecent-images suspect with access to children", version="1",
    policy="KIRAT (Kent Police and University of Liverpool): access to children raises priority; HMIC 2016 "
           "found a case waiting 96 days for a warrant",
    triggers=frozenset({EventType.IIOC_INVESTIGATION}),
    description="An indecent-images suspect with access to children (household, work, volunteering): priority "
                "very high.",
    condition=iioc_condition,
    actions=(CreateTask(
        kind="iioc_priority", title=lambda m: f"Very high priority indecent-images suspect: {_name(m)}",
        owner=_police("Online child sexual abuse and exploitation team"), due=_clock("LANTERN_RULE_IIOC_CLOCK"),
        priority=lambda m: Priority.VERY_HIGH,
        detail=lambda m, b: (f"KIRAT priority recorded: {_words(m.facts.get('kirat_priority'))}. The suspect has "
                             "access to children: act first on this one (warrant, safeguarding the children)."),
    ),),
)


# Child deaths ---------------------------------------------------------------------------------

CHILD_DEATH_POLICY = ("Working Together to Safeguard Children 2023, chapter 5; Child Death Review statutory "
                      "guidance (2018)")


def child_death_condition(suspicious_only: bool) -> Callable[[EventFacts, Batch], Iterator[Match]]:
    def condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
        suspicious = bool(event.attributes.get("suspicious"))
        if suspicious_only and not suspicious:
            return
        day = timezone.localtime(event.occurred_at).date()
        for inv in event.people(Role.VICTIM, Role.SUBJECT):
            age = inv.person.age(day)
            if age is not None and age >= 18:
                continue  # the event type says "child": an unknown date of birth still counts
            yield Match(key=(event.id, f"r{inv.record_id}"),
                        because=(f"{_who(inv.person)} died on {_local(event.occurred_at)}; the death is recorded as "
                                 + ("suspicious" if suspicious else "not suspicious")
                                 + f" ({_words(event.attributes.get('cause_category'))})"),
                        event=event, person=inv.person, record_id=inv.record_id,
                        borough_id=_borough(event, inv.person),
                        facts={"event": event.id, "child": inv.person.key, "suspicious": suspicious})
    return condition


def _death_content(match: Match, batch: Batch) -> list[list[str]]:
    event, person = match.event, match.person
    assert event is not None and person is not None  # noqa: S101
    return [["Child's name", person.name], ["Date of birth", person.date_of_birth],
            ["Police reference", event.source_id], ["When", _local(event.occurred_at)],
            ["Suspicious", _yes(event.attributes.get("suspicious"))],
            ["Cause", _words(event.attributes.get("cause_category"))]]


CHILD_DEATH_REVIEW = Rule(
    code="child_death_review", name="Child death: review", version="1", policy=CHILD_DEATH_POLICY,
    triggers=frozenset({EventType.CHILD_DEATH}),
    description="Every child death: a child death review task for the child death review partners.",
    condition=child_death_condition(suspicious_only=False),
    actions=(CreateTask(
        kind="child_death_review", title=lambda m: f"Child death review: {_name(m)}",
        owner=_local_authority("Child death review partners"), due=_clock("LANTERN_RULE_CHILD_DEATH_REVIEW_CLOCK"),
        priority=lambda m: Priority.HIGH,
        detail=lambda m, b: "Notify the child death overview panel and start the child death review process.",
    ),),
)
CHILD_DEATH_HOMICIDE = Rule(
    code="child_death_homicide", name="Suspicious child death: homicide team", version="1", policy=CHILD_DEATH_POLICY,
    triggers=frozenset({EventType.CHILD_DEATH}),
    description="A suspicious child death: the homicide team is told at once.",
    condition=child_death_condition(suspicious_only=True),
    actions=(Notify(kind="child_death_homicide", recipient=_police("Homicide command"),
                    subject=lambda m: f"Suspicious child death: {_name(m)}",
                    content=_death_content, due=_clock("LANTERN_RULE_HOMICIDE_CLOCK")),),
)


# FGM ------------------------------------------------------------------------------------------

FGM_POLICY = ("Female Genital Mutilation Act 2003 s5B (mandatory reporting, since 31 October 2015); "
              "Multi-agency statutory guidance on FGM (2020)")


def _girls(event: EventFacts, batch: Batch) -> Iterator[tuple[PersonFacts, int]]:
    day = timezone.localtime(event.occurred_at).date()
    for inv in event.people(Role.SUBJECT, Role.VICTIM):
        age = inv.person.age(day)
        if inv.person.sex != "male" and (age is None or age < 18):
            yield inv.person, inv.record_id


def fgm_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """A girl under 18 reported as having undergone, or being at risk of, FGM."""
    known = event.attributes.get("known_or_at_risk", "")
    for girl, record_id in _girls(event, batch):
        yield Match(key=(event.id, f"r{record_id}"),
                    because=(f"FGM ({_words(known)}) was reported on {_local(event.occurred_at)} for {_who(girl)}, "
                             "a girl under 18"),
                    event=event, person=girl, record_id=record_id, borough_id=_borough(event, girl),
                    facts={"event": event.id, "girl": girl.key, "known_or_at_risk": known})


def sisters_condition(event: EventFacts, batch: Batch) -> Iterator[Match]:
    """The other girls under 18 at the address of a girl reported for FGM."""
    day = timezone.localtime(event.occurred_at).date()
    for girl, _ in _girls(event, batch):
        for sister in batch.household(girl.address_ids):
            if sister.key == girl.key or sister.sex == "male" or not sister.is_child(day):
                continue
            yield Match(key=(event.id, _rid(sister)),
                        because=(f"FGM was reported on {_local(event.occurred_at)} for {_who(girl)}, and "
                                 f"{_who(sister)}, a girl under 18, has a record at the same address"),
                        event=event, person=sister, record_id=sister.record_ids[0],
                        borough_id=_borough(event, sister),
                        facts={"event": event.id, "girl": girl.key, "sister": sister.key})


FGM_REFERRAL = Rule(
    code="fgm_referral", name="FGM reported for a girl under 18", version="1", policy=FGM_POLICY,
    triggers=frozenset({EventType.FGM_REPORT}),
    description="FGM reported for a girl under 18: an immediate contact to the MASH and a referral task for the "
                "child abuse investigation team.",
    condition=fgm_condition,
    actions=(
        CreateContact(what_happened=lambda m: f"FGM report: {m.because}."),
        CreateTask(kind="fgm_referral", title=lambda m: f"FGM referral: {_name(m)}",
                   owner=_police("Child abuse investigation team"), due=_clock("LANTERN_RULE_FGM_CLOCK"),
                   priority=lambda m: Priority.VERY_HIGH,
                   detail=lambda m, b: "A mandatory FGM report: start a strategy discussion; consider an FGM "
                                       "protection order."),
    ),
)
FGM_SISTERS = Rule(
    code="fgm_sisters", name="FGM: sisters flagged for consideration", version="1", policy=FGM_POLICY,
    triggers=frozenset({EventType.FGM_REPORT}),
    description="The sisters (girls under 18 at the same address) of a girl reported for FGM are flagged for "
                "consideration by the MASH.",
    condition=sisters_condition,
    actions=(CreateTask(
        kind="sibling_consideration", title=lambda m: f"Consider the risk of FGM: {_name(m)}",
        owner=_local_authority("MASH"), due=_clock("LANTERN_RULE_SIBLING_CLOCK"), priority=lambda m: Priority.HIGH,
        detail=lambda m, b: "Her sister was reported for FGM: consider the risk to her.",
    ),),
)


RULES: tuple[Rule, ...] = (
    OPERATION_ENCOMPASS, CP_POLICE_CONTACT, CUSTODY_LA, PACE_TRANSFER, CUSTODY_OVERNIGHT, EXPLOITATION_SCREENING,
    RETURN_INTERVIEW, MARAC_REFERRAL, RSO_REVIEW, RSO_VISIT, IIOC_PRIORITY, CHILD_DEATH_REVIEW, CHILD_DEATH_HOMICIDE,
    FGM_REFERRAL, FGM_SISTERS,
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}
