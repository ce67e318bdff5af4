"""The MASH: its queue, a contact with the person's history beside it, and triage through to a decision.

Every change names the contact's version the user saw; if someone else saved first, the
page says who and when and keeps everything the user typed (EditConflict).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from lantern.core.access import (
    MASH_ROLES,
    PersonAccess,
    ReasonRequired,
    access_contact_by_reference,
    access_person_by_reference,
    readable_answers,
    works_in_mash,
)
from lantern.referrals.models import Contact, Outcome, Status
from lantern.referrals.selectors import QUEUE_VIEWS, mash_queue, needs_supervisor, queue_counts
from lantern.referrals.services import (
    contact_allocate,
    contact_decide,
    contact_rate,
    contact_update,
    information_request_create,
    mash_staff,
    partner_agencies,
    strategy_discussion_record,
)
from lantern.risk.selectors import assessments_of
from lantern.web.front_door_forms import (
    AllocateForm,
    ContactEditForm,
    DecisionForm,
    InformationRequestForm,
    RatingForm,
    StrategyDiscussionForm,
    add_service_errors,
)
from lantern.web.views.changes import versioned_change

QUEUE_PAGE_SIZE = 100
LATEST_EVENTS = 10


def queue(request: HttpRequest) -> HttpResponse:
    """Show the MASH's contacts, soonest due first; a supervisor also sees what is overdue or unallocated."""
    user: Any = request.user
    if user.role not in MASH_ROLES or user.borough_id is None:
        raise PermissionDenied("The queue belongs to the MASH")
    view = request.GET.get("view", "open")
    if view not in QUEUE_VIEWS:
        view = "open"
    now = timezone.now()
    return render(request, "referrals/queue.html", {
        "view": view, "views": QUEUE_VIEWS, "now": now,
        "contacts": list(mash_queue(user, view, now)[:QUEUE_PAGE_SIZE]),
        "counts": queue_counts(user, now),
        "attention": needs_supervisor(user, now) if user.role == "supervisor" else [],
    })


def _history(user: Any, contact: Contact) -> tuple[PersonAccess | None, str]:
    """Return what the user may see of the contact's person, or why it is not shown here."""
    if contact.person is None or not works_in_mash(user, contact.borough_id):
        return None, ""
    try:
        return access_person_by_reference(user, contact.person.reference), ""
    except ReasonRequired:
        return None, "This person has restricted records: open their page and say why you need to see them."
    except Http404:
        return None, "You cannot see this person's other records."


def contact_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Show a contact: what was reported, its clock, triage, partners' answers, the decision, and the history."""
    user: Any = request.user
    contact = access_contact_by_reference(user, reference)
    access, history_note = _history(user, contact)
    in_mash = works_in_mash(user, contact.borough_id)
    return render(request, "referrals/contact.html", {
        "contact": contact, "access": access, "history_note": history_note, "in_mash": in_mash,
        "latest_events": access.events[:LATEST_EVENTS] if access else [],
        "now": timezone.now(),
        "ratings": contact.rating_changes.select_related("changed_by"),
        "requests": contact.information_requests.select_related("agency", "requested_by") if in_mash else [],
        "answers": readable_answers(user, contact).select_related("agency", "answered_by", "wider_use_agreed_by"),
        "assessments": list(assessments_of(user, access.person).filter(contact_reference=contact.reference))
        if access else [],
        "decision": getattr(contact, "decision", None),
        "strategy": getattr(contact, "strategy_discussion", None),
    })


def _mash_contact(request: HttpRequest, reference: str) -> Contact:
    contact = access_contact_by_reference(request.user, reference)
    if not works_in_mash(request.user, contact.borough_id):
        raise PermissionDenied("Only the MASH for this contact's borough can do this")
    return contact


def _versioned_action(request: HttpRequest, contact: Contact, form: Any, title: str, save: Any,
                      done: str) -> HttpResponse:
    """Run one triage change from the version the user saw (see versioned_change)."""
    return versioned_change(request, contact, form, save, title=title, done=done,
                            template="referrals/contact_action.html", name="contact",
                            next_url=lambda found: reverse("web:contact", args=[found.reference]))


