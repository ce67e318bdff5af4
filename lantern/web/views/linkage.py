"""Linkage in the browser, for the MASH: the review queue, a pair side by side, and splitting,
merging and the history of a person.

Researchers and supervisors only; anyone else is refused (403), and a pair or person they may
not see is not found (404). Records are read only through the access checkpoint
(`lantern.core.access`), restricted ones only after the user states a reason; the writes are
the linkage services', which audit them.
"""

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from lantern.accounts.models import Role
from lantern.core.access import (
    MIN_REASON_LENGTH,
    PersonAccess,
    ReasonRequired,
    access_person_by_reference,
    visible_records,
)
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.linkage.models import PersonChange, ReviewPair, ReviewStatus
from lantern.linkage.services import person_merge, person_split, review_decide
from lantern.people.models import Person, SourceRecord
from lantern.web.forms import AccessReasonForm, DecisionForm, MergeForm, SplitForm
from lantern.web.pagination import pagination

REVIEWER_ROLES = frozenset({Role.RESEARCHER, Role.SUPERVISOR})
PAGE_SIZE = 50
NOT_KNOWN = "Not known"


def is_reviewer(user: Any) -> bool:
    """Return whether the user may review pairs, split and merge persons (the MASH)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and getattr(user, "role", "") in REVIEWER_ROLES)


def reviewers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_reviewer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


# Showing weights and probabilities ---------------------------------------------------------

def percent(probability: float) -> str:
    """Return a probability as a percentage to one place, rounded down (so 99.99% is not 100%)."""
    return f"{math.floor(probability * 1000) / 10:.1f}%"


def signed_weight(weight: float) -> str:
    """Return a match weight as +12.3 or -4.0 (0.0 when it is nothing either way)."""
    return "0.0" if abs(weight) < 0.05 else f"{weight:+.1f}"


def evidence(weight: float) -> str:
    """Say in words what a match weight (log2 of a Bayes factor) is evidence of."""
    size = abs(weight)
    if size < 0.05:
        return "no evidence either way"
    strength = "strong" if size >= 5 else "moderate" if size >= 1 else "weak"
    return f"{strength} evidence {'for' if weight > 0 else 'against'}"


# How the model's level labels name columns, in words (longest first, so dob_year is not read as dob).
COLUMN_WORDS = {
    "postcode_district": "postcode district", "postcode_sector": "postcode sector", "nhs_number": "NHS number",
    "given_name": "given name", "family_name": "family name", "dob_year": "year of birth", "uprn": "UPRN",
}


def _humanise(label: str) -> str:
    """Return a comparison or level label in words: "nhs_number missing" is "NHS number missing"."""
    for column, words in COLUMN_WORDS.items():
        label = label.replace(column, words)
    text = label.replace("_", " ")
    return text[:1].upper() + text[1:]


# The access checkpoint, and restricted records -----------------------------------------------

def _access_reason(request: HttpRequest) -> str:
    return request.POST.get("access_reason", "").strip() if request.method == "POST" else ""


def _action_data(request: HttpRequest) -> Any:
    """Return the posted data of the page's own form; None when the post only opened restricted records."""
    return request.POST if request.method == "POST" and request.POST.get("step") != "open" else None


def _ask_reason(request: HttpRequest, subject: str) -> HttpResponse:
    opening = request.method == "POST" and request.POST.get("step") == "open"
    form = AccessReasonForm(request.POST if opening else None)
    return render(request, "linkage/reason.html", {"form": form, "subject": subject},
                  status=403 if request.method == "POST" else 200)


def _open_person(request: HttpRequest, reference: str) -> PersonAccess | HttpResponse:
    """Load a person through the checkpoint (which audits the view), or ask why restricted records are needed."""
    try:
        return access_person_by_reference(request.user, reference, reason=_access_reason(request))
    except ReasonRequired:
        return _ask_reason(request, f"Person {reference}")


def _pair_records(user: Any, pair: ReviewPair, reason: str) -> tuple[SourceRecord, SourceRecord]:
    """Return a pair's two records if the user may see both; 404 otherwise.

    Raises ReasonRequired when either is restricted and no reason was given.
    """
    found = {record.pk: record for record in visible_records(user).filter(
        pk__in=[pair.record_low_id, pair.record_high_id]).select_related("agency", "person")}
    if len(found) != 2:
        raise Http404("No such pair")
    low, high = found[pair.record_low_id], found[pair.record_high_id]
    if (low.restricted or high.restricted) and len(reason) < MIN_REASON_LENGTH:
        raise ReasonRequired(str(pair.pk))
    return low, high


# The queue ---------------------------------------------------------------------------------

@dataclass
class QueueRow:
    pair: ReviewPair
    probability: str


