"""Finding a person and the single view of them: reached only through the access checkpoint.

A user who gives a reason to open a person's restricted records keeps that reason for the
rest of the visit (REASON_KEPT_FOR), so filtering the chronology or exporting it does not
ask again; every view and export is still audited with the reason.
"""

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from lantern.core.access import MIN_REASON_LENGTH, PersonAccess, ReasonRequired, access_person_by_reference
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.core.references import normalise_reference
from lantern.events.models import EventType
from lantern.linkage.exceptions import LinkageError
from lantern.linkage.services import review_request
from lantern.people import profile
from lantern.people.exports import ExportMark, chronology_csv, chronology_pdf
from lantern.people.models import SearchTerm, SourceRecord
from lantern.people.search import SearchRefused, search_people
from lantern.referrals.selectors import overdue_contacts_about
from lantern.safeguarding.worklists import overdue_tasks_about
from lantern.sharing.services import share_request_create
from lantern.web.forms import ChronologyFilterForm, PersonSearchForm, ShareRequestForm

REASON_KEPT_FOR = timedelta(minutes=30)
EXPORT_FORMATS = ("csv", "pdf")


class FindByReferenceForm(forms.Form):
    reference = forms.CharField(
        label="Person reference", help_text="For example, HXK4-RM7J", max_length=20,
        error_messages={"required": "Enter a person reference"},
    )

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError(
                "Enter a person reference as 8 letters and numbers, like HXK4-RM7J"
            )
        return reference


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see these records?",
        help_text="Your reason is recorded with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=MIN_REASON_LENGTH,
        error_messages={
            "required": "Enter why you need to see these records",
            "min_length": f"Your reason must be at least {MIN_REASON_LENGTH} characters",
        },
    )


class NotSameForm(forms.Form):
    because = forms.CharField(
        label="Why is this record not the same person?",
        help_text="For example, a different date of birth in the school's records. The MASH reviews it; "
                  "your reason is recorded with your name.",
        widget=forms.Textarea(attrs={"rows": 4}), min_length=MIN_REASON_LENGTH,
        error_messages={"required": "Enter why this record is not the same person",
                        "min_length": f"Your reason must be at least {MIN_REASON_LENGTH} characters"},
    )


def find_by_reference(request: HttpRequest) -> HttpResponse:
    form = FindByReferenceForm(request.GET or None)
    if form.is_valid():
        return redirect("web:person", reference=form.cleaned_data["reference"])
    return render(request, "people/find.html", {"form": form})


def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "index_empty": not SearchTerm.objects.exists()}
    if form.is_valid():
        try:
            context["result"] = search_people(request.user, form.query(), today=timezone.localdate())
        except SearchRefused:
            raise PermissionDenied("Your role cannot search by personal details; use a person reference") from None
    return render(request, "people/search.html", context)


# Opening a person ----------------------------------------------------------------------------

def _kept_reason(request: HttpRequest, reference: str) -> str:
    kept = request.session.get("reasons", {}).get(reference)
    if not kept:
        return ""
    reason, given_at = kept
    return str(reason) if datetime.fromisoformat(given_at) + REASON_KEPT_FOR > timezone.now() else ""


def _keep_reason(request: HttpRequest, reference: str, reason: str) -> None:
    reasons = request.session.get("reasons", {})
    reasons[reference] = [reason, timezone.now().isoformat()]
    request.session["reasons"] = reasons


