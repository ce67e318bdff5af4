"""Investigations: the list, one investigation's page, opening one, join proposals, bail, SPOCs and the contact log.

Views are thin: investigations are reached through the access checkpoint
(`access_investigation_by_reference`), people and events on them through `visible_records` and
`visible_events` (in lantern.investigations.selectors), and every change through a service.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from lantern.core.access import (
    ReasonRequired,
    access_event_by_id,
    access_investigation_by_reference,
    visible_investigations,
    works_on_investigation,
)
from lantern.events.models import Event
from lantern.investigations.models import InvestigationStatus, JoinProposal, Overlap
from lantern.investigations.overlap import find_overlaps, strands_of
from lantern.investigations.selectors import (
    investigation_page,
    investigations_for,
    joinable_events_of,
    proposal_for,
    proposals_for,
)
from lantern.investigations.services import (
    bail_condition_add,
    borough_spoc_assign,
    contact_log_add,
    current_borough_spoc,
    family_spoc_assign,
    investigation_close,
    investigation_open,
    investigation_update,
    may_name_borough_spoc,
    may_open_investigations,
    proposal_decline,
    proposal_join,
    spoc_candidates,
    suggested_title,
)
from lantern.web.front_door_forms import add_service_errors
from lantern.web.investigation_forms import (
    BailConditionForm,
    CloseForm,
    ContactLogForm,
    EditInvestigationForm,
    OpenInvestigationForm,
    ProposalDecisionForm,
    SpocForm,
)
from lantern.web.views.changes import versioned_change
from lantern.web.views.people import AskForReason, open_person


def _user(request: HttpRequest) -> Any:
    return request.user


def investigation_list(request: HttpRequest) -> HttpResponse:
    """List the open (or closed) investigations the user may open, and how many proposals wait."""
    user = _user(request)
    status = request.GET.get("status", InvestigationStatus.OPEN)
    if status not in InvestigationStatus.values:
        status = InvestigationStatus.OPEN
    return render(request, "investigations/list.html", {
        "status": status, "statuses": InvestigationStatus.choices,
        "investigations": list(investigations_for(user, status)[:200]),
        "waiting": len(proposals_for(user, today=timezone.localdate())),
        "may_open": may_open_investigations(user),
        "may_name_borough_spoc": user.borough is not None and may_name_borough_spoc(user, user.borough),
    })


def investigation_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Show an investigation: its offences and events, people, safeguarding actions, bail, SPOC and contact log."""
    user = _user(request)
    investigation = access_investigation_by_reference(user, reference)
    may_work = works_on_investigation(user, investigation)
    return render(request, "investigations/investigation.html", {
        "page": investigation_page(user, investigation, timezone.localdate()),
        "investigation": investigation, "may_work": may_work and investigation.is_open,
        "may_log": may_work, "log_form": ContactLogForm(),
    })


def _working(request: HttpRequest, reference: str, *, open_only: bool = True) -> Any:
    investigation = access_investigation_by_reference(request.user, reference)
    if not works_on_investigation(request.user, investigation):
        raise PermissionDenied("Only those working on this investigation can change it")
    if open_only and not investigation.is_open:
        raise PermissionDenied("This investigation is closed")
    return investigation


def _action(request: HttpRequest, investigation: Any, form: Any, title: str, save: Callable[[dict[str, Any]], Any],
            done: str, *, anchor: str = "") -> HttpResponse:
    """Run one change, from the version the user saw where it has one (see versioned_change)."""
    return versioned_change(request, investigation, form, save, title=title, done=done,
                            template="investigations/action.html", name="investigation",
                            next_url=lambda found: reverse("web:investigation", args=[found.reference]) + anchor)


# Opening an investigation ------------------------------------------------------------------------

def _opening_events(request: HttpRequest) -> tuple[list[Event], Any, HttpResponse | None]:
    """Return the events to open from: one event (?event=), or a person's (?person=); or a page asking why."""
    # Where it starts from is in the address, so the form's own "event" choice never changes it.
    source = request.GET
    if source.get("event"):
        try:
            event = access_event_by_id(request.user, int(source["event"]))
        except (ValueError, ReasonRequired):
            raise Http404("No such event") from None
        return [event], None, None
    if source.get("person"):
        try:
            access = open_person(request, source["person"])
        except AskForReason as ask:
            return [], None, ask.response
        return joinable_events_of(request.user, access), access.person, None
    raise Http404("Open an investigation from a person or an event")


