"""What came of an event, in a few words, for chronologies and exports.

Declared once per event type: which attributes say how it ended or how it was graded, and
how to word them. Attributes are read as the agency sent them; a missing one is left out.
"""

from collections.abc import Callable
from typing import Any

from .models import EventType, Role


def _words(value: Any) -> str:
    return str(value).replace("_", " ")


def _graded(key: str, label: str) -> Callable[[dict[str, Any]], str]:
    return lambda a: f"{label}: {_words(a[key])}" if a.get(key) not in (None, "") else ""


def _said(key: str, label: str = "") -> Callable[[dict[str, Any]], str]:
    return lambda a: (f"{label}: " if label else "") + _words(a[key]) if a.get(key) not in (None, "") else ""


def _yes(key: str, words: str) -> Callable[[dict[str, Any]], str]:
    return lambda a: words if a.get(key) is True else ""


def _period(start: str, end: str) -> Callable[[dict[str, Any]], str]:
    def period(a: dict[str, Any]) -> str:
        if not a.get(start):
            return ""
        return f"from {a[start]} to {a[end]}" if a.get(end) else f"from {a[start]}, still open"
    return period


def _returned(a: dict[str, Any]) -> str:
    return f"returned {a['returned_at'][:10]}" if a.get("returned_at") else "not yet returned"


OUTCOME_PARTS: dict[str, tuple[Callable[[dict[str, Any]], str], ...]] = {
    EventType.CRIME: (_said("offence"), _said("status", "status"), _said("outcome", "outcome"),
                      _yes("domestic_setting", "domestic setting")),
    EventType.DOMESTIC_ABUSE_INCIDENT: (_graded("dash_risk", "DASH risk"), _yes("children_present", "children present"),
                                       _yes("non_fatal_strangulation", "non-fatal strangulation")),
    EventType.MISSING_EPISODE: (_graded("risk_grade", "risk"), _returned),
    EventType.CUSTODY_DETENTION: (_said("arrested_for", "arrested for"), _said("charge", "charged with"),
                                  _said("bail_decision")),
    EventType.CHILD_PROTECTION_PLAN: (_said("category", "category"), _period("start_date", "end_date")),
    EventType.LOOKED_AFTER_PERIOD: (_said("legal_status"), _period("start_date", "end_date")),
    EventType.RSO_REGISTRATION: (_graded("risk_grade", "risk"), _said("mappa_level", "MAPPA level"),
                                 _period("notification_start", "notification_end")),
    EventType.IIOC_INVESTIGATION: (_graded("kirat_priority", "KIRAT priority"), _said("status", "status"),
                                   _yes("access_to_children", "has access to children")),
    EventType.CONTACT: (_graded("rag", "RAG"), _said("action_taken")),
    EventType.SCHOOL_CONCERN: (_said("category"), _yes("dsl_informed", "DSL informed")),
    EventType.HEALTH_ATTENDANCE: (_said("setting"), _yes("safeguarding_concern", "safeguarding concern")),
    EventType.RADICALISATION_REFERRAL: (_said("concern_type"), _said("outcome", "outcome")),
    EventType.FGM_REPORT: (_said("known_or_at_risk"), _said("fgm_type", "type")),
    EventType.MODERN_SLAVERY_REFERRAL: (_said("exploitation_type"), _said("decision", "decision")),
    EventType.HATE_CRIME: (_said("strand"),),
    EventType.CHILD_DEATH: (_yes("suspicious", "suspicious"), _said("cause_category")),
    EventType.STOP_AND_SEARCH: (_said("object_of_search", "searched for"), _said("outcome", "outcome")),
    EventType.EXPLOITATION_ASSESSMENT: (_graded("grade", "grade"), _said("exploitation_type")),
}


def event_outcome(event_type: str, attributes: dict[str, Any]) -> str:
    """Return a short account of how the event ended or was graded; '' if it says nothing."""
    parts = (part(attributes) for part in OUTCOME_PARTS.get(event_type, ()))
    text = "; ".join(part for part in parts if part)
    return text[:1].upper() + text[1:]


# Graded assessments for the person page: event type, grade attribute, label, and the roles
# the grade is about (a DASH grade is the victim's risk, not that of a child who was present).
GRADED_ASSESSMENTS: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    (EventType.EXPLOITATION_ASSESSMENT, "grade", "Exploitation risk", frozenset({Role.SUBJECT})),
    (EventType.DOMESTIC_ABUSE_INCIDENT, "dash_risk", "Domestic abuse risk (DASH)", frozenset({Role.VICTIM})),
    (EventType.MISSING_EPISODE, "risk_grade", "Missing person risk", frozenset({Role.MISSING_PERSON})),
    (EventType.RSO_REGISTRATION, "risk_grade", "Sex offender risk", frozenset({Role.OFFENDER, Role.SUBJECT})),
    (EventType.IIOC_INVESTIGATION, "kirat_priority", "Indecent images priority (KIRAT)", frozenset({Role.SUSPECT})),
    (EventType.CONTACT, "rag", "MASH contact rating", frozenset({Role.SUBJECT})),
)
