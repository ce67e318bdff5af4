"""Markers on a person, derived from events and never typed in by hand.

Each marker is declared once below: which event type and roles raise it, and when it is
current. A marker always carries the event behind it, so a user can see why it shows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .models import Event, EventType, Role


def _open_period(start_key: str, end_key: str) -> Callable[[dict[str, Any], Event, date], bool]:
    def current(attributes: dict[str, Any], event: Event, today: date) -> bool:
        start, end = attributes.get(start_key), attributes.get(end_key)
        return (start is None or start <= today.isoformat()) and (end is None or end >= today.isoformat())
    return current


def _within_days(days: int) -> Callable[[dict[str, Any], Event, date], bool]:
    def current(attributes: dict[str, Any], event: Event, today: date) -> bool:
        return event.occurred_at.date() >= today - timedelta(days=days)
    return current


def _attribute_is(key: str, *values: Any) -> Callable[[dict[str, Any], Event, date], bool]:
    def current(attributes: dict[str, Any], event: Event, today: date) -> bool:
        return attributes.get(key) in values
    return current


def _all(*conditions: Callable[[dict[str, Any], Event, date], bool]):  # type: ignore[no-untyped-def]
    def current(attributes: dict[str, Any], event: Event, today: date) -> bool:
        return all(condition(attributes, event, today) for condition in conditions)
    return current


@dataclass(frozen=True)
class MarkerRule:
    code: str
    label: str
    event_type: str
    roles: frozenset[str]
    current: Callable[[dict[str, Any], Event, date], bool]
    # Where the marker has a grade (e.g. exploitation risk), the attribute that holds it.
    grade_from: str = ""
    source: str = ""


MARKER_RULES: tuple[MarkerRule, ...] = (
    MarkerRule("cp_plan", "On a child protection plan", EventType.CHILD_PROTECTION_PLAN,
               frozenset({Role.SUBJECT}), _open_period("start_date", "end_date"),
               grade_from="category", source="Working Together to Safeguard Children 2023"),
    MarkerRule("looked_after", "Looked after", EventType.LOOKED_AFTER_PERIOD,
               frozenset({Role.SUBJECT}), _open_period("start_date", "end_date"),
               source="Children Act 1989 s22"),
    MarkerRule("missing_now", "Missing now", EventType.MISSING_EPISODE,
               frozenset({Role.MISSING_PERSON}), _attribute_is("returned_at", None),
               grade_from="risk_grade", source="College of Policing APP: missing persons"),
    MarkerRule("exploitation_risk", "Exploitation risk", EventType.EXPLOITATION_ASSESSMENT,
               frozenset({Role.SUBJECT}), _within_days(365), grade_from="grade",
               source="London Child Exploitation Protocol (MACE)"),
    MarkerRule("rso", "Registered sex offender", EventType.RSO_REGISTRATION,
               frozenset({Role.OFFENDER, Role.SUBJECT}),
               _open_period("notification_start", "notification_end"), grade_from="risk_grade",
               source="Sexual Offences Act 2003 Part 2"),
    MarkerRule("iioc_suspect", "Indecent images suspect", EventType.IIOC_INVESTIGATION,
               frozenset({Role.SUSPECT}), _attribute_is("status", "open"),
               grade_from="kirat_priority", source="KIRAT"),
    MarkerRule("prevent_referral", "Prevent referral", EventType.RADICALISATION_REFERRAL,
               frozenset({Role.SUBJECT}), _within_days(365),
               source="Counter-Terrorism and Security Act 2015"),
    MarkerRule("high_risk_da_victim", "High-risk domestic abuse victim",
               EventType.DOMESTIC_ABUSE_INCIDENT, frozenset({Role.VICTIM}),
               _all(_attribute_is("dash_risk", "high"), _within_days(365)),
               source="DASH 2009 (ACPO)"),
    MarkerRule("open_investigation", "Suspect in an open crime investigation", EventType.CRIME,
               frozenset({Role.SUSPECT}), _attribute_is("status", "open")),
)


@dataclass(frozen=True)
class Marker:
    rule: MarkerRule
    event: Event
    grade: str

    @property
    def label(self) -> str:
        return self.rule.label


def markers_from(involvements: Iterable[tuple[Event, str]], today: date) -> list[Marker]:
    """Return the current markers raised by (event, role) pairs.

    Only the newest matching event decides each marker: a child who went missing twice and
    came back from the second episode is not "missing now" because of the first.
    """
    newest: dict[str, Event] = {}
    for event, role in sorted(involvements, key=lambda pair: pair[0].occurred_at, reverse=True):
        for rule in MARKER_RULES:
            if rule.code not in newest and event.type == rule.event_type and role in rule.roles:
                newest[rule.code] = event
    markers = []
    for rule in MARKER_RULES:
        decisive = newest.get(rule.code)
        if decisive is not None and rule.current(decisive.attributes, decisive, today):
            grade = str(decisive.attributes.get(rule.grade_from, "")) if rule.grade_from else ""
            markers.append(Marker(rule, decisive, grade))
    return markers
