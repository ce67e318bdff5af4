"""The front door's clocks, as configuration: how long each rating allows, and for partners' replies.

The durations live in settings (LANTERN_TRIAGE_CLOCKS and friends) as words such as
"4 working hours", counted by lantern.core.clock with England and Wales bank holidays.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from lantern.core.clock import Duration, add

from .models import Rating, Source

UNRATED = "unrated"


@dataclass(frozen=True)
class Deadline:
    at: datetime
    basis: str


def _clock(table: dict[str, str], rating: str) -> Duration:
    return Duration.parse(table[rating or UNRATED])


def _label(rating: str) -> str:
    return Rating(rating).label if rating else "Not yet rated"


def contact_deadline(received_at: datetime, rating: str, source: str) -> Deadline:
    """Return when the MASH's decision on a contact is due, and which clock says so.

    The rating's clock runs from when the contact arrived. A referral from a professional
    also needs a decision within one working day (Working Together), whichever is sooner.
    """
    clock = _clock(settings.LANTERN_TRIAGE_CLOCKS, rating)
    deadline = Deadline(add(received_at, clock), f"{_label(rating)}: {clock} from receipt")
    if source == Source.PARTNER:
        decision = Duration.parse(settings.LANTERN_REFERRAL_DECISION_CLOCK)
        decision_due = add(received_at, decision)
        if decision_due < deadline.at:
            deadline = Deadline(decision_due, f"Referral: a decision within {decision} (Working Together)")
    return deadline


def reply_deadline(requested_at: datetime, rating: str) -> Deadline:
    """Return when a partner agency's answer is due, from the contact's rating."""
    clock = _clock(settings.LANTERN_PARTNER_REPLY_CLOCKS, rating)
    return Deadline(add(requested_at, clock), f"{_label(rating)}: an answer within {clock}")


def unallocated_alert_at(received_at: datetime) -> datetime:
    """Return when a contact still without a named researcher is raised with the supervisor."""
    return add(received_at, Duration.parse(settings.LANTERN_UNALLOCATED_ALERT))


def clock_setting_errors() -> list[str]:
    """Return what is wrong with the clock settings (checked when Lantern starts)."""
    problems = []
    for name in ("LANTERN_TRIAGE_CLOCKS", "LANTERN_PARTNER_REPLY_CLOCKS"):
        table = getattr(settings, name)
        missing = sorted({*Rating.values, UNRATED} - set(table))
        if missing:
            problems.append(f"{name} has no clock for {', '.join(missing)}")
        for rating, text in table.items():
            try:
                Duration.parse(text)
            except ValueError as error:
                problems.append(f"{name}[{rating!r}]: {error}")
    for name in ("LANTERN_REFERRAL_DECISION_CLOCK", "LANTERN_UNALLOCATED_ALERT"):
        try:
            Duration.parse(getattr(settings, name))
        except ValueError as error:
            problems.append(f"{name}: {error}")
    return problems