@reviewers_only
def review_queue(request: HttpRequest) -> HttpResponse:
    """List the pairs waiting for review, most probable first; or those already decided."""
    decided = request.GET.get("status") == "decided"
    visible = visible_records(request.user)
    pairs = ReviewPair.objects.filter(record_low__in=visible, record_high__in=visible)
    pending = pairs.filter(status=ReviewStatus.PENDING)
    shown = (pairs.exclude(status=ReviewStatus.PENDING).order_by("-decided_at", "-pk") if decided
             else pending.order_by("-match_probability", "pk"))
    shown = shown.select_related("record_low__agency", "record_high__agency", "decided_by")
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = pending.count() if decided else page.paginator.count
    query = {"status": "decided"} if decided else {}
    return render(request, "linkage/queue.html", {
        "decided": decided,
        "waiting": waiting,
        "page": page,
        "rows": [QueueRow(pair, percent(pair.match_probability)) for pair in page],
        **pagination(page, query),
    })


# One pair ----------------------------------------------------------------------------------

@dataclass
class FieldRow:
    """One row of the side-by-side comparison."""

    label: str
    left: str
    right: str
    comparison: str = ""
    weight: float | None = None
    note: str = ""
    left_url: str = ""
    right_url: str = ""

    @property
    def weight_text(self) -> str:
        return "" if self.weight is None else signed_weight(self.weight)

    @property
    def evidence(self) -> str:
        return "" if self.weight is None else evidence(self.weight)

    @property
    def direction(self) -> str:
        if self.weight is None or abs(self.weight) < 0.05:
            return "none"
        return "for" if self.weight > 0 else "against"


def _family_name(record: SourceRecord) -> str:
    aliases = ", ".join(str(alias) for alias in record.aliases or [] if alias)
    name = record.family_name or NOT_KNOWN
    return f"{name} (also known as {aliases})" if aliases else name


def _address(record: SourceRecord) -> str:
    return ", ".join(part for part in (record.address_line1, record.address_line2, record.address_town,
                                       record.postcode) if part)


def _nhs_number(record: SourceRecord) -> str:
    number = record.nhs_number
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


# Each compared field: the comparison that scored it (None: shown, not scored), and its value.
COMPARED_FIELDS: Sequence[tuple[str, str | None, Callable[[SourceRecord], str], str]] = (
    ("Given names", "given_name", lambda r: r.given_names, ""),
    ("Family name", "family_name", _family_name, ""),
    ("Date of birth", "date_of_birth", lambda r: r.date_of_birth, ""),
    ("Sex", "sex", lambda r: r.get_sex_display(), ""),
    ("Address and postcode", "address", _address, ""),
    ("UPRN", None, lambda r: r.uprn, "Scored with the address"),
    ("NHS number", "nhs_number", _nhs_number, ""),
)


def comparison_rows(pair: ReviewPair, low: SourceRecord, high: SourceRecord) -> list[FieldRow]:
    """Return one row per field: both values, and the model's level and match weight for it."""
    scored = {item.get("comparison"): item for item in pair.fields or [] if isinstance(item, dict)}
    rows = []
    for label, comparison, value, note in COMPARED_FIELDS:
        item = scored.pop(comparison, None) if comparison else None
        rows.append(FieldRow(
            label, value(low) or NOT_KNOWN, value(high) or NOT_KNOWN, note=note,
            comparison=_humanise(str(item.get("label", ""))) if item else "",
            weight=float(item["match_weight"]) if item and item.get("match_weight") is not None else None,
        ))
    for name, item in scored.items():  # a comparison a newer model makes that this page does not know
        rows.append(FieldRow(_humanise(str(name)), "", "", comparison=_humanise(str(item.get("label", ""))),
                             weight=float(item["match_weight"]) if item.get("match_weight") is not None else None))
    rows.append(FieldRow("Agency and source ID", f"{low.agency.name}, {low.source_id}",
                         f"{high.agency.name}, {high.source_id}"))
    rows.append(FieldRow(
        "Person now", low.person.reference if low.person else "Not linked",
        high.person.reference if high.person else "Not linked",
        note="The same person now" if low.person_id and low.person_id == high.person_id else "",
        left_url=reverse("web:person", args=[low.person.reference]) if low.person else "",
        right_url=reverse("web:person", args=[high.person.reference]) if high.person else "",
    ))
    return rows


def _decided_message(pair: ReviewPair) -> str:
    who = _name(pair.decided_by) if pair.decided_by else "Someone"
    when = f" on {pair.decided_at:%d %B %Y at %H:%M}" if pair.decided_at else ""
    return f"{who} already decided this pair{when}"


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _outcome(user: Any, pair: ReviewPair, same: bool) -> str:
    persons = dict(visible_records(user).filter(pk__in=[pair.record_low_id, pair.record_high_id])
                   .values_list("pk", "person__reference"))
    low, high = persons.get(pair.record_low_id), persons.get(pair.record_high_id)
    if same:
        return f"Decision recorded: same person. Both records are now person {low}."
    return f"Decision recorded: not the same person. The records are now persons {low} and {high}."