class AskForReason(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def open_person(request: HttpRequest, reference: str) -> PersonAccess:
    """Open a person through the checkpoint, with the reason given now or earlier in the visit."""
    reason_form = ReasonForm(request.POST if "reason" in request.POST else None)
    reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else _kept_reason(request, reference)
    try:
        access = access_person_by_reference(request.user, reference, reason=reason)
    except ReasonRequired:
        refused = request.method == "POST" and "reason" in request.POST
        raise AskForReason(render(request, "people/reason.html", {"form": reason_form, "reference": reference},
                                   status=403 if refused else 200)) from None
    if access.reason:
        _keep_reason(request, reference, access.reason)
    return access


def _chronology_form(request: HttpRequest, access: PersonAccess) -> ChronologyFilterForm:
    agencies = sorted({(e.agency.code, e.agency.name) for e in access.events}, key=lambda a: a[1])
    types = sorted({(e.type, EventType(e.type).label) for e in access.events}, key=lambda t: t[1])
    params = request.GET if any(k in request.GET for k in ("agency", "type", "start", "end")) else None
    return ChronologyFilterForm(params, agencies=agencies, types=types)


def person_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        access = open_person(request, reference)
    except AskForReason as ask:
        return ask.response
    today, now = timezone.localdate(), timezone.now()
    filter_form = _chronology_form(request, access)
    entries = profile.chronology(access, filter_form.filters())
    return render(request, "people/person.html", {
        "access": access,
        "identity": profile.identity(access, today),
        "assessments": profile.latest_assessments(access),
        "overdue": (profile.overdue_actions(access, now) + overdue_contacts_about(request.user, access.person, now)
                    + overdue_tasks_about(request.user, access.person, now)),
        "filter_form": filter_form,
        "entries": entries,
        "export_query": request.GET.urlencode(),
        "connections": profile.connections(request.user, access, today),
        "strengths": profile.link_strengths(access),
        "can_doubt_links": not access.pseudonymised,
    })


def chronology_export(request: HttpRequest, reference: str, file_format: str) -> HttpResponse:
    """Export the (filtered) chronology; audited and marked with who exported it and when."""
    if file_format not in EXPORT_FORMATS:
        raise Http404("No such format")
    try:
        access = open_person(request, reference)
    except AskForReason as ask:
        return ask.response
    filter_form = _chronology_form(request, access)
    entries = profile.chronology(access, filter_form.filters())
    user = request.user
    mark = ExportMark(f"{user.get_full_name() or user.get_username()} ({user.get_username()})",  # type: ignore[union-attr]
                      timezone.now(), access.person.reference)
    audit_write(actor=user, verb=AuditVerb.EXPORT, target=access.person, reason=access.reason,
                payload={"what": "chronology", "format": file_format, "events": len(entries),
                         "filters": filter_form.filters().as_payload(), "pseudonymised": access.pseudonymised})
    stamp = timezone.localtime(mark.at).strftime("%Y%m%d-%H%M")
    name = f"chronology-{access.person.reference}-{stamp}.{file_format}"
    if file_format == "csv":
        response = HttpResponse(chronology_csv(entries, mark), content_type="text/csv; charset=utf-8")
    else:
        title = f"Chronology of person {access.person.reference}"
        if not access.pseudonymised:
            title += f": {profile.identity(access, timezone.localdate()).name}"
        response = HttpResponse(chronology_pdf(entries, mark, title=title), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def record_not_same(request: HttpRequest, reference: str, record_id: int) -> HttpResponse:
    """Send one record of the person to the MASH review queue as not the same person."""
    try:
        access = open_person(request, reference)
    except AskForReason as ask:
        return ask.response
    record: SourceRecord | None = next((r for r in access.records if r.pk == record_id), None)
    if record is None or access.pseudonymised:
        raise Http404("No such record")
    other = profile.strongest_partner(access, record)
    form = NotSameForm(request.POST if "because" in request.POST else None)
    error = ""
    if other is None:
        error = "This is the only record of this person you can see, so there is nothing to separate it from."
    elif form.is_valid():
        try:
            review_request(record=record, other=other, because=form.cleaned_data["because"], actor=request.user)
        except LinkageError as problem:
            error = f"This cannot go to review yet: {problem}."
        else:
            messages.success(request, f"The MASH will review whether {record.agency.name}'s record "
                                      f"{record.source_id} belongs to this person.")
            return redirect(reverse("web:person", args=[reference]) + "#provenance")
    return render(request, "people/not_same.html",
                  {"access": access, "record": record, "other": other, "form": form, "error": error},
                  status=400 if form.errors or (error and request.method == "POST") else 200)


def request_information(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask the agencies holding records the user cannot see to share them with the user's agency."""
    try:
        access = open_person(request, reference)
    except AskForReason as ask:
        return ask.response
    if not access.more_exists or access.pseudonymised or request.user.agency_id is None:  # type: ignore[union-attr]
        raise Http404("Nothing more to ask for")
    form = ShareRequestForm(request.POST if "legal_basis" in request.POST else None)
    if form.is_valid():
        try:
            share_request_create(person=access.person, reason=form.cleaned_data["reason"],
                                 legal_basis=form.cleaned_data["legal_basis"], actor=request.user)
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, "Your request has gone to the agencies that hold records of this person. "
                                      "What they share will appear on this page.")
            return redirect("web:person", reference=reference)
    return render(request, "people/request_information.html", {"access": access, "form": form},
                  status=400 if form.errors else 200)