def investigation_new(request: HttpRequest) -> HttpResponse:
    """Open an investigation from an event (a person's, or the one given); overlaps are offered for joining first."""
    user = _user(request)
    if not may_open_investigations(user):
        raise PermissionDenied("Only police investigators and MASH supervisors can open investigations")
    events, person, ask = _opening_events(request)
    if ask is not None:
        return ask
    staff = spoc_candidates(user.agency_id, user.borough_id)
    first = events[0] if events else None
    initial = {"event": str(first.pk) if first else None, "officer": user.pk if user in staff else None,
               "title": suggested_title(first) if first else "",
               "strands": sorted(strands_of(first.type, first.attributes)) if first else []}
    form = OpenInvestigationForm(request.POST if "title" in request.POST else None, events=events, staff=staff,
                                 initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            investigation = investigation_open(event=form.chosen_event(), title=data["title"],
                                               strands=data["strands"], officer=data["officer"], actor=user,
                                               separate_reason=data["separate_reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Investigation {investigation.reference} is open. The family's single point "
                                      "of contact is shown below.")
            return redirect("web:investigation", reference=investigation.reference)
    # What an event overlaps is shown before anyone starts a second investigation for the family.
    visible = {i.pk: i for i in visible_investigations(user).filter(status=InvestigationStatus.OPEN)}
    kinds: dict[int, set[str]] = {}
    for (_, inv_id), found in find_overlaps([e.pk for e in events]).items():
        if inv_id in visible:
            kinds.setdefault(inv_id, set()).update(found.overlaps)
    overlaps = [(visible[inv_id], [Overlap(kind).label for kind in Overlap.values if kind in found_kinds])
                for inv_id, found_kinds in sorted(kinds.items())]
    return render(request, "investigations/new.html", {
        "form": form, "events": events, "person": person, "overlaps": overlaps,
        "proposals": {p.investigation_id: p for p in JoinProposal.objects.filter(
            event__in=events, investigation_id__in=[i.pk for i, _ in overlaps], status="proposed")},
    }, status=400 if form.errors else 200)


# Join proposals --------------------------------------------------------------------------------------

def proposal_queue(request: HttpRequest) -> HttpResponse:
    """List the proposals to join new events to open investigations, oldest first."""
    return render(request, "investigations/proposals.html",
                  {"rows": proposals_for(_user(request), today=timezone.localdate())})


def proposal_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Join a proposed event to its investigation, start a separate investigation, or decline, with a reason."""
    user = _user(request)
    row = proposal_for(user, proposal_id, timezone.localdate())
    if row is None:
        raise Http404("No such proposal")
    investigation = row.proposal.investigation
    if not works_on_investigation(user, investigation):
        raise PermissionDenied("Only those working on this investigation can decide")
    form = ProposalDecisionForm(request.POST or None, investigation_reference=investigation.reference)
    if request.method == "POST" and form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == form.JOIN:
                proposal_join(proposal=row.proposal, reason=reason, actor=user)
                messages.success(request, f"The event is joined to investigation {investigation.reference}.")
                return redirect(reverse("web:investigation", args=[investigation.reference]) + "#events")
            opened = proposal_decline(proposal=row.proposal, reason=reason, actor=user,
                                      start_separate=decision == form.SEPARATE)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if opened is not None:
                messages.success(request, f"Investigation {opened.reference} is open, separate from "
                                          f"{investigation.reference}.")
                return redirect("web:investigation", reference=opened.reference)
            messages.success(request, "The proposal is declined; it will not be proposed again.")
            return redirect("web:join-proposals")
    return render(request, "investigations/proposal.html", {"row": row, "form": form},
                  status=400 if form.errors else 200)


# Changes to one investigation ---------------------------------------------------------------------------

def investigation_edit(request: HttpRequest, reference: str) -> HttpResponse:
    investigation = _working(request, reference)
    staff = spoc_candidates(investigation.agency_id, investigation.borough_id)
    form = EditInvestigationForm(request.POST or None, staff=staff, initial={
        "version": investigation.version, "title": investigation.title, "strands": investigation.strands,
        "officer": investigation.officer_id})
    return _action(request, investigation, form, "Change the investigation",
                   lambda data: investigation_update(investigation=investigation, title=data["title"],
                                                     strands=data["strands"], officer=data["officer"],
                                                     actor=request.user, expected_version=data["version"]),
                   "Your changes are saved.")


def investigation_close_view(request: HttpRequest, reference: str) -> HttpResponse:
    investigation = _working(request, reference)
    form = CloseForm(request.POST or None, initial={"version": investigation.version})
    return _action(request, investigation, form, "Close the investigation",
                   lambda data: investigation_close(investigation=investigation, reason=data["reason"],
                                                    actor=request.user, expected_version=data["version"]),
                   "The investigation is closed. The family keeps its single point of contact.")


def bail_new(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    investigation = _working(request, reference)
    page = investigation_page(user, investigation, timezone.localdate())
    people = [(row.person_id, f"{row.name} ({', '.join(row.roles).lower()})") for row in page.people]
    form = BailConditionForm(request.POST or None, people=people)
    return _action(request, investigation, form, "Record a bail condition",
                   lambda data: bail_condition_add(investigation=investigation, person=form.chosen_person(),
                                                    condition=data["condition"], imposed_on=data["imposed_on"],
                                                    expires_on=data["expires_on"], actor=user),
                   "The bail condition is recorded.", anchor="#bail")


def family_spoc(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    investigation = _working(request, reference, open_only=False)
    form = SpocForm(request.POST or None, staff=spoc_candidates(investigation.agency_id, investigation.borough_id))
    return _action(request, investigation, form, "Name the family's single point of contact",
                   lambda data: family_spoc_assign(investigation=investigation, spoc=data["spoc"],
                                                   reason=data["reason"], actor=user),
                   "The family's single point of contact is changed.", anchor="#spoc")


def contact_log_new(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    investigation = _working(request, reference, open_only=False)
    form = ContactLogForm(request.POST or None)
    return _action(request, investigation, form, "Add to the family's contact log",
                   lambda data: contact_log_add(investigation=investigation, channel=data["channel"],
                                                summary=data["summary"], at=data["at"], actor=user),
                   "Added to the family's contact log.", anchor="#log")


def borough_spoc(request: HttpRequest) -> HttpResponse:
    """Name the single point of contact for the user's borough (local authority)."""
    user = _user(request)
    borough = user.borough
    if borough is None or not may_name_borough_spoc(user, borough):
        raise PermissionDenied("Only the borough's MASH supervisor or a police investigator there can name its SPOC")
    form = SpocForm(request.POST or None, staff=spoc_candidates(user.agency_id, borough.pk))
    if request.method == "POST" and form.is_valid():
        try:
            borough_spoc_assign(borough=borough, spoc=form.cleaned_data["spoc"], reason=form.cleaned_data["reason"],
                                actor=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{borough.name}'s single point of contact is changed.")
            return redirect("web:investigations")
    return render(request, "investigations/borough_spoc.html",
                  {"form": form, "borough": borough, "current": current_borough_spoc(borough.pk)},
                  status=400 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("investigations", investigation_list, name="investigations"),
    path("investigations/new", investigation_new, name="investigation-new"),
    path("investigations/proposals", proposal_queue, name="join-proposals"),
    path("investigations/proposals/<int:proposal_id>", proposal_decide, name="join-proposal"),
    path("investigations/borough-spoc", borough_spoc, name="borough-spoc"),
    path("investigations/<str:reference>", investigation_detail, name="investigation"),
    path("investigations/<str:reference>/edit", investigation_edit, name="investigation-edit"),
    path("investigations/<str:reference>/close", investigation_close_view, name="investigation-close"),
    path("investigations/<str:reference>/bail", bail_new, name="investigation-bail"),
    path("investigations/<str:reference>/spoc", family_spoc, name="investigation-spoc"),
    path("investigations/<str:reference>/log", contact_log_new, name="investigation-log"),
]