@reviewers_only
def review_pair(request: HttpRequest, pair_id: int) -> HttpResponse:
    """Show a pair field by field, and take a reviewer's decision on it."""
    pair = get_object_or_404(ReviewPair.objects.select_related("raised_by", "decided_by"), pk=pair_id)
    reason = _access_reason(request)
    try:
        low, high = _pair_records(request.user, pair, reason)
    except ReasonRequired:
        return _ask_reason(request, f"Review pair {pair.pk}")

    form = DecisionForm()
    problem = ""
    data = _action_data(request)
    if data is not None:
        if pair.status != ReviewStatus.PENDING:
            problem = _decided_message(pair)
        else:
            form = DecisionForm(data)
            if form.is_valid():
                try:
                    review_decide(pair=pair, same=form.same, reason=form.cleaned_data["reason"], actor=request.user)
                except ValidationError as error:
                    pair.refresh_from_db()
                    if pair.status != ReviewStatus.PENDING:
                        problem = " ".join(error.messages)
                    else:
                        form.add_error(None, error)
                else:
                    messages.success(request, _outcome(request.user, pair, form.same))
                    return redirect("web:review-queue")

    restricted = low.restricted or high.restricted
    audit_write(actor=request.user, verb=AuditVerb.PERSON_VIEW, target=pair, reason=reason if restricted else "",
                payload={"records": [str(low), str(high)],
                         "persons": [r.person.reference if r.person else None for r in (low, high)]})
    return render(request, "linkage/pair.html", {
        "pair": pair,
        "low": low,
        "high": high,
        "rows": comparison_rows(pair, low, high),
        "total_weight": signed_weight(pair.match_weight),
        "total_evidence": evidence(pair.match_weight),
        "probability": percent(pair.match_probability),
        "form": form,
        "problem": problem,
        "access_reason": reason if restricted else "",
    })


# Splitting and merging persons -------------------------------------------------------------

def _records_moved(count: int) -> str:
    return f"{count} record{'' if count == 1 else 's'}"


@reviewers_only
def split_person(request: HttpRequest, reference: str) -> HttpResponse:
    """Move some of a person's records to a new person."""
    opened = _open_person(request, reference)
    if isinstance(opened, HttpResponse):
        return opened
    access = opened
    form = SplitForm(_action_data(request), records=access.records)
    if form.is_valid():
        chosen = {int(pk) for pk in form.cleaned_data["records"]}
        try:
            new_person = person_split(person=access.person, records=[r for r in access.records if r.pk in chosen],
                                      reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Records split: {_records_moved(len(chosen))} moved from "
                                      f"{access.person.reference} to this new person, {new_person.reference}.")
            return redirect("web:person", reference=new_person.reference)
    return render(request, "linkage/split.html", {
        "access": access, "form": form, "selected": set(form["records"].value() or []),
    })


def _other_person(user: Any, reference: str, reason: str) -> Person | None:
    """Load the other person of a merge through the checkpoint; None if the user may not see them."""
    try:
        return access_person_by_reference(user, reference, reason=reason).person
    except (Http404, ReasonRequired):
        return None


@reviewers_only
def merge_person(request: HttpRequest, reference: str) -> HttpResponse:
    """Move every record of another person to this one."""
    opened = _open_person(request, reference)
    if isinstance(opened, HttpResponse):
        return opened
    access = opened
    form = MergeForm(_action_data(request))
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        other = _other_person(request.user, form.cleaned_data["other"], reason)
        if other is None:
            form.add_error("other", "Enter the reference of a person you can see")
        elif other.pk == access.person.pk:
            form.add_error("other", "Enter the reference of another person: that reference is this person")
        else:
            try:
                person_merge(source=other, target=access.person, reason=reason, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Merged: the records of {other.reference} now belong to "
                                          f"{access.person.reference}.")
                return redirect("web:person", reference=access.person.reference)
    return render(request, "linkage/merge.html", {"access": access, "form": form})


# A person's history ------------------------------------------------------------------------

@dataclass
class HistoryRow:
    change: PersonChange
    records: list[str] = field(default_factory=list)
    unseen: int = 0
    who: str = ""


def _visible_labels(user: Any, changes: Iterable[PersonChange]) -> set[str]:
    """Return which of the changes' record labels name records the user may see.

    Labels are agency:source_id (batch runs have written the source id alone).
    """
    labels = {str(label) for change in changes for label in change.records or []}
    source_ids = {label.split(":", 1)[-1] for label in labels}
    visible: set[str] = set()
    for code, source_id in visible_records(user).filter(source_id__in=source_ids).values_list(
            "agency__code", "source_id"):
        visible.update({f"{code}:{source_id}", source_id})
    return visible & labels


def _who(change: PersonChange) -> str:
    if change.actor is not None:
        return _name(change.actor)
    return f"Automatic linking (run {change.run_id})" if change.run_id else "Automatic linking"


@reviewers_only
def person_history(request: HttpRequest, reference: str) -> HttpResponse:
    """List the changes to who a person is: records joining, splitting off, and merges."""
    opened = _open_person(request, reference)
    if isinstance(opened, HttpResponse):
        return opened
    access = opened
    changes = list(PersonChange.objects.filter(person=access.person).select_related("other", "actor")
                   .order_by("-at", "-pk"))
    visible = _visible_labels(request.user, changes)
    rows = []
    for change in changes:
        labels = [str(label) for label in change.records or []]
        shown = [label for label in labels if label in visible]
        rows.append(HistoryRow(change, shown, len(labels) - len(shown), _who(change)))
    return render(request, "linkage/history.html", {"access": access, "rows": rows})