def contact_rate_view(request: HttpRequest, reference: str) -> HttpResponse:
    contact = _mash_contact(request, reference)
    form = RatingForm(request.POST or None, initial={"version": contact.version, "rating": contact.rating})
    return _versioned_action(
        request, contact, form, "Rate this contact",
        lambda data: contact_rate(contact=contact, rating=data["rating"], reason=data["reason"], actor=request.user,
                                  expected_version=data["version"]),
        "The rating is saved and the clock reset from when the contact arrived.")


def contact_allocate_view(request: HttpRequest, reference: str) -> HttpResponse:
    contact = _mash_contact(request, reference)
    user: Any = request.user
    staff = mash_staff(contact.borough_id) if user.role == "supervisor" else [user]
    form = AllocateForm(request.POST or None, staff=staff,
                        initial={"version": contact.version, "researcher": contact.allocated_to_id or user.pk})
    return _versioned_action(
        request, contact, form, "Allocate this contact",
        lambda data: contact_allocate(contact=contact, to=data["researcher"], actor=user,
                                      expected_version=data["version"]),
        "The contact is allocated.")


def contact_edit_view(request: HttpRequest, reference: str) -> HttpResponse:
    contact = _mash_contact(request, reference)
    initial = {"version": contact.version, **{name: getattr(contact, name) for name in ContactEditForm.base_fields}}
    form = ContactEditForm(request.POST or None, initial=initial)
    return _versioned_action(
        request, contact, form, "Change the contact and your screening notes",
        lambda data: contact_update(contact=contact, changes=form.changes(), actor=request.user,
                                    expected_version=data["version"]),
        "Your changes are saved.")


def contact_decide_view(request: HttpRequest, reference: str) -> HttpResponse:
    contact = _mash_contact(request, reference)
    form = DecisionForm(request.POST or None, agencies=partner_agencies(contact), initial={"version": contact.version})
    return _versioned_action(
        request, contact, form, "Record the decision",
        lambda data: contact_decide(contact=contact, outcome=data["outcome"], reasons=data["reasons"],
                                    agencies_told=list(data["agencies_told"]), actor=request.user,
                                    expected_version=data["version"]),
        "The decision is recorded and the contact's clock has stopped.")


def information_request_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask a partner agency what it holds about the contact's subject."""
    contact = _mash_contact(request, reference)
    if contact.status != Status.OPEN:
        raise PermissionDenied("A decision has been recorded on this contact")
    form = InformationRequestForm(request.POST or None, agencies=partner_agencies(contact))
    if request.method == "POST" and form.is_valid():
        try:
            asked = information_request_create(contact=contact, agency=form.cleaned_data["agency"],
                                               question=form.cleaned_data["question"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            due = timezone.localtime(asked.due_at).strftime("%H:%M on %d %B")
            messages.success(request, f"Your request has gone to {asked.agency.name}. Their answer is due by {due}.")
            return redirect("web:contact", reference=contact.reference)
    return render(request, "referrals/contact_action.html",
                  {"contact": contact, "form": form, "title": "Ask a partner agency what it holds"},
                  status=400 if form.errors else 200)


def strategy_discussion_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the strategy discussion that follows a section 47 decision."""
    contact = _mash_contact(request, reference)
    decision = getattr(contact, "decision", None)
    if decision is None or decision.outcome != Outcome.STRATEGY_DISCUSSION:
        raise Http404("No strategy discussion was decided on")
    form = StrategyDiscussionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            strategy_discussion_record(contact=contact, held_at=data["held_at"], attendees=data["attendees"],
                                       decision=data["decision"], actions=data["actions"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The strategy discussion is recorded.")
            return redirect(reverse("web:contact", args=[contact.reference]) + "#strategy")
    return render(request, "referrals/contact_action.html",
                  {"contact": contact, "form": form, "title": "Record the strategy discussion"},
                  status=400 if form.errors else 200)
